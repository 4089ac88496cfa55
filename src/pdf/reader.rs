//! Random-access reading of a PDF from disk: only the trailer chain, the
//! cross-reference data and the objects asked for are read (ISO 32000-2 §7.5).
//!
//! The reader is strict where a repair would change what was signed: a
//! cross-reference entry that does not point at the object it names is an error
//! ([`PdfError::BrokenXref`]), never silently rebuilt.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

use super::filters;
use super::object::{Dict, ObjRef, Object};
use super::syntax::{Cursor, SyntaxError};
use super::PdfError;

/// Largest window read to parse one object (a dictionary or array, not stream data).
const MAX_OBJECT_WINDOW: usize = 16 * 1024 * 1024;
/// Most cross-reference sections followed through `/Prev`.
const MAX_SECTIONS: usize = 4096;
/// Most objects a file may declare.
const MAX_OBJECTS: u64 = 8_000_000;
/// Most page-tree nodes visited.
const MAX_PAGE_NODES: usize = 1_000_000;
/// Object streams kept decoded.
const OBJSTM_CACHE: usize = 8;
/// Most decoded object-stream bytes kept in that cache (the newest stream is kept
/// even if larger on its own).
const OBJSTM_CACHE_BYTES: usize = 64 * 1024 * 1024;
/// Object-stream bytes after which one opened file decodes no more object streams
/// (each read is then an error): a few compressed bombs read again and again must
/// not run for hours. Far above what the objects a file may declare can need.
const MAX_OBJSTM_DECODED: usize = 256 * 1024 * 1024;
/// Most cross-reference entries kept for the whole chain, all sections together.
/// Each entry costs memory several times over (section, revision, merged index),
/// and a compressed xref stream can declare millions of them in a few kilobytes.
const MAX_XREF_ENTRIES: usize = 1 << 20;
/// Objects looked at for a `/Catalog` when a damaged file is rebuilt by scanning
/// and no trailer names one.
const MAX_CATALOG_PROBES: usize = 10_000;
/// Most xref-stream bytes decoded while reading the chain: many sections (or many
/// tables naming one `/XRefStm`) must not each inflate a large stream.
const MAX_XREF_DECODED: usize = 2 * filters::MAX_DECODED as usize;

/// What is left of the limits while reading one file's cross-reference chain.
struct ChainBudget {
    entries: usize,
    decoded: usize,
}

/// Where the newest definition of an object lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XrefEntry {
    /// A free entry.
    Free,
    /// An object at a byte offset.
    InFile {
        /// Byte offset of `N G obj`.
        offset: u64,
        /// Generation number.
        gen: u16,
    },
    /// An object inside an object stream.
    InStream {
        /// Object number of the object stream.
        stream: u32,
        /// Index inside the stream.
        index: u32,
    },
}

/// The form of a cross-reference section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XrefKind {
    /// A classic `xref` table with a `trailer` dictionary.
    Table,
    /// A cross-reference stream (PDF 1.5+).
    Stream,
}

/// One cross-reference section, i.e. one revision's index.
#[derive(Clone, Debug)]
pub struct XrefSection {
    /// Byte offset of the section (`xref` keyword or the xref stream object).
    pub offset: u64,
    /// Table or stream.
    pub kind: XrefKind,
    /// The trailer dictionary (or xref stream dictionary).
    pub trailer: Dict,
    /// Entries defined by this section (a hybrid file's `/XRefStm` entries included).
    pub entries: BTreeMap<u32, XrefEntry>,
}

/// Where a stream's data lies in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamLoc {
    /// Offset of the first data byte.
    pub offset: u64,
    /// Length in bytes from `/Length`.
    pub length: u64,
    /// The object whose key decrypts the data, in an encrypted document (`None`:
    /// the data is not encrypted).
    pub encrypted_for: Option<ObjRef>,
}

/// An object as read, with the bytes it was parsed from so it can be spliced.
#[derive(Clone, Debug)]
pub struct RawObject {
    /// Its reference.
    pub id: ObjRef,
    /// The parsed value (dictionary spans index into `source`).
    pub object: Object,
    /// The buffer the value was parsed from.
    pub source: Vec<u8>,
    /// Span of the value in `source`.
    pub value_span: Range<usize>,
    /// Stream data location, for stream objects in the file.
    pub stream: Option<StreamLoc>,
}

impl RawObject {
    /// The original bytes of the value.
    pub fn value_bytes(&self) -> &[u8] {
        self.source.get(self.value_span.clone()).unwrap_or_default()
    }
}

/// A cross-reference entry for `expected` points at `found`.
fn wrong_object(offset: u64, expected: ObjRef, found: ObjRef) -> PdfError {
    PdfError::BrokenXref { offset, detail: format!("expected object {} {}, found {} {}", expected.num, expected.gen, found.num, found.gen) }
}

/// Files up to this size (1 MiB) are read into memory whole when opened; larger ones
/// are read piece by piece and never held whole.
pub const RESIDENT_MAX: u64 = 1 << 20;

/// A PDF opened for reading.
pub struct PdfFile {
    file: RefCell<File>,
    /// The whole file, when it is at most [`RESIDENT_MAX`] bytes: a small document is
    /// read once instead of by one seek and read per object.
    resident: Option<Vec<u8>>,
    /// Objects (not streams) of a resident file already parsed, by offset.
    object_memo: RefCell<HashMap<u64, RawObject>>,
    len: u64,
    version: String,
    sections: Vec<XrefSection>,
    /// Revisions, oldest first: each is one or more sections (a linearized file's
    /// first-page section joins the main section it precedes physically).
    revisions: Vec<XrefSection>,
    xref: HashMap<u32, XrefEntry>,
    xref_problems: Vec<String>,
    /// The cross-reference data could not be read and was rebuilt by scanning the
    /// file for objects ([`Self::is_reconstructed`]).
    reconstructed: bool,
    objstm_cache: RefCell<Vec<(u64, std::rc::Rc<ObjStm>)>>,
    /// Object-stream bytes decoded so far (see [`MAX_OBJSTM_DECODED`]).
    objstm_decoded: std::cell::Cell<usize>,
    /// [`Self::revision_end`] of every revision, found by one pass over the file.
    revision_ends: RefCell<Option<Vec<Option<u64>>>>,
    /// The decryptor of a document encrypted with an empty user password, opened
    /// for verification.
    crypt: Option<super::crypt::Decryptor>,
}

/// Object number → newest entry, for one revision or the whole file.
pub type Xref = HashMap<u32, XrefEntry>;

struct ObjStm {
    data: Vec<u8>,
    offsets: Vec<(u32, usize)>,
}

impl PdfFile {
    /// Open `path` and read its header, trailer chain and cross-reference data.
    pub fn open(path: &Path) -> Result<Self, PdfError> {
        let file = crate::input::open_regular(path)?;
        Self::from_file(file)
    }

    /// Open `path` for verification: cross-reference entries that do not point at
    /// their objects are recorded ([`Self::xref_problems`]) instead of refused, so the
    /// signatures can still be examined and the damage reported.
    pub fn open_for_verification(path: &Path) -> Result<Self, PdfError> {
        Self::from_file_with(crate::input::open_regular(path)?, false)
    }

    /// Problems found in the cross-reference data by [`Self::open_for_verification`].
    pub fn xref_problems(&self) -> &[String] {
        &self.xref_problems
    }

    /// Whether the cross-reference data was unreadable and rebuilt by scanning the
    /// file (verification only): objects are the newest definition of each number
    /// found in the file, there is a single "revision", and nothing said about
    /// revisions can be relied on.
    pub fn is_reconstructed(&self) -> bool {
        self.reconstructed
    }

    /// Rebuild the cross-reference data from the objects in the file (`N G obj`,
    /// the newest definition of each number wins) and the last trailer that names
    /// a catalog (else a `/Type /Catalog` object), as repairing viewers do. Objects
    /// inside object streams are not found. Verification only: `why` is recorded.
    fn reconstruct(&mut self, why: &PdfError) -> Result<(), PdfError> {
        const CHUNK: u64 = 1 << 20;
        const OVERLAP: u64 = 64;
        let mut entries: BTreeMap<u32, XrefEntry> = BTreeMap::new();
        let mut trailer: Option<Dict> = None;
        let mut at = 0u64;
        while at < self.len {
            // One byte before the chunk, to see what precedes its first byte.
            let base = at.saturating_sub(1);
            let buf = self.read_range(base, (CHUNK + OVERLAP + 1) as usize)?;
            let first = (at - base) as usize;
            let limit = if at + CHUNK >= self.len { buf.len() } else { first + CHUNK as usize };
            let mut i = first;
            while i < limit {
                let boundary = (i == 0) || matches!(buf[i - 1], b'\n' | b'\r' | b' ' | b'\t' | b'\x0c' | b'>');
                if boundary && buf[i].is_ascii_digit() {
                    let mut c = Cursor::new(&buf, i);
                    let head = (|| {
                        let n = c.unsigned().ok()?;
                        let g = c.unsigned().ok()?;
                        (c.word().ok()? == b"obj").then_some((u32::try_from(n).ok()?, u16::try_from(g).ok()?))
                    })();
                    if let Some((num, gen)) = head {
                        if num > 0 {
                            entries.insert(num, XrefEntry::InFile { offset: base + i as u64, gen });
                            if entries.len() > MAX_XREF_ENTRIES {
                                return Err(PdfError::LimitExceeded("cross-reference entries"));
                            }
                        }
                        i = c.pos().max(i + 1);
                        continue;
                    }
                }
                if buf[i..].starts_with(b"trailer") {
                    let mut c = Cursor::new(&buf, i + b"trailer".len());
                    c.skip_ws();
                    if let Ok(d) = c.dict() {
                        if d.reference(b"Root").is_some() {
                            trailer = Some(d);
                        }
                    }
                }
                i += 1;
            }
            at += CHUNK;
        }
        let trailer = match trailer {
            Some(t) => t,
            None => self.catalog_trailer(&entries)?,
        };
        self.xref = entries.iter().map(|(&n, &e)| (n, e)).collect();
        self.sections = vec![XrefSection { offset: 0, kind: XrefKind::Table, trailer, entries }];
        self.revisions = group_revisions(&self.sections);
        self.reconstructed = true;
        self.xref_problems.push(format!("{why}; the objects were found by scanning the file"));
        Ok(())
    }

    /// A trailer naming the highest-numbered `/Type /Catalog` object among
    /// `entries`; at most [`MAX_CATALOG_PROBES`] objects are looked at (a hostile
    /// file of millions of tiny objects must not cost a read of each).
    fn catalog_trailer(&self, entries: &BTreeMap<u32, XrefEntry>) -> Result<Dict, PdfError> {
        let mut root = None;
        for (&num, e) in entries.iter().rev().take(MAX_CATALOG_PROBES) {
            let XrefEntry::InFile { offset, gen } = *e else { continue };
            let head = self.read_range(offset, 4096)?;
            if head.windows(8).any(|w| w == b"/Catalog") {
                root = Some(ObjRef::new(num, gen));
                break;
            }
        }
        let root = root.ok_or(PdfError::BrokenXref { offset: 0, detail: "no catalog found by scanning the file".into() })?;
        let mut d = Dict::default();
        d.entries.push(super::object::DictEntry { key: b"Root".to_vec(), value: Object::Ref(root), value_span: 0..0 });
        Ok(d)
    }

    /// Read an already-open file (strict: a cross-reference entry that does not
    /// point at its object is an error).
    pub fn from_file(file: File) -> Result<Self, PdfError> {
        Self::from_file_with(file, true)
    }

    fn from_file_with(mut file: File, strict: bool) -> Result<Self, PdfError> {
        let len = file.seek(SeekFrom::End(0))?;
        let resident = if len <= RESIDENT_MAX {
            let mut all = Vec::with_capacity(len as usize);
            file.seek(SeekFrom::Start(0))?;
            (&mut file).take(len).read_to_end(&mut all)?;
            if (all.len() as u64) < len {
                return Err(PdfError::Truncated);
            }
            Some(all)
        } else {
            None
        };
        let mut pdf = PdfFile {
            file: RefCell::new(file),
            resident,
            object_memo: RefCell::new(HashMap::new()),
            len,
            version: String::new(),
            sections: Vec::new(),
            revisions: Vec::new(),
            xref: HashMap::new(),
            xref_problems: Vec::new(),
            reconstructed: false,
            objstm_cache: RefCell::new(Vec::new()),
            objstm_decoded: std::cell::Cell::new(0),
            revision_ends: RefCell::new(None),
            crypt: None,
        };
        pdf.version = pdf.read_header()?;
        let read = pdf.find_startxref().and_then(|start| pdf.read_xref_chain(start));
        match read {
            Ok(()) => {}
            // Verification still lists the signatures of a file whose cross-reference
            // data is damaged (the document stays FORMAT_FAILURE): rebuilt by scanning.
            Err(e @ (PdfError::BrokenXref { .. } | PdfError::Truncated | PdfError::Malformed { .. })) if !strict => {
                pdf.reconstruct(&e)?;
            }
            Err(e) => return Err(e),
        }
        if let Some(enc) = pdf.trailer().get(b"Encrypt").cloned() {
            // Signing never touches an encrypted document; verification reads one
            // that opens without a password.
            if strict {
                return Err(PdfError::Encrypted);
            }
            pdf.crypt = Some(pdf.decryptor(&enc)?);
        }
        match pdf.check_offsets() {
            Ok(()) => {}
            Err(e) if !strict => pdf.xref_problems.push(e.to_string()),
            Err(e) => return Err(e),
        }
        Ok(pdf)
    }

    /// The decryptor for the `/Encrypt` dictionary `enc`, when the document opens
    /// with the empty user password; [`PdfError::Encrypted`] otherwise.
    fn decryptor(&self, enc: &Object) -> Result<super::crypt::Decryptor, PdfError> {
        let (dict, r) = match enc {
            Object::Ref(r) => (self.get(*r)?.object, Some(*r)),
            o => (o.clone(), None),
        };
        let dict = dict.as_dict().ok_or(PdfError::Encrypted)?;
        let id0 = self
            .trailer()
            .get(b"ID")
            .and_then(Object::as_array)
            .and_then(|a| a.first())
            .and_then(Object::as_string)
            .map(<[u8]>::to_vec)
            .unwrap_or_default();
        super::crypt::Decryptor::new(dict, r, &id0).map_err(|_| PdfError::Encrypted)
    }

    /// Whether the document is encrypted (and was opened because it needs no password).
    pub fn is_encrypted(&self) -> bool {
        self.crypt.is_some()
    }

    /// File length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file is empty (never true for an opened PDF).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The header version, e.g. `1.7`.
    pub fn header_version(&self) -> &str {
        &self.version
    }

    /// The newest trailer dictionary.
    pub fn trailer(&self) -> &Dict {
        // read_xref_chain guarantees at least one section.
        static EMPTY: std::sync::OnceLock<Dict> = std::sync::OnceLock::new();
        self.sections.first().map(|s| &s.trailer).unwrap_or_else(|| EMPTY.get_or_init(Dict::default))
    }

    /// Cross-reference sections, newest first.
    pub fn sections(&self) -> &[XrefSection] {
        &self.sections
    }

    /// The newest section's kind; an update should use the same kind.
    pub fn last_xref_kind(&self) -> XrefKind {
        self.sections.first().map(|s| s.kind).unwrap_or(XrefKind::Table)
    }

    /// Byte offset of the newest cross-reference section (the update's `/Prev`).
    pub fn last_xref_offset(&self) -> u64 {
        self.sections.first().map(|s| s.offset).unwrap_or(0)
    }

    /// The next free object number (`/Size` of the newest trailer, or higher).
    pub fn next_object_number(&self) -> u32 {
        let size = self.trailer().int(b"Size").unwrap_or(0).max(0) as u64;
        let max_used = self.xref.keys().max().map(|&n| u64::from(n) + 1).unwrap_or(1);
        size.max(max_used).min(u64::from(u32::MAX)) as u32
    }

    /// The newest cross-reference entry for object `num`.
    pub fn xref_entry(&self, num: u32) -> Option<XrefEntry> {
        self.xref.get(&num).copied()
    }

    /// Read bytes `[offset, offset + len)` clipped to the file.
    pub fn read_range(&self, offset: u64, len: usize) -> Result<Vec<u8>, PdfError> {
        if offset >= self.len {
            return Ok(Vec::new());
        }
        let n = (len as u64).min(self.len - offset) as usize;
        if let Some(all) = &self.resident {
            let at = offset as usize;
            return all.get(at..at + n).map(<[u8]>::to_vec).ok_or(PdfError::Truncated);
        }
        let mut buf = vec![0u8; n];
        let mut f = self.file.borrow_mut();
        f.seek(SeekFrom::Start(offset))?;
        f.read_exact(&mut buf)?;
        Ok(buf)
    }

    /// Feed bytes `[offset, offset + len)` to `sink` in pieces (one piece for a file
    /// held in memory, 64 KiB reads otherwise) from the same handle or copy the
    /// objects were parsed from: the bytes fed are the file that was parsed even if
    /// another file is renamed over its path meanwhile. [`PdfError::Truncated`] when
    /// the range runs past the end of the file.
    pub fn stream_range(&self, offset: u64, len: u64, sink: &mut dyn FnMut(&[u8])) -> Result<(), PdfError> {
        let end = offset.checked_add(len).filter(|&e| e <= self.len).ok_or(PdfError::Truncated)?;
        if let Some(all) = &self.resident {
            sink(all.get(offset as usize..end as usize).ok_or(PdfError::Truncated)?);
            return Ok(());
        }
        let mut f = self.file.borrow_mut();
        f.seek(SeekFrom::Start(offset))?;
        let mut buf = vec![0u8; (1usize << 16).min(len as usize)];
        let mut left = len;
        while left > 0 {
            let n = (buf.len() as u64).min(left) as usize;
            let piece = buf.get_mut(..n).ok_or(PdfError::Truncated)?;
            f.read_exact(piece).map_err(|e| if e.kind() == std::io::ErrorKind::UnexpectedEof { PdfError::Truncated } else { e.into() })?;
            sink(piece);
            left -= n as u64;
        }
        Ok(())
    }

    fn read_header(&self) -> Result<String, PdfError> {
        let head = self.read_range(0, 1024)?;
        if !head.starts_with(b"%PDF-") {
            return Err(PdfError::NotPdf);
        }
        let v: String = head[5..].iter().take_while(|b| b.is_ascii_digit() || **b == b'.').map(|&b| b as char).collect();
        if v.is_empty() {
            return Err(PdfError::NotPdf);
        }
        Ok(v)
    }

    fn find_startxref(&self) -> Result<u64, PdfError> {
        let tail_len = 4096u64.min(self.len);
        let tail = self.read_range(self.len - tail_len, tail_len as usize)?;
        let pos = rfind(&tail, b"startxref").ok_or(PdfError::Truncated)?;
        if rfind(&tail[pos..], b"%%EOF").is_none() {
            return Err(PdfError::Truncated);
        }
        let mut c = Cursor::new(&tail, pos + b"startxref".len());
        let off = c.unsigned().map_err(|_| PdfError::Truncated)?;
        if off >= self.len {
            return Err(PdfError::BrokenXref { offset: off, detail: "startxref points past the end".into() });
        }
        Ok(off)
    }

    fn read_xref_chain(&mut self, start: u64) -> Result<(), PdfError> {
        let mut seen = HashSet::new();
        let mut budget = ChainBudget { entries: MAX_XREF_ENTRIES, decoded: MAX_XREF_DECODED };
        let mut next = Some(start);
        while let Some(off) = next {
            if !seen.insert(off) {
                return Err(PdfError::BrokenXref { offset: off, detail: "loop in /Prev chain".into() });
            }
            if seen.len() > MAX_SECTIONS {
                return Err(PdfError::LimitExceeded("number of revisions"));
            }
            let mut section = self.read_section(off, &mut budget)?;
            if section.kind == XrefKind::Table {
                if let Some(stm) = section.trailer.int(b"XRefStm") {
                    // Hybrid-reference file: the stream holds entries the table omits.
                    let stm = u64::try_from(stm).map_err(|_| PdfError::BrokenXref { offset: off, detail: "bad /XRefStm".into() })?;
                    let extra = self.read_xref_stream(stm, &mut budget)?;
                    for (num, e) in extra.entries {
                        match section.entries.get(&num) {
                            Some(XrefEntry::InFile { .. }) | Some(XrefEntry::InStream { .. }) => {}
                            _ => {
                                section.entries.insert(num, e);
                            }
                        }
                    }
                }
            }
            next = match section.trailer.get(b"Prev") {
                Some(Object::Int(p)) => {
                    Some(u64::try_from(*p).map_err(|_| PdfError::BrokenXref { offset: off, detail: "negative /Prev".into() })?)
                }
                None => None,
                Some(_) => return Err(PdfError::BrokenXref { offset: off, detail: "/Prev is not an integer".into() }),
            };
            if let Some(p) = next {
                if p >= self.len {
                    return Err(PdfError::BrokenXref { offset: p, detail: "/Prev points past the end".into() });
                }
            }
            budget.entries = budget.entries.checked_sub(section.entries.len()).ok_or(PdfError::LimitExceeded("cross-reference entries"))?;
            self.sections.push(section);
        }
        // Newest definitions win: apply oldest first.
        for s in self.sections.iter().rev() {
            for (&num, &e) in &s.entries {
                self.xref.insert(num, e);
            }
        }
        self.revisions = group_revisions(&self.sections);
        Ok(())
    }

    fn read_section(&self, off: u64, budget: &mut ChainBudget) -> Result<XrefSection, PdfError> {
        let probe = self.read_range(off, 32)?;
        let mut c = Cursor::new(&probe, 0);
        c.skip_ws();
        if probe[c.pos()..].starts_with(b"xref") {
            self.read_xref_table(off)
        } else if probe.first().is_some_and(|b| b.is_ascii_digit()) {
            self.read_xref_stream(off, budget)
        } else {
            Err(PdfError::BrokenXref { offset: off, detail: "startxref does not point at xref data".into() })
        }
    }

    fn read_xref_table(&self, off: u64) -> Result<XrefSection, PdfError> {
        let mut window = 64 * 1024usize;
        loop {
            let buf = self.read_range(off, window)?;
            match parse_xref_table(&buf) {
                Ok((entries, trailer)) => return Ok(XrefSection { offset: off, kind: XrefKind::Table, trailer, entries }),
                Err(SyntaxError::Eof) if (buf.len() as u64) < self.len - off => {
                    window = window.checked_mul(4).ok_or(PdfError::LimitExceeded("xref table size"))?;
                    if window > 4 * MAX_OBJECT_WINDOW {
                        return Err(PdfError::LimitExceeded("xref table size"));
                    }
                }
                Err(SyntaxError::Eof) => return Err(PdfError::Truncated),
                Err(e) => return Err(PdfError::BrokenXref { offset: off, detail: e.to_string() }),
            }
        }
    }

    fn read_xref_stream(&self, off: u64, budget: &mut ChainBudget) -> Result<XrefSection, PdfError> {
        // No readable object where startxref (or /Prev, /XRefStm) points: usually the
        // offset is wrong (bytes inserted earlier in the file), a broken xref.
        let raw = self.read_object_at(off, None).map_err(|e| match e {
            PdfError::Malformed { detail, .. } => {
                PdfError::BrokenXref { offset: off, detail: format!("no readable xref stream here ({detail})") }
            }
            other => other,
        })?;
        let dict =
            raw.object.as_dict().ok_or_else(|| PdfError::BrokenXref { offset: off, detail: "xref stream is not a dictionary".into() })?;
        if !dict.has_type(b"XRef") {
            return Err(PdfError::BrokenXref { offset: off, detail: "object at startxref is not an xref stream".into() });
        }
        let loc = raw.stream.ok_or_else(|| PdfError::BrokenXref { offset: off, detail: "xref stream has no data".into() })?;
        let data = filters::decode(dict, &self.read_stream_data(loc, filters::MAX_DECODED)?)?;
        budget.decoded = budget.decoded.checked_sub(data.len()).ok_or(PdfError::LimitExceeded("cross-reference stream data"))?;
        let w: Vec<usize> = dict
            .get(b"W")
            .and_then(Object::as_array)
            .map(|a| a.iter().map(|o| o.as_int().and_then(|i| usize::try_from(i).ok())).collect::<Option<Vec<_>>>())
            .unwrap_or(None)
            .filter(|w| w.len() == 3 && w.iter().all(|&x| x <= 8))
            .ok_or_else(|| PdfError::BrokenXref { offset: off, detail: "bad /W in xref stream".into() })?;
        let size = dict
            .int(b"Size")
            .filter(|&s| s >= 0 && (s as u64) <= MAX_OBJECTS)
            .ok_or_else(|| PdfError::BrokenXref { offset: off, detail: "bad /Size in xref stream".into() })?;
        let index: Vec<i64> = match dict.get(b"Index") {
            Some(Object::Array(a)) => a
                .iter()
                .map(Object::as_int)
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| PdfError::BrokenXref { offset: off, detail: "bad /Index".into() })?,
            _ => vec![0, size],
        };
        let row = w[0] + w[1] + w[2];
        if row == 0 {
            return Err(PdfError::BrokenXref { offset: off, detail: "empty /W".into() });
        }
        let mut entries = BTreeMap::new();
        let mut pos = 0usize;
        for pair in index.chunks(2) {
            let (&first, &count) = match pair {
                [a, b] => (a, b),
                _ => return Err(PdfError::BrokenXref { offset: off, detail: "odd /Index".into() }),
            };
            if first < 0 || count < 0 || (first as u64 + count as u64) > MAX_OBJECTS {
                return Err(PdfError::LimitExceeded("objects in xref stream"));
            }
            if entries.len() + count as usize > budget.entries {
                return Err(PdfError::LimitExceeded("cross-reference entries"));
            }
            for i in 0..count {
                let rec = data
                    .get(pos..pos + row)
                    .ok_or_else(|| PdfError::BrokenXref { offset: off, detail: "xref stream data too short".into() })?;
                pos += row;
                let f = |r: &[u8]| r.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b));
                let t = if w[0] == 0 { 1 } else { f(&rec[..w[0]]) };
                let a = f(&rec[w[0]..w[0] + w[1]]);
                let b = f(&rec[w[0] + w[1]..]);
                let num = (first + i) as u32;
                let e = match t {
                    0 => XrefEntry::Free,
                    1 => XrefEntry::InFile { offset: a, gen: u16::try_from(b).unwrap_or(u16::MAX) },
                    2 => XrefEntry::InStream {
                        stream: u32::try_from(a)
                            .map_err(|_| PdfError::BrokenXref { offset: off, detail: "bad object stream number".into() })?,
                        index: u32::try_from(b)
                            .map_err(|_| PdfError::BrokenXref { offset: off, detail: "bad object stream index".into() })?,
                    },
                    _ => continue, // Reserved types are treated as null references.
                };
                entries.insert(num, e);
            }
        }
        Ok(XrefSection { offset: off, kind: XrefKind::Stream, trailer: dict.clone(), entries })
    }

    /// Refuse files whose xref entries do not point at the objects they name.
    fn check_offsets(&self) -> Result<(), PdfError> {
        for (&num, e) in &self.xref {
            if let XrefEntry::InFile { offset, gen } = *e {
                if num == 0 {
                    continue;
                }
                let head = self.read_range(offset, 48)?;
                let mut c = Cursor::new(&head, 0);
                let ok = (|| {
                    let n = c.unsigned().ok()?;
                    let g = c.unsigned().ok()?;
                    let w = c.word().ok()?;
                    (n == u64::from(num) && g == u64::from(gen) && w == b"obj").then_some(())
                })();
                if ok.is_none() {
                    return Err(PdfError::BrokenXref { offset, detail: format!("entry for object {num} does not point at it") });
                }
            }
        }
        Ok(())
    }

    /// Read the stream data at `loc`, refusing more than `max` bytes.
    pub fn read_stream_data(&self, loc: StreamLoc, max: u64) -> Result<Vec<u8>, PdfError> {
        if loc.length > max {
            return Err(PdfError::LimitExceeded("stream length"));
        }
        if loc.offset.checked_add(loc.length).is_none_or(|end| end > self.len) {
            return Err(PdfError::malformed(loc.offset, "stream runs past the end of the file"));
        }
        let data = self.read_range(loc.offset, loc.length as usize)?;
        match (&self.crypt, loc.encrypted_for) {
            (Some(c), Some(id)) => {
                c.decrypt_stream(id, &data).ok_or_else(|| PdfError::malformed(loc.offset, "stream data cannot be decrypted"))
            }
            _ => Ok(data),
        }
    }

    /// Parse the indirect object whose header `N G obj` is at `offset`.
    /// With `expect`, the header must name that object.
    pub fn read_object_at(&self, offset: u64, expect: Option<ObjRef>) -> Result<RawObject, PdfError> {
        self.read_object_at_depth(offset, expect, 0, &self.xref)
    }

    /// The object at `offset`, checked to be `expect`; in a resident file an object
    /// that is not a stream is parsed once (a signature dictionary's long `/Contents`
    /// is looked at by several checks).
    fn read_object_at_depth(&self, offset: u64, expect: Option<ObjRef>, depth: usize, xref: &Xref) -> Result<RawObject, PdfError> {
        if let Some(raw) = self.object_memo.borrow().get(&offset) {
            return match expect {
                Some(e) if e != raw.id => Err(wrong_object(offset, e, raw.id)),
                _ => Ok(raw.clone()),
            };
        }
        let raw = self.parse_object_at(offset, expect, depth, xref)?;
        // Not streams: an indirect `/Length` is resolved through the xref given, which
        // differs between revisions.
        if self.resident.is_some() && raw.stream.is_none() {
            self.object_memo.borrow_mut().insert(offset, raw.clone());
        }
        Ok(raw)
    }

    fn parse_object_at(&self, offset: u64, expect: Option<ObjRef>, depth: usize, xref: &Xref) -> Result<RawObject, PdfError> {
        if depth > 4 {
            return Err(PdfError::LimitExceeded("indirect /Length chain"));
        }
        let mut window = 4096usize;
        loop {
            // A resident file is parsed in place (one pass, however long the object);
            // otherwise a window is read and widened until the object fits.
            let buf: std::borrow::Cow<'_, [u8]> = match &self.resident {
                Some(all) => {
                    let rest = usize::try_from(offset).ok().and_then(|o| all.get(o..)).unwrap_or_default();
                    std::borrow::Cow::Borrowed(&rest[..rest.len().min(MAX_OBJECT_WINDOW)])
                }
                None => std::borrow::Cow::Owned(self.read_range(offset, window)?),
            };
            // An offset past the end (a bad xref entry) reads nothing: that is the whole of it.
            let whole = (buf.len() as u64) >= self.len.saturating_sub(offset);
            match parse_indirect(&buf) {
                Ok((id, object, value_span, after)) => {
                    if let Some(e) = expect {
                        if e != id {
                            return Err(wrong_object(offset, e, id));
                        }
                    }
                    let stream = match after {
                        After::EndObj => None,
                        After::Stream(data_start) => {
                            let dict = object.as_dict().ok_or_else(|| PdfError::malformed(offset, "stream without dictionary"))?;
                            let length = match dict.get(b"Length") {
                                Some(Object::Int(l)) if *l >= 0 => *l as u64,
                                Some(Object::Ref(r)) => {
                                    let r = *r;
                                    match xref.get(&r.num) {
                                        Some(XrefEntry::InFile { offset: lo, .. }) => {
                                            let lo = *lo;
                                            self.read_object_at_depth(lo, Some(r), depth + 1, xref)?
                                                .object
                                                .as_int()
                                                .filter(|l| *l >= 0)
                                                .map(|l| l as u64)
                                                .ok_or_else(|| PdfError::malformed(offset, "bad indirect /Length"))?
                                        }
                                        Some(XrefEntry::InStream { .. }) => {
                                            // depth + 1: the object stream holding the length may be
                                            // this very stream (or lead back to it).
                                            self.get_in_depth(xref, r, depth + 1)?
                                                .object
                                                .as_int()
                                                .filter(|l| *l >= 0)
                                                .map(|l| l as u64)
                                                .ok_or_else(|| PdfError::malformed(offset, "bad indirect /Length"))?
                                        }
                                        _ => return Err(PdfError::malformed(offset, "missing /Length object")),
                                    }
                                }
                                _ => return Err(PdfError::malformed(offset, "stream without valid /Length")),
                            };
                            let data_off = offset + data_start as u64;
                            let encrypted_for = self.crypt.as_ref().filter(|c| c.stream_encrypted(id, dict)).map(|_| id);
                            let loc = StreamLoc { offset: data_off, length, encrypted_for };
                            self.check_endstream(loc)?;
                            Some(loc)
                        }
                    };
                    let mut object = object;
                    if let Some(c) = &self.crypt {
                        c.decrypt_object(id, &mut object);
                    }
                    let source = match buf {
                        std::borrow::Cow::Borrowed(b) => b.get(..value_span.end).unwrap_or(b).to_vec(),
                        std::borrow::Cow::Owned(b) => b,
                    };
                    return Ok(RawObject { id, object, source, value_span, stream });
                }
                Err(SyntaxError::Eof) if !whole && window < MAX_OBJECT_WINDOW => window *= 4,
                Err(SyntaxError::Eof) if !whole => return Err(PdfError::LimitExceeded("object size")),
                Err(SyntaxError::TooDeep) => return Err(PdfError::LimitExceeded("object nesting depth")),
                Err(e) => return Err(PdfError::malformed(offset, e.to_string())),
            }
        }
    }

    fn check_endstream(&self, loc: StreamLoc) -> Result<(), PdfError> {
        let end = loc.offset.checked_add(loc.length).ok_or(PdfError::LimitExceeded("stream length"))?;
        if end > self.len {
            return Err(PdfError::malformed(loc.offset, "stream runs past the end of the file"));
        }
        let tail = self.read_range(end, 32)?;
        let mut c = Cursor::new(&tail, 0);
        c.skip_ws();
        if tail[c.pos()..].starts_with(b"endstream") {
            Ok(())
        } else {
            Err(PdfError::malformed(loc.offset, "stream /Length does not match endstream"))
        }
    }

    /// Read object `r` through the cross-reference data. A free or absent object
    /// reads as `null` (ISO 32000-2 §7.3.10).
    pub fn get(&self, r: ObjRef) -> Result<RawObject, PdfError> {
        self.get_in(&self.xref, r)
    }

    fn get_in(&self, xref: &Xref, r: ObjRef) -> Result<RawObject, PdfError> {
        self.get_in_depth(xref, r, 0)
    }

    /// `depth` counts indirect `/Length` hops, so a stream whose length lives in an
    /// object stream that needs that length first ends in an error, not a stack overflow.
    fn get_in_depth(&self, xref: &Xref, r: ObjRef, depth: usize) -> Result<RawObject, PdfError> {
        match xref.get(&r.num).copied() {
            Some(XrefEntry::InFile { offset, gen }) if gen == r.gen => self.read_object_at_depth(offset, Some(r), depth, xref),
            Some(XrefEntry::InStream { stream, index }) if r.gen == 0 => self.read_from_objstm(xref, r.num, stream, index, depth),
            _ => Ok(RawObject { id: r, object: Object::Null, source: b"null".to_vec(), value_span: 0..4, stream: None }),
        }
    }

    fn read_from_objstm(&self, xref: &Xref, num: u32, stream: u32, index: u32, depth: usize) -> Result<RawObject, PdfError> {
        let stm = self.objstm(xref, stream, depth)?;
        let &(n, start) =
            stm.offsets.get(index as usize).ok_or_else(|| PdfError::malformed(0, format!("object {num} not in object stream {stream}")))?;
        if n != num {
            return Err(PdfError::BrokenXref { offset: 0, detail: format!("object stream {stream} index {index} holds {n}, not {num}") });
        }
        let end = stm.offsets.get(index as usize + 1).map(|&(_, s)| s).unwrap_or(stm.data.len());
        let slice = stm.data.get(start..end.max(start)).ok_or_else(|| PdfError::malformed(0, "bad object stream offsets"))?;
        let mut source = slice.to_vec();
        source.push(b' ');
        let mut c = Cursor::new(&source, 0);
        c.skip_ws();
        let vstart = c.pos();
        let object = c.object().map_err(|e| match e {
            SyntaxError::TooDeep => PdfError::LimitExceeded("object nesting depth"),
            e => PdfError::malformed(0, format!("in object stream {stream}: {e}")),
        })?;
        let value_span = vstart..c.pos();
        Ok(RawObject { id: ObjRef::new(num, 0), object, source, value_span, stream: None })
    }

    fn objstm(&self, xref: &Xref, stream: u32, depth: usize) -> Result<std::rc::Rc<ObjStm>, PdfError> {
        let (at, gen) = match xref.get(&stream) {
            Some(XrefEntry::InFile { offset, gen }) => (*offset, *gen),
            _ => return Err(PdfError::malformed(0, format!("object stream {stream} is not in the file"))),
        };
        if let Some((_, s)) = self.objstm_cache.borrow().iter().find(|(o, _)| *o == at) {
            return Ok(s.clone());
        }
        let raw = self.read_object_at_depth(at, Some(ObjRef::new(stream, gen)), depth, xref)?;
        let dict = raw.object.as_dict().ok_or_else(|| PdfError::malformed(0, "object stream is not a stream"))?;
        let loc = raw.stream.ok_or_else(|| PdfError::malformed(0, "object stream has no data"))?;
        let n = dict
            .int(b"N")
            .filter(|&n| (0..=1_000_000).contains(&n))
            .ok_or_else(|| PdfError::malformed(loc.offset, "bad /N in object stream"))? as usize;
        let first =
            dict.int(b"First").filter(|&f| f >= 0).ok_or_else(|| PdfError::malformed(loc.offset, "bad /First in object stream"))? as usize;
        if self.objstm_decoded.get() >= MAX_OBJSTM_DECODED {
            return Err(PdfError::LimitExceeded("decoded object stream data"));
        }
        let mut data = filters::decode(dict, &self.read_stream_data(loc, filters::MAX_DECODED)?)?;
        data.shrink_to_fit();
        self.objstm_decoded.set(self.objstm_decoded.get().saturating_add(data.len()));
        let mut header = data.get(..first).ok_or_else(|| PdfError::malformed(loc.offset, "/First past the data"))?.to_vec();
        header.push(b' ');
        let mut c = Cursor::new(&header, 0);
        let mut offsets = Vec::with_capacity(n);
        for _ in 0..n {
            let num = c.unsigned().map_err(|_| PdfError::malformed(loc.offset, "bad object stream header"))?;
            let rel = c.unsigned().map_err(|_| PdfError::malformed(loc.offset, "bad object stream header"))?;
            let num = u32::try_from(num).map_err(|_| PdfError::malformed(loc.offset, "bad object number"))?;
            let abs = first
                .checked_add(rel as usize)
                .filter(|&a| a <= data.len())
                .ok_or_else(|| PdfError::malformed(loc.offset, "object offset past the data"))?;
            offsets.push((num, abs));
        }
        let stm = std::rc::Rc::new(ObjStm { data, offsets });
        let mut cache = self.objstm_cache.borrow_mut();
        if cache.len() >= OBJSTM_CACHE {
            cache.remove(0);
        }
        while !cache.is_empty() && cache.iter().map(|(_, s)| s.data.len()).sum::<usize>() + stm.data.len() > OBJSTM_CACHE_BYTES {
            cache.remove(0);
        }
        cache.push((at, stm.clone()));
        Ok(stm)
    }
}

/// Anything objects can be read from: the whole file (newest revision) or one
/// earlier revision. Walking helpers are shared by both.
pub trait ObjectSource {
    /// Read object `r`; a free or absent object reads as `null`.
    fn get(&self, r: ObjRef) -> Result<RawObject, PdfError>;
    /// The trailer dictionary in force.
    fn trailer(&self) -> &Dict;

    /// Resolve `obj` if it is a reference (one level), else return it cloned.
    fn resolve(&self, obj: &Object) -> Result<Object, PdfError> {
        match obj {
            Object::Ref(r) => Ok(self.get(*r)?.object),
            o => Ok(o.clone()),
        }
    }

    /// The document catalog (`/Root`).
    fn catalog(&self) -> Result<RawObject, PdfError> {
        let r = self.trailer().reference(b"Root").ok_or_else(|| PdfError::Missing("/Root".into()))?;
        let raw = self.get(r)?;
        if raw.object.as_dict().is_none() {
            return Err(PdfError::Missing("document catalog".into()));
        }
        Ok(raw)
    }

    /// References of all pages, in order, walking the page tree with loop and size guards.
    fn page_refs(&self) -> Result<Vec<ObjRef>, PdfError> {
        let cat = self.catalog()?;
        let root = cat.object.as_dict().and_then(|d| d.reference(b"Pages")).ok_or_else(|| PdfError::Missing("/Pages".into()))?;
        let mut pages = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![(root, 0usize)];
        while let Some((node, depth)) = stack.pop() {
            if !seen.insert(node) || depth > 64 {
                return Err(PdfError::malformed(0, "loop in the page tree"));
            }
            if seen.len() > MAX_PAGE_NODES {
                return Err(PdfError::LimitExceeded("page tree size"));
            }
            let obj = self.get(node)?.object;
            let d = obj.as_dict().ok_or_else(|| PdfError::malformed(0, format!("page tree node {node} is not a dictionary")))?;
            match d.get(b"Kids") {
                Some(kids) if !d.has_type(b"Page") => {
                    let kids = self.resolve(kids)?;
                    let kids = kids.as_array().ok_or_else(|| PdfError::malformed(0, "/Kids is not an array"))?;
                    for k in kids.iter().rev() {
                        let r = k.as_ref().ok_or_else(|| PdfError::malformed(0, "/Kids holds a direct object"))?;
                        stack.push((r, depth + 1));
                    }
                }
                _ => pages.push(node),
            }
        }
        if pages.is_empty() {
            return Err(PdfError::Missing("pages".into()));
        }
        Ok(pages)
    }
}

impl ObjectSource for PdfFile {
    fn get(&self, r: ObjRef) -> Result<RawObject, PdfError> {
        PdfFile::get(self, r)
    }
    fn trailer(&self) -> &Dict {
        PdfFile::trailer(self)
    }
}

/// The document as it was at the end of one revision (an incremental update):
/// objects resolve through that revision's and older cross-reference sections only.
pub struct RevisionView<'a> {
    pdf: &'a PdfFile,
    index: usize,
    xref: Xref,
}

impl RevisionView<'_> {
    /// Revision number, 0 for the original document.
    pub fn index(&self) -> usize {
        self.index
    }
    /// The cross-reference entries in force at this revision.
    pub fn xref(&self) -> &Xref {
        &self.xref
    }
}

impl ObjectSource for RevisionView<'_> {
    fn get(&self, r: ObjRef) -> Result<RawObject, PdfError> {
        self.pdf.get_in(&self.xref, r)
    }
    fn trailer(&self) -> &Dict {
        match self.pdf.revisions.get(self.index) {
            Some(r) => &r.trailer,
            None => self.pdf.trailer(),
        }
    }
}

impl PdfFile {
    /// Number of revisions (cross-reference sections); revision 0 is the original.
    pub fn revision_count(&self) -> usize {
        self.revisions.len()
    }

    /// The cross-reference section of revision `index` (0 = oldest).
    /// Its `entries` are every object that revision wrote or freed.
    pub fn revision_section(&self, index: usize) -> Option<&XrefSection> {
        self.revisions.get(index)
    }

    /// The document as of revision `index` (0 = oldest), or `None` if out of range.
    pub fn revision(&self, index: usize) -> Option<RevisionView<'_>> {
        if index >= self.revisions.len() {
            return None;
        }
        let mut xref = Xref::new();
        for s in &self.revisions[..=index] {
            for (&num, &e) in &s.entries {
                xref.insert(num, e);
            }
        }
        Some(RevisionView { pdf: self, index, xref })
    }

    /// Byte offset just past the `%%EOF` line that closes revision `index`, found by
    /// scanning forward from its cross-reference section (bounded).
    pub fn revision_end(&self, index: usize) -> Result<Option<u64>, PdfError> {
        if index >= self.revisions.len() {
            return Ok(None);
        }
        if let Some(ends) = self.revision_ends.borrow().as_ref() {
            return Ok(ends.get(index).copied().flatten());
        }
        // All revisions at once, in file order, each scan starting where the last one's
        // %%EOF was found: a revision whose section lies before that %%EOF ends there too.
        // So the file is scanned once, however many revisions (or callers) ask.
        let mut order: Vec<usize> = (0..self.revisions.len()).collect();
        order.sort_by_key(|&k| self.revisions[k].offset);
        let mut ends = vec![None; self.revisions.len()];
        let mut last: Option<Option<(u64, u64)>> = None;
        for k in order {
            let from = self.revisions[k].offset;
            let found = match last {
                Some(None) => None,
                Some(Some((eof_at, end))) if eof_at >= from => Some((eof_at, end)),
                _ => self.scan_eof(from)?,
            };
            ends[k] = found.map(|(_, end)| end);
            last = Some(found);
        }
        let end = ends.get(index).copied().flatten();
        *self.revision_ends.borrow_mut() = Some(ends);
        Ok(end)
    }

    /// The first `%%EOF` at or after `from`: its offset and the offset just past its line.
    fn scan_eof(&self, from: u64) -> Result<Option<(u64, u64)>, PdfError> {
        // The xref data itself may be long; look for startxref … %%EOF after it.
        let mut from = from;
        loop {
            let chunk = self.read_range(from, 1 << 16)?;
            if chunk.is_empty() {
                return Ok(None);
            }
            if let Some(p) = find(&chunk, b"%%EOF") {
                let mut end = from + p as u64 + 5;
                let after = self.read_range(end, 2)?;
                if after.first() == Some(&b'\r') {
                    end += 1;
                    if after.get(1) == Some(&b'\n') {
                        end += 1;
                    }
                } else if after.first() == Some(&b'\n') {
                    end += 1;
                }
                return Ok(Some((from + p as u64, end)));
            }
            if chunk.len() < 1 << 16 {
                return Ok(None);
            }
            from += (chunk.len() - 8) as u64;
        }
    }

    /// Absolute file offset of an indirect object's header, if it is stored directly in the file.
    pub fn object_offset(&self, r: ObjRef) -> Option<u64> {
        match self.xref.get(&r.num) {
            Some(XrefEntry::InFile { offset, gen }) if *gen == r.gen => Some(*offset),
            _ => None,
        }
    }
}

/// Group sections (given newest first) into revisions, oldest first. A section
/// that lies physically before the older section it points to with `/Prev` cannot
/// be an incremental update: it is a linearized file's first-page section and
/// belongs to the same revision. Within a revision, newer sections win.
fn group_revisions(sections: &[XrefSection]) -> Vec<XrefSection> {
    let mut out: Vec<XrefSection> = Vec::new();
    let mut prev_offset: Option<u64> = None;
    for s in sections.iter().rev() {
        let joins = prev_offset.is_some_and(|p| s.offset < p);
        match out.last_mut() {
            Some(rev) if joins => {
                for (&num, &e) in &s.entries {
                    rev.entries.insert(num, e);
                }
                rev.trailer = s.trailer.clone();
                // `offset` stays at the physically last section, where the revision ends.
            }
            _ => out.push(s.clone()),
        }
        prev_offset = Some(prev_offset.map_or(s.offset, |p| p.max(s.offset)));
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

enum After {
    EndObj,
    /// Offset (in the window) of the first stream data byte.
    Stream(usize),
}

fn parse_indirect(buf: &[u8]) -> Result<(ObjRef, Object, Range<usize>, After), SyntaxError> {
    let mut c = Cursor::new(buf, 0);
    let num = c.unsigned()?;
    let gen = c.unsigned()?;
    c.expect_keyword(b"obj")?;
    let id = ObjRef::new(
        u32::try_from(num).map_err(|_| SyntaxError::Invalid { at: 0, what: "object number too large" })?,
        u16::try_from(gen).map_err(|_| SyntaxError::Invalid { at: 0, what: "generation too large" })?,
    );
    c.skip_ws();
    let vstart = c.pos();
    let object = c.object()?;
    let vend = c.pos();
    let kw_at = {
        let mut k = c.clone();
        k.skip_ws();
        k.pos()
    };
    let kw = c.word()?;
    match kw {
        b"endobj" => Ok((id, object, vstart..vend, After::EndObj)),
        b"stream" => {
            // The keyword is followed by CRLF or LF (ISO 32000-2 §7.3.8.1).
            let p = c.pos();
            let data = match (buf.get(p), buf.get(p + 1)) {
                (Some(b'\r'), Some(b'\n')) => p + 2,
                (Some(b'\n'), _) => p + 1,
                (Some(b'\r'), None) | (None, _) => return Err(SyntaxError::Eof),
                _ => return Err(SyntaxError::Invalid { at: kw_at, what: "stream keyword not followed by EOL" }),
            };
            Ok((id, object, vstart..vend, After::Stream(data)))
        }
        _ => Err(SyntaxError::Invalid { at: kw_at, what: "expected endobj or stream" }),
    }
}

fn parse_xref_table(buf: &[u8]) -> Result<(BTreeMap<u32, XrefEntry>, Dict), SyntaxError> {
    let mut c = Cursor::new(buf, 0);
    c.expect_keyword(b"xref")?;
    let mut entries = BTreeMap::new();
    loop {
        let save = c.pos();
        let w = c.word()?;
        if w == b"trailer" {
            break;
        }
        c.seek(save);
        let first = c.unsigned()?;
        let count = c.unsigned()?;
        if first.saturating_add(count) > MAX_OBJECTS {
            return Err(SyntaxError::Invalid { at: save, what: "too many objects" });
        }
        for i in 0..count {
            let at = c.pos();
            let off = c.unsigned()?;
            let gen = c.unsigned()?;
            let kind = c.word()?;
            let num = (first + i) as u32;
            let e = match kind {
                b"n" => XrefEntry::InFile {
                    offset: off,
                    gen: u16::try_from(gen).map_err(|_| SyntaxError::Invalid { at, what: "bad generation" })?,
                },
                b"f" => XrefEntry::Free,
                _ => return Err(SyntaxError::Invalid { at, what: "bad xref entry type" }),
            };
            entries.insert(num, e);
        }
    }
    let trailer = c.dict()?;
    Ok((entries, trailer))
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).rev().find(|&i| &hay[i..i + needle.len()] == needle)
}
