//! The staged signing pipeline (like pyHanko's `PdfSigner` → `PdfTBSDocument` →
//! `PdfPostSignatureDocument`), as consuming typestates:
//!
//! [`Prepared`] (update built, `/ByteRange` fixed) → [`Digested`] (input copied to a
//! temporary file beside the output and hashed in one streaming pass) →
//! [`Signed`] (CMS made by a [`Signer`]) → [`SignOutcome`] (signature embedded,
//! file synced and renamed into place).
//!
//! The input is only ever opened for reading. Until the final rename nothing
//! exists at the output path; any error drops the temporary file.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::atomic::{AtomicFile, Mode};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::cms::builder::{embedded_chain, max_cms_len, sign_digest};
use crate::cms::CmsError;
use crate::error::{Error, OutputError};
use crate::pdf::sigfield::{self, PreparedUpdate, SignatureSpec, WidgetSpec};
use crate::pdf::{PdfError, PdfFile};
use crate::signer::Signer;

/// Bytes reserved in `/Contents` beyond the largest CMS the signer can make.
const CONTENTS_SLACK: usize = 64;
/// Copy buffer size for the streaming hash.
const COPY_BUF: usize = 1 << 20;

/// What to sign and where to put the result.
#[derive(Debug)]
pub struct SignRequest {
    /// The PDF to sign (never modified).
    pub input: PathBuf,
    /// Where to write the signed PDF.
    pub output: PathBuf,
    /// Overwrite an existing output.
    pub force: bool,
    /// Field name; `None` picks a free `SignatureN`.
    pub field_name: Option<String>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/Name`; `None` uses the certificate's common name.
    pub name: Option<String>,
    /// Claimed signing time; `None` means now. A stamp that prints the time must
    /// use the same instant as `/M`.
    pub signing_time: Option<time::OffsetDateTime>,
    /// The signature field's widgets: the stamp first, then any extra widgets
    /// (the clerk's number and date). Empty means one invisible widget on page 1.
    pub widgets: Vec<WidgetSpec>,
    /// Bytes reserved in `/Contents` for a signature time-stamp token added after
    /// signing ([`Signed::add_timestamp`]); 0 for none.
    pub timestamp_reserve: usize,
}

impl SignRequest {
    /// An invisible signature of `input` into `output` on page 1.
    pub fn new(input: impl Into<PathBuf>, output: impl Into<PathBuf>) -> Self {
        SignRequest {
            input: input.into(),
            output: output.into(),
            force: false,
            field_name: None,
            reason: None,
            location: None,
            name: None,
            signing_time: None,
            widgets: Vec::new(),
            timestamp_reserve: 0,
        }
    }
}

/// The result of a successful signature.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignOutcome {
    /// The signed file.
    pub output: PathBuf,
    /// The signature field's name.
    pub field_name: String,
    /// `/ByteRange` as written.
    pub byte_range: [u64; 4],
    /// SHA-256 of the signed byte ranges (hex).
    pub document_digest: String,
    /// Bytes of the CMS signature and of the space reserved for it.
    pub cms_len: usize,
    /// Size of the output file.
    pub output_len: u64,
    /// Claimed signing time, ISO 8601 in Vietnam time.
    pub signing_time: String,
}

/// Stage 1: the update is built and its `/ByteRange` fixed; nothing written yet.
pub struct Prepared {
    request: SignRequest,
    pdf: PdfFile,
    update: PreparedUpdate,
    ranges: [(u64, u64); 2],
    capacity: usize,
    chain: Vec<x509_cert::Certificate>,
    signing_time: time::OffsetDateTime,
}

/// Stage 2: input and update copied to a temporary file; digest computed.
pub struct Digested {
    prepared: Prepared,
    temp: AtomicFile,
    digest: [u8; 32],
}

/// Stage 3: the CMS is made; it only needs embedding.
pub struct Signed {
    digested: Digested,
    cms: Vec<u8>,
}

/// Check the input and output paths before any work: the output may not be the
/// input, nor exist unless `force`, and its folder must accept a new file (a
/// temporary `.kyso-*.pdf.part` is created there and removed at once).
pub fn check_paths(input: &Path, output: &Path, force: bool) -> Result<(), Error> {
    let read_err = |e| OutputError::ReadInput { path: input.to_owned(), source: e };
    crate::input::check_regular(input).map_err(read_err)?;
    // The output is the input when both names lead to one file (a link, `.\`, another
    // spelling or case on Windows). Compared by file identity, which also works where no
    // canonical name can be made (some Windows network and RAM drives). An output that
    // cannot be opened is not the input, which was just found readable (and if the input
    // itself cannot be opened now, reading it fails next).
    if output.exists() && same_file::is_same_file(input, output).unwrap_or(false) {
        return Err(OutputError::OutputIsInput(output.to_owned()).into());
    }
    if !force && output.exists() {
        return Err(OutputError::OutputExists(output.to_owned()).into());
    }
    // The output's folder must take a new file (it exists, is a folder, is writable):
    // found now, before any token is asked for a PIN, not when the signature is written.
    let dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    tempfile::Builder::new()
        .prefix(".kyso-")
        .suffix(".pdf.part")
        .tempfile_in(dir)
        .map_err(|e| OutputError::WriteOutput { path: output.to_owned(), source: e })?;
    Ok(())
}

impl Prepared {
    /// Read the input's structure and build the update for `signer`'s signature.
    pub fn new(mut request: SignRequest, signer: &dyn Signer) -> Result<Self, Error> {
        check_paths(&request.input, &request.output, request.force)?;
        let file =
            crate::input::open_regular(&request.input).map_err(|e| OutputError::ReadInput { path: request.input.clone(), source: e })?;
        let pdf = PdfFile::from_file(file)?;
        let chain = embedded_chain(signer);
        let capacity = max_cms_len(signer, &chain)? + CONTENTS_SLACK + request.timestamp_reserve;
        let signing_time = request.signing_time.unwrap_or_else(crate::time::now_vietnam);
        let name = request.name.clone().or_else(|| common_name(signer.certificate()));
        let mut widgets = std::mem::take(&mut request.widgets);
        if widgets.is_empty() {
            widgets.push(WidgetSpec::invisible(0));
        }
        let spec = SignatureSpec {
            field_name: request.field_name.clone(),
            name,
            reason: request.reason.clone(),
            location: request.location.clone(),
            signing_time,
            widgets,
            contents_capacity: capacity,
            document_timestamp: false,
        };
        let mut update = sigfield::prepare(&pdf, &spec)?;
        let ranges = update.fix_byte_range(pdf.len())?;
        Ok(Prepared { request, pdf, update, ranges, capacity, chain, signing_time })
    }

    /// Copy the input and the update into a temporary file next to the output
    /// (with the input's permission bits), hashing the signed ranges as they stream past.
    pub fn digest(self) -> Result<Digested, Error> {
        let out = &self.request.output;
        let werr = |e: std::io::Error| Error::from(OutputError::WriteOutput { path: out.clone(), source: e });
        let mode = if self.request.force { Mode::Replace } else { Mode::NoClobber };
        let mut temp = AtomicFile::create(out, mode).map_err(werr)?;
        temp.keep_permissions_of(&self.request.input)
            .map_err(|e| OutputError::ReadInput { path: self.request.input.clone(), source: e })?;
        let mut hasher = Sha256::new();
        {
            let mut input =
                File::open(&self.request.input).map_err(|e| OutputError::ReadInput { path: self.request.input.clone(), source: e })?;
            let mut w = BufWriter::with_capacity(COPY_BUF, &*temp.file());
            let mut buf = vec![0u8; COPY_BUF];
            let mut copied = 0u64;
            loop {
                let n = input.read(&mut buf).map_err(|e| OutputError::ReadInput { path: self.request.input.clone(), source: e })?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
                w.write_all(&buf[..n]).map_err(werr)?;
                copied += n as u64;
            }
            if copied != self.pdf.len() {
                return Err(PdfError::malformed(0, "the input changed while it was being signed").into());
            }
            let tail = &self.update.tail;
            let c = &self.update.contents;
            hasher.update(&tail[..c.start]);
            hasher.update(&tail[c.end..]);
            w.write_all(tail).map_err(werr)?;
            w.flush().map_err(werr)?;
        }
        let digest: [u8; 32] = hasher.finalize().into();
        Ok(Digested { prepared: self, temp, digest })
    }
}

impl Digested {
    /// SHA-256 of the signed byte ranges.
    pub fn document_digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// Make the CMS with `signer` (this is where a token is used).
    pub fn sign(self, signer: &dyn Signer) -> Result<Signed, Error> {
        let cms = sign_digest(&self.digest, signer, &self.prepared.chain)?;
        if cms.len() > self.prepared.capacity {
            return Err(CmsError::TooLarge { needed: cms.len(), reserved: self.prepared.capacity }.into());
        }
        Ok(Signed { digested: self, cms })
    }
}

impl Signed {
    /// The SignerInfo's signature value (what a signature time-stamp is over).
    pub fn signature_value(&self) -> Result<Vec<u8>, Error> {
        crate::longterm::signature_value(&self.cms).map_err(|e| CmsError::Der(e).into())
    }

    /// Bytes of `/Contents` still free after the CMS.
    pub fn room(&self) -> usize {
        self.digested.prepared.capacity.saturating_sub(self.cms.len())
    }

    /// Add the signature time-stamp `token` (checked by the caller) to the CMS as
    /// an unsigned attribute; it must fit the space reserved.
    pub fn add_timestamp(mut self, token: &[u8]) -> Result<Signed, Error> {
        let cms = crate::longterm::add_signature_timestamp(&self.cms, token).map_err(CmsError::Der)?;
        if cms.len() > self.digested.prepared.capacity {
            return Err(CmsError::TooLarge { needed: cms.len(), reserved: self.digested.prepared.capacity }.into());
        }
        self.cms = cms;
        Ok(self)
    }

    /// Write the CMS into `/Contents`, then sync and rename into place ([`crate::atomic`]).
    pub fn embed(self) -> Result<SignOutcome, Error> {
        self.embed_uncommitted()?.commit()
    }

    /// Write the CMS into `/Contents` of the temporary file, which stays where it
    /// is: later updates (validation data, a document time-stamp) are appended
    /// before [`Embedded::commit`] puts the whole into place.
    pub fn embed_uncommitted(self) -> Result<Embedded, Error> {
        let Digested { prepared, mut temp, digest } = self.digested;
        let out = prepared.request.output.clone();
        let werr = |e: std::io::Error| Error::from(OutputError::WriteOutput { path: out.clone(), source: e });
        let contents_at = prepared.ranges[0].1 + 1;
        let hex = hex::encode_upper(&self.cms);
        {
            let f = temp.file();
            f.seek(SeekFrom::Start(contents_at)).map_err(werr)?;
            f.write_all(hex.as_bytes()).map_err(werr)?;
            f.flush().map_err(werr)?;
        }
        let output_len = prepared.ranges[1].1;
        let [(a0, a1), (b0, b1)] = prepared.ranges;
        let outcome = SignOutcome {
            output: out,
            field_name: prepared.update.field_name.clone(),
            byte_range: [a0, a1, b0, b1 - b0],
            document_digest: hex::encode(digest),
            cms_len: self.cms.len(),
            output_len,
            signing_time: crate::time::iso8601(prepared.signing_time),
        };
        Ok(Embedded { temp, outcome })
    }
}

/// Stage 4b: the signature is written into the temporary file, not yet in place.
pub struct Embedded {
    temp: AtomicFile,
    outcome: SignOutcome,
}

impl Embedded {
    /// The temporary file (a complete signed PDF so far).
    pub fn temp_path(&self) -> &Path {
        self.temp.temp_path()
    }

    /// The signature as written.
    pub fn outcome(&self) -> &SignOutcome {
        &self.outcome
    }

    /// The temporary file, for the updates appended after the signature.
    pub fn file_mut(&mut self) -> &mut AtomicFile {
        &mut self.temp
    }

    /// Sync and rename into place ([`crate::atomic`]).
    pub fn commit(mut self) -> Result<SignOutcome, Error> {
        let out = self.outcome.output.clone();
        self.outcome.output_len = self.temp.written_len().map_err(|e| OutputError::WriteOutput { path: out.clone(), source: e })?;
        self.temp.commit().map_err(|e| Error::from(OutputError::from_write(&out, e)))?;
        Ok(self.outcome)
    }
}

/// Sign `request.input` into `request.output` with `signer`, all stages at once.
pub fn sign_file(request: SignRequest, signer: &dyn Signer) -> Result<SignOutcome, Error> {
    Prepared::new(request, signer)?.digest()?.sign(signer)?.embed()
}

/// The certificate subject's common name, if any.
pub fn common_name(cert: &x509_cert::Certificate) -> Option<String> {
    crate::cms::names::attribute(&cert.tbs_certificate.subject, const_oid::db::rfc4519::CN)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn kind(r: Result<(), Error>) -> &'static str {
        match r {
            Ok(()) => "ok",
            Err(Error::Output(OutputError::OutputIsInput(_))) => "is_input",
            Err(Error::Output(OutputError::OutputExists(_))) => "exists",
            Err(Error::Output(OutputError::ReadInput { .. })) => "read_input",
            Err(e) => panic!("unexpected {e:?}"),
        }
    }

    /// OUT is never IN, however it is spelled (also run under Wine by the Windows stage,
    /// where file identity is volume + file index).
    #[test]
    fn the_output_is_never_the_input() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("Tài liệu");
        std::fs::create_dir(&d).unwrap();
        let input = d.join("Quyết định.pdf");
        std::fs::write(&input, b"%PDF-1.7\n").unwrap();
        assert_eq!(kind(check_paths(&input, &input, true)), "is_input");
        let dotted = d.join(".").join("Quyết định.pdf");
        assert_eq!(kind(check_paths(&input, &dotted, true)), "is_input");
        let link = d.join("liên kết.pdf");
        std::fs::hard_link(&input, &link).unwrap();
        assert_eq!(kind(check_paths(&input, &link, true)), "is_input", "a hard link is the same file");
        // Windows names ignore case.
        #[cfg(windows)]
        assert_eq!(kind(check_paths(&input, &d.join("QUYẾT ĐỊNH.PDF"), true)), "is_input");
        let other = d.join("Quyết định.đã ký.pdf");
        assert_eq!(kind(check_paths(&input, &other, false)), "ok");
        std::fs::write(&other, b"old").unwrap();
        assert_eq!(kind(check_paths(&input, &other, false)), "exists");
        assert_eq!(kind(check_paths(&input, &other, true)), "ok");
        assert_eq!(kind(check_paths(&d.join("không có.pdf"), &other, true)), "read_input");
    }
}
