//! `kyso demo`: sign and check the bundled sample drafts with the demo identity
//! (generated on first run; not legally valid), with no token attached.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use kyso::demo::{demo_agency_identity, demo_identity};
use kyso::error::OutputError;
use kyso::sign::{sign_file, SignRequest};
use kyso::verify::check_integrity;
use kyso::{tr, Lang};

/// The sample drafts shipped inside the binary (made by LibreOffice and qpdf).
const SAMPLES: [(&str, &[u8]); 3] = [
    ("quyet-dinh-mau.pdf", include_bytes!("../../assets/samples/quyet-dinh-mau.pdf")),
    ("quyet-dinh-mau-nen.pdf", include_bytes!("../../assets/samples/quyet-dinh-mau-nen.pdf")),
    ("to-trinh-giam-doc.pdf", include_bytes!("../../assets/samples/to-trinh-giam-doc.pdf")),
];

/// Arguments of `kyso demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Thư mục kết quả / output folder.
    #[arg(long, value_name = "DIR", default_value = "kyso-demo")]
    pub out: PathBuf,
}

/// Run `kyso demo`.
pub fn run(args: DemoArgs, lang: Lang) -> Result<ExitCode, kyso::Error> {
    let id_dir = super::data_dir().join("demo");
    let leader = demo_identity(&id_dir)?;
    let agency = demo_agency_identity(&id_dir)?;
    let werr = |e: std::io::Error| kyso::Error::from(OutputError::WriteOutput { path: args.out.clone(), source: e });
    std::fs::create_dir_all(&args.out).map_err(werr)?;
    println!(
        "{}",
        tr!(
            lang,
            "KýSố demo — danh tính demo ({}) KHÔNG có giá trị pháp lý.",
            "KýSố demo — the demo identity ({}) is NOT legally valid.",
            id_dir.display()
        )
    );
    let mut all_ok = true;
    for (name, bytes) in SAMPLES {
        let stem = name.trim_end_matches(".pdf");
        let draft = args.out.join(name);
        std::fs::write(&draft, bytes).map_err(werr)?;
        let signed = args.out.join(format!("{stem}.da-ky.pdf"));
        let sealed = args.out.join(format!("{stem}.da-ky.dong-dau.pdf"));
        let mut req = SignRequest::new(&draft, &signed);
        req.force = true;
        req.reason = Some(tr!(lang, "Phê duyệt (demo)", "Approved (demo)"));
        sign_file(req, &leader)?;
        let mut req = SignRequest::new(&signed, &sealed);
        req.force = true;
        req.reason = Some(tr!(lang, "Phát hành (demo)", "Issued (demo)"));
        sign_file(req, &agency)?;
        let reports = check_integrity(&sealed)?;
        println!("\n{}", sealed.display());
        for r in &reports {
            let ok = r.intact();
            all_ok &= ok;
            println!(
                "  [{}] {} — {} — {:?}{}",
                if ok { tr!(lang, "toàn vẹn", "intact") } else { tr!(lang, "LỖI", "FAILED") },
                r.field,
                r.signer.as_deref().unwrap_or("?"),
                r.coverage,
                r.problem.as_deref().map(|p| format!(" — {p}")).unwrap_or_default()
            );
        }
    }
    println!(
        "\n{}",
        tr!(
            lang,
            "Kết quả nằm trong thư mục {}. Gốc tin cậy demo: {}",
            "Results are in {}. Demo trust root: {}",
            args.out.display(),
            kyso::demo::demo_root_pem(&id_dir).display()
        )
    );
    Ok(if all_ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
