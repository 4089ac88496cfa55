//! An incremental update (ISO 32000-2 §7.5.6): new objects and new versions of
//! earlier objects appended after the input's last byte, with a cross-reference
//! section of the same kind as the input's newest one and `/Prev` pointing back.
//!
//! Earlier objects are never re-serialised: [`Splice`] copies their original bytes
//! and inserts or replaces only the values that change, so numbers keep their
//! exact digits and earlier signatures' difference analysis sees no other change.

use std::collections::BTreeMap;
use std::io::Write;
use std::ops::Range;

use super::object::{Dict, ObjRef, Object};
use super::reader::{PdfFile, RawObject, XrefKind};
use super::PdfError;

/// Byte-level edits over the original bytes of one object's value.
pub struct Splice<'a> {
    source: &'a [u8],
    span: Range<usize>,
    edits: Vec<(Range<usize>, Vec<u8>)>,
}

impl<'a> Splice<'a> {
    /// Start editing `raw`'s value.
    pub fn new(raw: &'a RawObject) -> Self {
        Splice { source: &raw.source, span: raw.value_span.clone(), edits: Vec::new() }
    }

    /// Set `/key` in `dict` (which must lie inside this object) to the serialised
    /// `value`: the old value's bytes are replaced, or the entry is inserted right
    /// after `<<`.
    pub fn set(&mut self, dict: &Dict, key: &[u8], value: &[u8]) {
        match dict.entry(key) {
            Some(e) => self.edits.push((e.value_span.clone(), value.to_vec())),
            None => {
                let at = dict.span.start + 2;
                let mut ins = Vec::with_capacity(key.len() + value.len() + 3);
                ins.push(b'/');
                ins.extend_from_slice(key);
                ins.push(b' ');
                ins.extend_from_slice(value);
                ins.push(b' ');
                self.edits.push((at..at, ins));
            }
        }
    }

    /// Append `item` to the array whose value span is `array_span` (ending in `]`).
    pub fn append_to_array(&mut self, array_span: &Range<usize>, item: &[u8]) -> Result<(), PdfError> {
        if self.source.get(array_span.end.wrapping_sub(1)) != Some(&b']') {
            return Err(PdfError::malformed(0, "expected an array"));
        }
        let at = array_span.end - 1;
        let mut ins = vec![b' '];
        ins.extend_from_slice(item);
        ins.push(b' ');
        self.edits.push((at..at, ins));
        Ok(())
    }

    /// The edited bytes of the value.
    pub fn finish(mut self) -> Result<Vec<u8>, PdfError> {
        self.edits.sort_by_key(|(r, _)| (r.start, r.end));
        let mut out = Vec::with_capacity(self.span.len() + 64);
        let mut pos = self.span.start;
        for (r, bytes) in &self.edits {
            if r.start < pos || r.end > self.span.end || r.start > r.end {
                return Err(PdfError::malformed(0, "overlapping edits to one object"));
            }
            out.extend_from_slice(self.source.get(pos..r.start).unwrap_or_default());
            out.extend_from_slice(bytes);
            pos = r.end;
        }
        out.extend_from_slice(self.source.get(pos..self.span.end).unwrap_or_default());
        Ok(out)
    }
}

/// The appended bytes of an update, with where each object landed.
pub struct UpdateBytes {
    /// Everything to append after the input's last byte.
    pub bytes: Vec<u8>,
    /// For each written object, the offset of its value's first byte in `bytes`.
    pub value_offsets: BTreeMap<ObjRef, usize>,
}

/// An incremental update being assembled.
pub struct IncrementalUpdate<'a> {
    pdf: &'a PdfFile,
    next_num: u32,
    objects: BTreeMap<ObjRef, Vec<u8>>,
}

impl<'a> IncrementalUpdate<'a> {
    /// An empty update on top of `pdf`.
    pub fn new(pdf: &'a PdfFile) -> Self {
        IncrementalUpdate { pdf, next_num: pdf.next_object_number(), objects: BTreeMap::new() }
    }

    /// Reserve a new object number (generation 0).
    pub fn reserve(&mut self) -> ObjRef {
        let r = ObjRef::new(self.next_num, 0);
        self.next_num = self.next_num.saturating_add(1);
        r
    }

    /// Set the serialised value of object `r` (new, or a new version of an old one).
    pub fn put(&mut self, r: ObjRef, value: Vec<u8>) {
        self.objects.insert(r, value);
    }

    /// Serialise the objects, the cross-reference section and the trailer.
    pub fn finish(self) -> Result<UpdateBytes, PdfError> {
        let input_len = self.pdf.len();
        let mut out = Vec::new();
        let last = self.pdf.read_range(input_len.saturating_sub(1), 1)?;
        if !matches!(last.first(), Some(b'\n') | Some(b'\r')) {
            out.push(b'\n');
        }
        let mut offsets: BTreeMap<u32, (u16, u64)> = BTreeMap::new();
        let mut value_offsets = BTreeMap::new();
        for (r, body) in &self.objects {
            offsets.insert(r.num, (r.gen, input_len + out.len() as u64));
            writeln!(out, "{} {} obj", r.num, r.gen)?;
            value_offsets.insert(*r, out.len());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let trailer = self.pdf.trailer();
        let root = trailer.get(b"Root").cloned();
        let info = trailer.get(b"Info").cloned();
        let id = new_id(trailer);
        let prev = self.pdf.last_xref_offset();
        let mut extra = Vec::new();
        if let Some(Object::Ref(r)) = root {
            write!(extra, "/Root {} {} R ", r.num, r.gen)?;
        } else {
            return Err(PdfError::Missing("/Root".into()));
        }
        if let Some(Object::Ref(r)) = info {
            write!(extra, "/Info {} {} R ", r.num, r.gen)?;
        }
        write!(extra, "/ID [<{}> <{}>] /Prev {} ", hex::encode_upper(&id.0), hex::encode_upper(&id.1), prev)?;

        match self.pdf.last_xref_kind() {
            XrefKind::Table => {
                let size = self.next_num;
                let xref_off = input_len + out.len() as u64;
                out.extend_from_slice(b"xref\n");
                for run in runs(&offsets) {
                    writeln!(out, "{} {}", run[0].0, run.len())?;
                    for (_, (gen, off)) in run {
                        write!(out, "{:010} {:05} n\r\n", off, gen)?;
                    }
                }
                write!(out, "trailer\n<< /Size {} ", size)?;
                out.extend_from_slice(&extra);
                write!(out, ">>\nstartxref\n{}\n%%EOF\n", xref_off)?;
            }
            XrefKind::Stream => {
                let xr = ObjRef::new(self.next_num, 0);
                let size = self.next_num.saturating_add(1);
                let xref_off = input_len + out.len() as u64;
                offsets.insert(xr.num, (0, xref_off));
                let max_off = offsets.values().map(|(_, o)| *o).max().unwrap_or(0);
                let w2 = if max_off > u64::from(u32::MAX) { 8 } else { 4 };
                let mut data = Vec::new();
                let mut index = String::new();
                for run in runs(&offsets) {
                    index.push_str(&format!("{} {} ", run[0].0, run.len()));
                    for (_, (gen, off)) in run {
                        data.push(1u8);
                        data.extend_from_slice(&off.to_be_bytes()[8 - w2..]);
                        data.extend_from_slice(&gen.to_be_bytes());
                    }
                }
                write!(out, "{} 0 obj\n<< /Type /XRef /Size {} /W [1 {} 2] /Index [{}] ", xr.num, size, w2, index.trim_end())?;
                out.extend_from_slice(&extra);
                write!(out, "/Length {} >>\nstream\n", data.len())?;
                out.extend_from_slice(&data);
                write!(out, "\nendstream\nendobj\nstartxref\n{}\n%%EOF\n", xref_off)?;
            }
        }
        Ok(UpdateBytes { bytes: out, value_offsets })
    }
}

/// Group consecutive object numbers into xref subsections.
fn runs(offsets: &BTreeMap<u32, (u16, u64)>) -> Vec<Vec<(u32, (u16, u64))>> {
    let mut runs: Vec<Vec<(u32, (u16, u64))>> = Vec::new();
    for (&num, &v) in offsets {
        match runs.last_mut() {
            Some(run) if run.last().is_some_and(|(n, _)| n + 1 == num) => run.push((num, v)),
            _ => runs.push(vec![(num, v)]),
        }
    }
    runs
}

/// The file identifier for the update: the permanent part kept, a new changing part.
fn new_id(trailer: &Dict) -> (Vec<u8>, Vec<u8>) {
    let mut changing = [0u8; 16];
    // A random changing identifier; if the OS RNG fails, a time-derived one will do.
    if rand_core::RngCore::try_fill_bytes(&mut rand_core::OsRng, &mut changing).is_err() {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        changing.copy_from_slice(&t.to_be_bytes());
    }
    let permanent = match trailer.get(b"ID").and_then(Object::as_array) {
        Some([Object::String(a), _]) if !a.is_empty() => a.clone(),
        _ => changing.to_vec(),
    };
    (permanent, changing.to_vec())
}

impl From<std::fmt::Error> for PdfError {
    fn from(_: std::fmt::Error) -> Self {
        PdfError::malformed(0, "formatting failed")
    }
}
