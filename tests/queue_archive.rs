//! The queue and archive (R12, R17) on real SQLite files in temporary folders:
//! each role's lifecycle with its history, refused transitions, search, the
//! half-year report, backup export checked by `sha256sum -c`, `kyso archive check`
//! finding a flipped byte, and a real `kill -9` in the middle of a signing batch.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kyso::i18n::Localize;
use kyso::identity::SoftwareSigner;
use kyso::queue::{sha256_file, DocRole, DocStatus, Document, Queue, QueueError, SearchQuery, SignedRecord, VerifiedRecord};
use kyso::sign::{sign_file, SignRequest};
use kyso::{Lang, Signer};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/samples/quyet-dinh-mau.pdf");

/// Copy the sample draft to `to`.
fn draft(to: &Path) -> PathBuf {
    if let Some(p) = to.parent() {
        std::fs::create_dir_all(p).expect("mkdir");
    }
    std::fs::copy(SAMPLE, to).expect("copy sample");
    to.to_owned()
}

fn leader(dir: &Path) -> SoftwareSigner {
    kyso::demo::demo_identity(&dir.join("demo")).expect("demo identity")
}

fn agency(dir: &Path) -> SoftwareSigner {
    kyso::demo::demo_agency_identity(&dir.join("demo")).expect("demo agency identity")
}

/// Sign document `doc`'s current file beside it as `NAME.<suffix>.pdf` and record it.
fn sign_and_record(
    q: &mut Queue,
    doc: &Document,
    signer: &SoftwareSigner,
    status: DocStatus,
    number: Option<&str>,
    date: Option<&str>,
) -> Document {
    sign_and_record_after(q, doc, signer, status, number, date, Duration::ZERO)
}

/// As [`sign_and_record`], pausing between writing the output and recording it.
fn sign_and_record_after(
    q: &mut Queue,
    doc: &Document,
    signer: &SoftwareSigner,
    status: DocStatus,
    number: Option<&str>,
    date: Option<&str>,
    pause: Duration,
) -> Document {
    let input = PathBuf::from(&doc.current_path);
    let suffix = if status == DocStatus::Sealed { "sealed" } else { "signed" };
    let stem = input.file_stem().and_then(|s| s.to_str()).expect("stem");
    let output = input.with_file_name(format!("{stem}.{suffix}.pdf"));
    sign_file(SignRequest::new(&input, &output), signer).expect("sign");
    std::thread::sleep(pause);
    let cert = signer.certificate();
    let rec = SignedRecord {
        certificate_check: None,
        output: output.clone(),
        status,
        actor: kyso::sign::common_name(cert),
        cert_serial: Some(hex::encode(cert.tbs_certificate.serial_number.as_bytes())),
        sha256_before: doc.sha256.clone(),
        sha256_after: sha256_file(&output).expect("hash output"),
        doc_number: number.map(str::to_owned),
        doc_date: date.map(str::to_owned),
        action: String::new(),
    };
    q.record_signed(doc.id, &rec).expect("record_signed")
}

fn actions(q: &Queue, id: i64) -> Vec<String> {
    q.history(id).expect("history").into_iter().map(|h| h.action).collect()
}

#[test]
fn sign_role_lifecycle() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut q = Queue::open(&tmp.path().join("data")).expect("open");
    let path = draft(&tmp.path().join("work/to-trinh.pdf"));
    let doc = q.add(&path, DocRole::Sign).expect("add");
    assert_eq!((doc.role, doc.status), (DocRole::Sign, DocStatus::Pending));
    assert_eq!(doc.title.as_deref(), Some("to-trinh"));
    assert_eq!(doc.file_name, "to-trinh.pdf");
    assert_eq!(doc.sha256, sha256_file(&path).expect("hash"));
    assert!(doc.created_at.ends_with("+07:00"), "{}", doc.created_at);
    // The same pending file is not queued twice.
    assert_eq!(q.add(&path, DocRole::Sign).expect("again").id, doc.id);
    // …but may be queued in another role.
    assert_ne!(q.add(&path, DocRole::Incoming).expect("incoming").id, doc.id);

    let signer = leader(tmp.path());
    let signed = sign_and_record(&mut q, &doc, &signer, DocStatus::Signed, None, None);
    assert_eq!(signed.status, DocStatus::Signed);
    assert!(signed.current_path.ends_with("to-trinh.signed.pdf"), "{}", signed.current_path);
    assert_eq!(signed.sha256, sha256_file(Path::new(&signed.current_path)).expect("hash"));
    assert_eq!(signed.signers.as_deref(), kyso::sign::common_name(signer.certificate()).as_deref());
    let h = q.history(doc.id).expect("history");
    assert_eq!(h.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["added", "signed"]);
    assert_eq!(h[1].sha256_before.as_deref(), Some(doc.sha256.as_str()));
    assert_eq!(h[1].sha256_after.as_deref(), Some(signed.sha256.as_str()));
    assert_eq!(h[1].status, Some(DocStatus::Signed));
    assert!(h[1].cert_serial.is_some());
    // The draft itself is untouched.
    assert_eq!(sha256_file(&path).expect("hash"), doc.sha256);
    // Finished: adding the draft again starts a new document.
    assert_ne!(q.add(&path, DocRole::Sign).expect("new").id, doc.id);
    // JSON shape for the desktop app.
    let json = serde_json::to_value(&signed).expect("json");
    for key in [
        "id",
        "role",
        "status",
        "fileName",
        "sourcePath",
        "currentPath",
        "sha256",
        "docNumber",
        "archivePath",
        "createdAt",
        "updatedAt",
        "verdictReason",
    ] {
        assert!(json.get(key).is_some(), "missing {key} in {json}");
    }
    assert_eq!(json["status"], "signed");
}

#[test]
fn seal_role_lifecycle_and_release_into_archive() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let mut q = Queue::open(&data).expect("open");
    let path = draft(&tmp.path().join("work/qd-12.pdf"));
    // The leader signs, then the clerk queues the signed file for sealing.
    let d1 = q.add(&path, DocRole::Sign).expect("add");
    let signed = sign_and_record(&mut q, &d1, &leader(tmp.path()), DocStatus::Signed, None, None);
    let doc = q.add(Path::new(&signed.current_path), DocRole::Seal).expect("add seal");
    // Releasing before sealing is refused, in Vietnamese.
    let err = q.release(doc.id).expect_err("release pending");
    assert!(matches!(err, QueueError::Transition { .. }), "{err:?}");
    assert!(err.localize(Lang::Vi).contains("phát hành"), "{}", err.localize(Lang::Vi));
    let sealed = sign_and_record(&mut q, &doc, &agency(tmp.path()), DocStatus::Sealed, Some("12/QĐ-UBND"), Some("2026-11-22"));
    assert_eq!(sealed.status, DocStatus::Sealed);
    assert_eq!(sealed.doc_number.as_deref(), Some("12/QĐ-UBND"));
    assert_eq!(sealed.doc_date.as_deref(), Some("2026-11-22"));
    assert!(sealed.archive_path.is_none());

    let released = q.release(doc.id).expect("release");
    assert_eq!(released.status, DocStatus::Released);
    let archived = PathBuf::from(released.archive_path.as_deref().expect("archive path"));
    let expected = data.canonicalize().expect("canon").join("archive").join(&sealed.sha256[..2]).join(format!("{}.pdf", sealed.sha256));
    assert_eq!(archived, expected);
    assert_eq!(std::fs::read(&archived).expect("archived"), std::fs::read(&sealed.current_path).expect("sealed"));
    assert_eq!(actions(&q, doc.id), ["added", "sealed", "released"]);
    // Released is final.
    assert!(matches!(q.release(doc.id), Err(QueueError::Transition { .. })));
    assert!(q.check().expect("check").ok());
}

#[test]
fn incoming_lifecycle_register_and_reject() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut q = Queue::open(&tmp.path().join("data")).expect("open");
    let good = q.add(&draft(&tmp.path().join("in/cv-1.pdf")), DocRole::Incoming).expect("add");
    let bad_path = draft(&tmp.path().join("in/cv-2.pdf"));
    let bad = q.add(&bad_path, DocRole::Incoming).expect("add");

    // Registering before the check is refused.
    assert!(matches!(q.register(good.id, None, None), Err(QueueError::Transition { .. })));
    let v = VerifiedRecord {
        status: DocStatus::Valid,
        verdict: "TOTAL_PASSED".into(),
        reason: None,
        signers: Some("UBND tỉnh Demo".into()),
        sha256: None,
    };
    let valid = q.record_verified(good.id, &v).expect("verified");
    assert_eq!((valid.status, valid.verdict.as_deref()), (DocStatus::Valid, Some("TOTAL_PASSED")));
    // A valid document is not rejected.
    assert!(matches!(q.reject(good.id, Path::new("/n.pdf")), Err(QueueError::Transition { .. })));
    let reg = q.register(good.id, Some("45/UBND-VP"), Some("Công văn về lịch họp")).expect("register");
    assert_eq!(reg.status, DocStatus::Registered);
    assert_eq!(reg.doc_number.as_deref(), Some("45/UBND-VP"));
    assert_eq!(reg.title.as_deref(), Some("Công văn về lịch họp"));
    assert!(Path::new(reg.archive_path.as_deref().expect("archived")).exists());
    assert_eq!(actions(&q, good.id), ["added", "verified", "registered"]);

    let v = VerifiedRecord {
        status: DocStatus::Invalid,
        verdict: "TOTAL_FAILED".into(),
        reason: Some("Nội dung đã bị thay đổi sau khi ký".into()),
        signers: None,
        sha256: None,
    };
    let invalid = q.record_verified(bad.id, &v).expect("verified");
    assert_eq!(invalid.verdict_reason.as_deref(), Some("Nội dung đã bị thay đổi sau khi ký"));
    // Registering an invalid document is refused with the reason, in Vietnamese and English.
    let err = q.register(bad.id, None, None).expect_err("register invalid");
    assert_eq!(err.kind(), "invalid_transition");
    let vi = err.localize(Lang::Vi);
    assert!(vi.contains("vào sổ") && vi.contains("không hợp lệ") && vi.contains("từ chối"), "{vi}");
    assert!(err.localize(Lang::En).contains("cannot be registered"), "{}", err.localize(Lang::En));
    let notice = tmp.path().join("notices/cv-2.notice.pdf");
    let rejected = q.reject(bad.id, &notice).expect("reject");
    assert_eq!(rejected.status, DocStatus::Rejected);
    assert!(rejected.archive_path.is_none());
    assert!(bad_path.exists(), "a rejected file is never deleted");
    let h = q.history(bad.id).expect("history");
    assert_eq!(h.last().and_then(|e| e.detail.as_deref()), Some(notice.to_str().expect("utf8")));
    assert_eq!(q.list(Some(DocRole::Incoming), Some(DocStatus::Rejected)).expect("list").len(), 1);
}

#[test]
fn refused_steps_change_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut q = Queue::open(&tmp.path().join("data")).expect("open");
    let path = draft(&tmp.path().join("w/a.pdf"));
    let doc = q.add(&path, DocRole::Sign).expect("add");
    let out = tmp.path().join("w/a.signed.pdf");
    std::fs::write(&out, b"%PDF-1.7 not really signed").expect("write");
    let mut rec = SignedRecord {
        certificate_check: None,
        output: out.clone(),
        status: DocStatus::Sealed,
        actor: Some("Nguyễn Văn A".into()),
        cert_serial: None,
        sha256_before: doc.sha256.clone(),
        sha256_after: sha256_file(&out).expect("hash"),
        doc_number: None,
        doc_date: None,
        action: String::new(),
    };
    // A seal on a document queued for a personal signature.
    assert!(matches!(q.record_signed(doc.id, &rec), Err(QueueError::Transition { .. })));
    // The incoming stamp (status valid) on a document queued for a personal signature.
    rec.status = DocStatus::Valid;
    assert!(matches!(q.record_signed(doc.id, &rec), Err(QueueError::Transition { .. })));
    // Not a signing result.
    rec.status = DocStatus::Registered;
    assert!(matches!(q.record_signed(doc.id, &rec), Err(QueueError::InvalidArgument { .. })));
    // The output's bytes are not those claimed.
    rec.status = DocStatus::Signed;
    rec.sha256_after = "00".repeat(32);
    assert!(matches!(q.record_signed(doc.id, &rec), Err(QueueError::HashMismatch { .. })));
    // A bad date.
    rec.sha256_after = sha256_file(&out).expect("hash");
    rec.doc_date = Some("22/11/2026".into());
    assert!(matches!(q.record_signed(doc.id, &rec), Err(QueueError::InvalidDate(_))));
    // Checks only apply to incoming documents.
    let v = VerifiedRecord { status: DocStatus::Valid, verdict: "TOTAL_PASSED".into(), reason: None, signers: None, sha256: None };
    assert!(matches!(q.record_verified(doc.id, &v), Err(QueueError::Transition { .. })));
    assert!(matches!(q.register(doc.id, None, None), Err(QueueError::Transition { .. })));
    assert!(matches!(q.get(9999), Err(QueueError::NotFound(9999))));
    assert!(matches!(q.history(9999), Err(QueueError::NotFound(9999))));
    // A failure is a history row; the document stays pending.
    q.record_failure(doc.id, "sign_failed", "Mã PIN không đúng").expect("failure");
    let after = q.get(doc.id).expect("get");
    assert_eq!(after.status, DocStatus::Pending);
    assert_eq!(after.sha256, doc.sha256);
    assert_eq!(after.current_path, doc.current_path);
    assert_eq!(actions(&q, doc.id), ["added", "sign_failed"]);
    // Then it can still be signed.
    rec.doc_date = None;
    assert_eq!(q.record_signed(doc.id, &rec).expect("signed").status, DocStatus::Signed);
}

#[test]
fn search_by_number_title_signer_plain_text_and_dates() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut q = Queue::open(&tmp.path().join("data")).expect("open");
    let mk = |q: &mut Queue, name: &str| {
        let p = tmp.path().join("in").join(name);
        std::fs::create_dir_all(p.parent().expect("dir")).expect("mkdir");
        std::fs::write(&p, name.as_bytes()).expect("write");
        q.add(&p, DocRole::Incoming).expect("add")
    };
    let a = mk(&mut q, "a.pdf");
    let b = mk(&mut q, "bao-cao-quy-3.pdf");
    let c = mk(&mut q, "c.pdf");
    let verified = |q: &mut Queue, id: i64, signers: &str| {
        let v = VerifiedRecord {
            status: DocStatus::Valid,
            verdict: "TOTAL_PASSED".into(),
            reason: None,
            signers: Some(signers.into()),
            sha256: None,
        };
        q.record_verified(id, &v).expect("verify");
    };
    verified(&mut q, a.id, "Nguyễn Văn Ánh; Ủy ban nhân dân tỉnh Bắc Giang");
    verified(&mut q, b.id, "Trần Thị Bình");
    verified(&mut q, c.id, "Đỗ Đức Dũng");
    q.register(a.id, Some("123/QĐ-UBND"), Some("Quyết định khen thưởng tập thể")).expect("reg a");
    q.register(c.id, Some("7/TB-VP"), Some("Thông báo lịch trực")).expect("reg c");

    let ids = |q: &Queue, text: Option<&str>, from: Option<&str>, to: Option<&str>| -> Vec<i64> {
        let sq = SearchQuery { text: text.map(Into::into), from: from.map(Into::into), to: to.map(Into::into) };
        q.search(&sq).expect("search").into_iter().map(|d| d.id).collect()
    };
    assert_eq!(ids(&q, Some("123/QĐ-UBND"), None, None), [a.id]);
    assert_eq!(ids(&q, Some("qd-ubnd"), None, None), [a.id]);
    assert_eq!(ids(&q, Some("Quyết định"), None, None), [a.id]);
    assert_eq!(ids(&q, Some("quyet dinh khen"), None, None), [a.id]);
    assert_eq!(ids(&q, Some("KHEN THƯỞNG"), None, None), [a.id]);
    assert_eq!(ids(&q, Some("nguyen van anh"), None, None), [a.id]);
    assert_eq!(ids(&q, Some("do duc"), None, None), [c.id]);
    assert_eq!(ids(&q, Some("bao-cao"), None, None), [b.id]);
    assert_eq!(ids(&q, Some("%"), None, None), Vec::<i64>::new());
    assert_eq!(ids(&q, None, None, None), [c.id, b.id, a.id]);

    // Dates: the document's date when set, else the day of its last change.
    let db = rusqlite::Connection::open(q.db_path()).expect("db");
    db.execute("UPDATE documents SET doc_date = '2026-03-05' WHERE id = ?1", [a.id]).expect("date a");
    db.execute("UPDATE documents SET doc_date = '2026-09-30' WHERE id = ?1", [c.id]).expect("date c");
    db.execute("UPDATE documents SET updated_at = '2025-12-31T23:00:00+07:00' WHERE id = ?1", [b.id]).expect("date b");
    assert_eq!(ids(&q, None, Some("2026-01-01"), Some("2026-06-30")), [a.id]);
    assert_eq!(ids(&q, None, Some("2026-01-01"), None), [c.id, a.id]);
    assert_eq!(ids(&q, None, None, Some("2025-12-31")), [b.id]);
    assert_eq!(ids(&q, Some("thong bao"), Some("2026-09-30"), Some("2026-09-30")), [c.id]);
    let bad = SearchQuery { text: None, from: Some("30/09/2026".into()), to: None };
    assert!(matches!(q.search(&bad), Err(QueueError::InvalidDate(_))));
}

#[test]
fn report_per_half_year_and_year() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut q = Queue::open(&tmp.path().join("data")).expect("open");
    let mut ids = Vec::new();
    for (i, (role, status)) in [
        (DocRole::Sign, DocStatus::Signed),
        (DocRole::Sign, DocStatus::Signed),
        (DocRole::Sign, DocStatus::Signed),
        (DocRole::Seal, DocStatus::Sealed),
        (DocRole::Seal, DocStatus::Sealed),
    ]
    .into_iter()
    .enumerate()
    {
        let p = tmp.path().join(format!("w/{i}.pdf"));
        std::fs::create_dir_all(p.parent().expect("dir")).expect("mkdir");
        std::fs::write(&p, format!("draft {i}")).expect("write");
        let doc = q.add(&p, role).expect("add");
        let out = tmp.path().join(format!("w/{i}.out.pdf"));
        std::fs::write(&out, format!("signed {i}")).expect("write");
        let rec = SignedRecord {
            certificate_check: None,
            output: out.clone(),
            status,
            actor: None,
            cert_serial: None,
            sha256_before: doc.sha256.clone(),
            sha256_after: sha256_file(&out).expect("hash"),
            doc_number: None,
            doc_date: None,
            action: String::new(),
        };
        q.record_signed(doc.id, &rec).expect("record");
        ids.push(doc.id);
    }
    // The last sealed document is released too: it still counts once.
    q.release(ids[4]).expect("release");
    // An incoming document that is only checked counts nowhere.
    let p = tmp.path().join("w/in.pdf");
    std::fs::write(&p, "in").expect("write");
    q.add(&p, DocRole::Incoming).expect("add");
    // Place the events: sign #0 in H1 2026, #1 in H2 2026, #2 in 2025; seal #3 in H1, #4 sealed in H2 and released in 2027.
    let db = rusqlite::Connection::open(q.db_path()).expect("db");
    for (id, action, at) in [
        (ids[0], "signed", "2026-06-30T23:59:59+07:00"),
        (ids[1], "signed", "2026-07-01T00:00:00+07:00"),
        (ids[2], "signed", "2025-12-31T08:00:00+07:00"),
        (ids[3], "sealed", "2026-02-01T09:00:00+07:00"),
        (ids[4], "sealed", "2026-12-31T16:00:00+07:00"),
        (ids[4], "released", "2027-01-02T08:00:00+07:00"),
    ] {
        db.execute("UPDATE history SET at = ?1 WHERE document_id = ?2 AND action = ?3", rusqlite::params![at, id, action])
            .expect("move event");
    }
    let rows = q.report(2026).expect("report");
    let got: Vec<(String, &str, u64)> = rows.iter().map(|r| (r.period.clone(), r.role.as_str(), r.count)).collect();
    let want: Vec<(String, &str, u64)> = [
        ("2026-H1", "sign", 1),
        ("2026-H1", "seal", 1),
        ("2026-H1", "incoming", 0),
        ("2026-H2", "sign", 1),
        ("2026-H2", "seal", 1),
        ("2026-H2", "incoming", 0),
        ("2026", "sign", 2),
        ("2026", "seal", 2),
        ("2026", "incoming", 0),
    ]
    .into_iter()
    .map(|(p, r, c)| (p.to_owned(), r, c))
    .collect();
    assert_eq!(got, want);
    assert_eq!(q.report(2027).expect("2027").iter().map(|r| r.count).sum::<u64>(), 0);
    let csv = q.report_csv(2025).expect("csv");
    assert!(csv.starts_with("period,role,count\n2025-H1,sign,0\n"), "{csv}");
    assert!(csv.contains("2025-H2,sign,1\n") && csv.contains("2025,sign,1\n"), "{csv}");
    let json = serde_json::to_value(&rows[0]).expect("json");
    assert_eq!(json, serde_json::json!({ "period": "2026-H1", "role": "sign", "count": 1 }));
}

/// A queue with one released and one registered document in `tmp/data`.
fn archive_with_two_files(tmp: &Path) -> (Queue, Vec<Document>) {
    let mut q = Queue::open(&tmp.join("data")).expect("open");
    let seal = q.add(&draft(&tmp.join("w/qd.pdf")), DocRole::Seal).expect("add");
    let out = tmp.join("w/qd.sealed.pdf");
    std::fs::write(&out, b"%PDF-1.7 sealed bytes").expect("write");
    let rec = SignedRecord {
        certificate_check: None,
        output: out.clone(),
        status: DocStatus::Sealed,
        actor: Some("UBND tỉnh Demo".into()),
        cert_serial: None,
        sha256_before: seal.sha256.clone(),
        sha256_after: sha256_file(&out).expect("hash"),
        doc_number: Some("1/QĐ-UBND".into()),
        doc_date: Some("2026-01-15".into()),
        action: "sealed".into(),
    };
    q.record_signed(seal.id, &rec).expect("sealed");
    let released = q.release(seal.id).expect("release");
    let inc = q.add(&draft(&tmp.join("in/cv.pdf")), DocRole::Incoming).expect("add");
    let v = VerifiedRecord { status: DocStatus::Valid, verdict: "TOTAL_PASSED".into(), reason: None, signers: None, sha256: None };
    q.record_verified(inc.id, &v).expect("verify");
    let registered = q.register(inc.id, Some("9/CV"), None).expect("register");
    (q, vec![released, registered])
}

#[test]
fn backup_export_passes_sha256sum_and_restores() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (q, docs) = archive_with_two_files(tmp.path());
    let report = q.export_backup(&tmp.path().join("usb")).expect("export");
    assert_eq!((report.files, report.documents), (2, 2));
    assert!(report.dir.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("kyso-backup-")));
    let st = Command::new("sha256sum").args(["-c", "--strict", "SHA256SUMS"]).current_dir(&report.dir).output().expect("sha256sum");
    assert!(st.status.success(), "sha256sum -c failed: {}{}", String::from_utf8_lossy(&st.stdout), String::from_utf8_lossy(&st.stderr));
    let listed = String::from_utf8_lossy(&st.stdout);
    assert_eq!(listed.matches(": OK").count(), 4, "{listed}"); // database, two files, manifest
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(&report.manifest).expect("manifest")).expect("json");
    assert_eq!(manifest["files"].as_array().map(Vec::len), Some(2));
    // Nothing half-written is left beside it.
    let names: Vec<String> =
        std::fs::read_dir(tmp.path().join("usb")).expect("ls").flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 1, "{names:?}");
    // A second export makes a second folder.
    let again = q.export_backup(&tmp.path().join("usb")).expect("export again");
    assert_ne!(again.dir, report.dir);
    // Restored into an empty data dir, it opens as a queue: same documents, archive intact.
    let restore_dir = tmp.path().join("restored");
    let st = Command::new("cp").arg("-a").arg(&report.dir).arg(&restore_dir).status().expect("cp");
    assert!(st.success());
    let restored = Queue::open(&restore_dir).expect("open restored");
    assert_eq!(restored.list(None, None).expect("list").len(), 2);
    assert!(restored.check().expect("check").ok());
    let r = restored.get(docs[0].id).expect("get");
    assert_eq!((r.status, r.doc_number.as_deref()), (DocStatus::Released, Some("1/QĐ-UBND")));
    assert!(Path::new(r.archive_path.as_deref().expect("path")).starts_with(restore_dir.canonicalize().expect("canon")));
}

fn kyso_cli(data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kyso")).args(args).env("KYSO_DATA_DIR", data).output().expect("run kyso")
}

#[test]
fn archive_cli_check_finds_a_flipped_byte() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (q, docs) = archive_with_two_files(tmp.path());
    drop(q);
    let data = tmp.path().join("data");
    let ok = kyso_cli(&data, &["archive", "check"]);
    let out = String::from_utf8_lossy(&ok.stdout);
    assert_eq!(ok.status.code(), Some(0), "{out}{}", String::from_utf8_lossy(&ok.stderr));
    assert!(out.contains("nguyên vẹn") && out.contains('2'), "{out}");

    // Flip one byte of the registered document's archived copy.
    let victim = PathBuf::from(docs[1].archive_path.as_deref().expect("archived"));
    let mut bytes = std::fs::read(&victim).expect("read");
    bytes[100] ^= 0x01;
    std::fs::write(&victim, &bytes).expect("corrupt");
    let bad = kyso_cli(&data, &["archive", "check"]);
    let out = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "{out}");
    assert!(out.contains(victim.to_str().expect("utf8")) && out.contains("HỎNG"), "{out}");
    assert_eq!(out.matches("HỎNG").count(), 1, "{out}");
    let en = kyso_cli(&data, &["--lang", "en", "archive", "check"]);
    assert!(String::from_utf8_lossy(&en.stdout).contains("BAD:"));
    let json = kyso_cli(&data, &["archive", "check", "--json"]);
    assert_eq!(json.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(v["checked"], 2);
    assert_eq!(v["bad"][0]["problem"], "changed");
    assert_eq!(v["bad"][0]["documents"], serde_json::json!([docs[1].id]));
    // Export refuses to copy a damaged file into a backup.
    let exp = kyso_cli(&data, &["archive", "export", tmp.path().join("usb").to_str().expect("utf8")]);
    assert_eq!(exp.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&exp.stderr).contains("bị hỏng"), "{}", String::from_utf8_lossy(&exp.stderr));
}

#[test]
fn archive_cli_list_search_report_export() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (q, docs) = archive_with_two_files(tmp.path());
    drop(q);
    let data = tmp.path().join("data");
    let list = kyso_cli(&data, &["archive", "list", "--role", "seal", "--json"]);
    assert!(list.status.success());
    let v: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    assert_eq!(v.as_array().map(Vec::len), Some(1));
    assert_eq!(v[0]["docNumber"], "1/QĐ-UBND");
    let list = kyso_cli(&data, &["archive", "list", "--status", "registered"]);
    assert!(String::from_utf8_lossy(&list.stdout).contains("đã vào sổ"), "{}", String::from_utf8_lossy(&list.stdout));
    let s = kyso_cli(&data, &["archive", "search", "1/qd", "--from", "2026-01-01", "--to", "2026-01-31", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&s.stdout).expect("json");
    assert_eq!(v[0]["id"], docs[0].id);
    assert_eq!(v.as_array().map(Vec::len), Some(1));
    let s = kyso_cli(&data, &["archive", "search", "x", "--from", "2026-13-01"]);
    assert_eq!(s.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&s.stderr).contains("Ngày không hợp lệ"));
    let csv = tmp.path().join("r.csv");
    let r = kyso_cli(&data, &["archive", "report", "--year", "2026", "--csv", csv.to_str().expect("utf8")]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(std::fs::read_to_string(&csv).expect("csv").starts_with("period,role,count\n"));
    let r = kyso_cli(&data, &["--lang", "en", "archive", "report", "--year", "2026"]);
    assert!(String::from_utf8_lossy(&r.stdout).contains("Documents signed in 2026"));
    let e = kyso_cli(&data, &["archive", "export", tmp.path().join("usb").to_str().expect("utf8")]);
    assert!(e.status.success(), "{}", String::from_utf8_lossy(&e.stderr));
    assert!(String::from_utf8_lossy(&e.stdout).contains("sha256sum -c SHA256SUMS"));
}

// ---- archive edges ----

/// Point document `id`'s stored archive path (and the ledger's) at `rel`, as a damaged
/// or tampered database would.
fn tamper_stored_path(data: &Path, id: i64, rel: &str) {
    let conn = rusqlite::Connection::open(data.join("kyso.sqlite3")).expect("open db");
    let old: String = conn.query_row("SELECT archive_path FROM documents WHERE id = ?1", [id], |r| r.get(0)).expect("path");
    conn.execute("UPDATE archive_files SET path = ?1 WHERE path = ?2", [rel, old.as_str()]).expect("ledger");
    conn.execute("UPDATE documents SET archive_path = ?1 WHERE id = ?2", rusqlite::params![rel, id]).expect("doc");
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect()).unwrap_or_default();
    v.sort();
    v
}

#[test]
fn stored_paths_that_leave_the_archive_are_never_followed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (q, docs) = archive_with_two_files(tmp.path());
    drop(q);
    let data = tmp.path().join("data");
    // A file outside the archive that a `../` path would reach.
    let outside = tmp.path().join("secret.pdf");
    std::fs::write(&outside, b"%PDF-1.7 not archived").expect("write");
    tamper_stored_path(&data, docs[1].id, "archive/../../secret.pdf");
    let q = Queue::open_read_only(&data).expect("open");
    let report = q.check().expect("check");
    assert!(!report.ok());
    let bad: Vec<_> = report.bad.iter().filter(|b| b.documents == vec![docs[1].id]).collect();
    assert_eq!(bad.len(), 1, "{:?}", report.bad);
    assert_eq!(serde_json::to_value(bad[0].problem).expect("json"), "invalid_path");
    assert_eq!(bad[0].path, "archive/../../secret.pdf", "reported as stored, not resolved");
    // The document shows the stored value, never a path resolved outside the archive.
    assert_eq!(q.get(docs[1].id).expect("get").archive_path.as_deref(), Some("archive/../../secret.pdf"));
    // Export refuses, and leaves nothing on the backup medium.
    let usb = tmp.path().join("usb");
    let e = q.export_backup(&usb).expect_err("export must refuse");
    assert_eq!(e.kind(), "archive_path_invalid", "{e}");
    assert!(names_in(&usb).is_empty(), "{:?}", names_in(&usb));
    let cli = kyso_cli(&data, &["archive", "export", usb.to_str().expect("utf8")]);
    assert_eq!(cli.status.code(), Some(1));
    let err = String::from_utf8_lossy(&cli.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("không hợp lệ"), "{err}");
    assert!(names_in(&usb).is_empty(), "{:?}", names_in(&usb));
    // An absolute path is no better.
    tamper_stored_path(&data, docs[0].id, outside.to_str().expect("utf8"));
    let json = kyso_cli(&data, &["archive", "check", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(v["bad"].as_array().map(|a| a.iter().filter(|b| b["problem"] == "invalid_path").count()), Some(2), "{v}");
}

#[test]
fn a_failed_export_leaves_no_part_folder() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (q, docs) = archive_with_two_files(tmp.path());
    let victim = PathBuf::from(docs[1].archive_path.as_deref().expect("archived"));
    let mut bytes = std::fs::read(&victim).expect("read");
    bytes[10] ^= 0x01;
    std::fs::write(&victim, &bytes).expect("corrupt");
    let usb = tmp.path().join("usb");
    let e = q.export_backup(&usb).expect_err("a damaged file is not backed up");
    assert_eq!(e.kind(), "archive_corrupt");
    assert!(names_in(&usb).is_empty(), "left behind: {:?}", names_in(&usb));
}

#[test]
fn archive_cli_refuses_a_folder_without_an_archive_and_creates_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    for args in [&["archive", "check"][..], &["archive", "list"], &["archive", "search", "x"], &["archive", "report", "--year", "2026"]] {
        let mut full = vec!["archive", "--data-dir", empty.to_str().expect("utf8")];
        full.extend_from_slice(&args[1..]);
        let o = kyso_cli(&empty, &full);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", String::from_utf8_lossy(&o.stdout));
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("không chứa kho lưu trữ"), "{err}");
        assert!(!String::from_utf8_lossy(&o.stdout).contains("nguyên vẹn"));
    }
    assert!(names_in(&empty).is_empty(), "created: {:?}", names_in(&empty));
    // Read-only: checking an archive changes none of its files.
    let (q, _) = archive_with_two_files(tmp.path());
    drop(q);
    let data = tmp.path().join("data");
    // (SQLite may add its -wal/-shm companions to read a WAL database.)
    let listing = || names_in(&data).into_iter().filter(|n| !n.ends_with("-wal") && !n.ends_with("-shm")).collect::<Vec<_>>();
    let before = (listing(), sha256_file(&data.join("kyso.sqlite3")).expect("hash"), names_in(&data.join("archive")));
    assert_eq!(kyso_cli(&data, &["archive", "check"]).status.code(), Some(0));
    let after = (listing(), sha256_file(&data.join("kyso.sqlite3")).expect("hash"), names_in(&data.join("archive")));
    assert_eq!(before, after);
}

#[test]
fn report_csv_never_overwrites_without_force_and_writes_atomically() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (q, _) = archive_with_two_files(tmp.path());
    drop(q);
    let data = tmp.path().join("data");
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    let csv = out.join("bao-cao.csv");
    std::fs::write(&csv, "giữ nguyên").expect("write");
    let r = kyso_cli(&data, &["archive", "report", "--year", "2026", "--csv", csv.to_str().expect("utf8")]);
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("đã tồn tại") && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&csv).expect("read"), "giữ nguyên");
    let r = kyso_cli(&data, &["archive", "report", "--year", "2026", "--csv", csv.to_str().expect("utf8"), "--force"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(std::fs::read_to_string(&csv).expect("read").starts_with("period,role,count\n"));
    assert_eq!(names_in(&out), ["bao-cao.csv"], "no temporary file left");
}

// ---- kill -9 in the middle of a batch ----

const CHILD_ENV: &str = "KYSO_QUEUE_KILL_CHILD";
const BATCH: usize = 30;

/// The child: queue 30 drafts, then sign and record them one by one, printing
/// `done <id>` after each commit, until killed. Each output is left unrecorded for
/// a moment, so the kill most likely lands between the file and its transaction.
fn kill_child(root: &Path) {
    let mut q = Queue::open(&root.join("data")).expect("open");
    let signer = leader(root);
    let mut docs = Vec::new();
    for i in 0..BATCH {
        docs.push(q.add(&root.join(format!("work/doc-{i:02}/draft.pdf")), DocRole::Sign).expect("add"));
    }
    let mut out = std::io::stdout();
    writeln!(out, "added {}", docs.len()).expect("stdout");
    out.flush().expect("flush");
    for doc in &docs {
        sign_and_record_after(&mut q, doc, &signer, DocStatus::Signed, None, None, Duration::from_millis(20));
        writeln!(out, "done {}", doc.id).expect("stdout");
        out.flush().expect("flush");
    }
    writeln!(out, "finished").expect("stdout");
}

#[test]
fn queue_survives_kill_9_mid_batch() {
    if let Some(root) = std::env::var_os(CHILD_ENV) {
        kill_child(Path::new(&root));
        return;
    }
    let started = Instant::now();
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    for i in 0..BATCH {
        draft(&root.join(format!("work/doc-{i:02}/draft.pdf")));
    }
    leader(root); // generate the demo identity once, outside the child
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args(["queue_survives_kill_9_mid_batch", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, root)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("child stdout");
    let mut done: Vec<i64> = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read child");
        if let Some(id) = line.strip_prefix("done ") {
            done.push(id.trim().parse().expect("id"));
            if done.len() == 10 {
                // Somewhere in the next item: signing, the pause before recording, or the commit.
                let jitter = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos() % 35).unwrap_or(0);
                std::thread::sleep(Duration::from_millis(u64::from(jitter)));
                child.kill().expect("SIGKILL"); // SIGKILL on Unix
                break;
            }
        }
        assert!(line != "finished", "the child finished before it was killed");
    }
    let status = child.wait().expect("wait");
    assert_eq!(done.len(), 10, "child ended early: {status:?}");
    assert!(!status.success(), "the child must have been killed: {status:?}");

    // Reopen: the database is sound, nothing is lost, nothing is half done.
    let mut q = Queue::open(&root.join("data")).expect("reopen");
    let check = q.check().expect("check");
    assert!(check.database_ok, "{:?}", check.database);
    let docs = q.list(None, None).expect("list");
    assert_eq!(docs.len(), BATCH);
    let mut signed = 0;
    for d in &docs {
        let dir = Path::new(&d.source_path).parent().expect("dir").to_owned();
        match d.status {
            DocStatus::Signed => {
                signed += 1;
                let out = Path::new(&d.current_path);
                assert!(out.exists(), "#{} output {} missing", d.id, out.display());
                assert_eq!(sha256_file(out).expect("hash"), d.sha256, "#{} output hash", d.id);
                let h = q.history(d.id).expect("history");
                assert_eq!(h.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["added", "signed"]);
                let parts: Vec<_> =
                    std::fs::read_dir(&dir).expect("ls").flatten().filter(|e| e.file_name().to_string_lossy().ends_with(".part")).collect();
                assert!(parts.is_empty(), "temporary files left beside recorded output of #{}", d.id);
            }
            DocStatus::Pending => {
                assert!(!done.contains(&d.id), "#{} was reported done but is pending", d.id);
                assert_eq!(d.current_path, d.source_path);
                assert_eq!(q.history(d.id).expect("history").len(), 1);
            }
            other => panic!("#{} is {other:?}", d.id),
        }
    }
    for id in &done {
        assert_eq!(q.get(*id).expect("get").status, DocStatus::Signed, "#{id} was reported done");
    }
    // At most the one in flight at the kill was committed without being reported.
    assert!((10..=11).contains(&signed), "{signed} signed");

    // The queue takes new work: sign the pending one the kill interrupted (its
    // output may exist, unrecorded), add a new file.
    let pending = q.list(Some(DocRole::Sign), Some(DocStatus::Pending)).expect("pending");
    let next = pending.last().expect("a pending document");
    let orphan = Path::new(&next.source_path).with_file_name("draft.signed.pdf");
    let part_left =
        std::fs::read_dir(orphan.parent().expect("dir")).expect("ls").flatten().any(|e| e.file_name().to_string_lossy().ends_with(".part"));
    println!("interrupted item: output present {}, temporary file left {part_left}", orphan.exists());
    let input = PathBuf::from(&next.current_path);
    let output = input.with_file_name("draft.after-crash.pdf");
    sign_file(SignRequest::new(&input, &output), &leader(root)).expect("sign");
    let rec = SignedRecord {
        certificate_check: None,
        output: output.clone(),
        status: DocStatus::Signed,
        actor: None,
        cert_serial: None,
        sha256_before: next.sha256.clone(),
        sha256_after: sha256_file(&output).expect("hash"),
        doc_number: None,
        doc_date: None,
        action: String::new(),
    };
    assert_eq!(q.record_signed(next.id, &rec).expect("record").status, DocStatus::Signed);
    let extra = q.add(&draft(&root.join("work/extra/draft.pdf")), DocRole::Sign).expect("add");
    assert_eq!(q.list(None, None).expect("list").len(), BATCH + 1);
    assert_eq!(extra.status, DocStatus::Pending);
    println!("kill -9 after {} reported, {signed} committed; {:?}", done.len(), started.elapsed());
}
