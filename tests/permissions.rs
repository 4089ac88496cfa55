//! Output files keep the input's permission bits (and owner where the process may
//! set them); the archive's own copies stay private (0600). Written through
//! `kyso::atomic`: temporary file, fsync, rename, fsync of the folder.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use kyso::queue::{sha256_file, DocRole, DocStatus, Queue, SignedRecord};
use kyso::sign::{sign_file, SignRequest};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/samples/quyet-dinh-mau.pdf");

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

#[test]
fn a_signed_output_has_the_input_mode_and_archive_copies_are_private() {
    let tmp = tempfile::tempdir().expect("tmp");
    let signer = kyso::demo::demo_identity(&tmp.path().join("demo")).expect("demo identity");
    for bits in [0o644, 0o640, 0o600, 0o664] {
        let input = tmp.path().join(format!("dự thảo {bits:o}.pdf"));
        std::fs::copy(SAMPLE, &input).expect("copy");
        std::fs::set_permissions(&input, std::fs::Permissions::from_mode(bits)).expect("chmod");
        let output = tmp.path().join(format!("dự thảo {bits:o}.signed.pdf"));
        sign_file(SignRequest::new(&input, &output), &signer).expect("sign");
        assert_eq!(mode(&output), bits, "signed copy of a {bits:o} draft");
        assert_eq!(mode(&input), bits, "the input is untouched");
    }
    // The archive's copy of a released document is the archive's own: private.
    let mut q = Queue::open(&tmp.path().join("data")).expect("queue");
    let input = tmp.path().join("dự thảo 644.signed.pdf");
    let doc = q.add(&input, DocRole::Seal).expect("add");
    let sealed = tmp.path().join("đóng dấu.pdf");
    sign_file(SignRequest::new(&input, &sealed), &signer).expect("seal");
    assert_eq!(mode(&sealed), 0o644);
    let rec = SignedRecord {
        certificate_check: None,
        output: sealed.clone(),
        status: DocStatus::Sealed,
        actor: None,
        cert_serial: None,
        sha256_before: doc.sha256.clone(),
        sha256_after: sha256_file(&sealed).expect("hash"),
        doc_number: None,
        doc_date: None,
        action: String::new(),
    };
    q.record_signed(doc.id, &rec).expect("record");
    let released = q.release(doc.id).expect("release");
    let archived = released.archive_path.expect("archived");
    assert_eq!(mode(Path::new(&archived)), 0o600, "{archived}");
}
