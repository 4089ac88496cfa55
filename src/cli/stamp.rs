//! Turning `kyso sign`'s stamp options into a plan of widgets (core: `kyso::stamp`).

use std::collections::BTreeMap;

use kyso::error::UsageError;
use kyso::pdf::PdfFile;
use kyso::stamp::plan::{self, StampPlan, StampRequest};
use kyso::stamp::template;

use super::sign::SignArgs;
use super::RoleArg;

/// Build the stamp plan for `args` (the template from `--template` or `--role`).
pub fn plan_for(args: &SignArgs, cert: &x509_cert::Certificate, signing_time: time::OffsetDateTime) -> Result<StampPlan, kyso::Error> {
    let pdf = PdfFile::open(&args.input)?;
    let name = args.template.clone().unwrap_or_else(|| {
        match args.role {
            RoleArg::Seal if args.scanned => "scanned",
            RoleArg::Personal => "personal",
            RoleArg::Seal => "seal",
            RoleArg::Copy => "copy",
            RoleArg::Annex => "annex",
        }
        .to_owned()
    });
    let t = template::load(&name).map_err(|e| UsageError::InvalidArgument { option: "--template".into(), value: e.to_string() })?;
    let at_mm = match &args.at {
        Some(s) => {
            let parts: Vec<f64> = s.split(',').filter_map(|p| p.trim().parse().ok()).collect();
            match parts[..] {
                [x, y] => Some((x, y)),
                _ => return Err(UsageError::InvalidArgument { option: "--at".into(), value: s.clone() }.into()),
            }
        }
        None => None,
    };
    let signer_name = args
        .signer_name
        .clone()
        .or_else(|| kyso::cms::names::attribute(&cert.tbs_certificate.subject, const_oid::db::rfc4519::CN));
    let org = args.org_name.clone().or_else(|| kyso::cms::names::attribute(&cert.tbs_certificate.subject, const_oid::db::rfc4519::O));
    let mut values: BTreeMap<&'static str, String> = BTreeMap::new();
    values.insert("signing_time", kyso::time::iso8601(signing_time));
    if let Some(n) = &signer_name {
        values.insert("signer_name", n.clone());
    }
    if let Some(o) = &org {
        values.insert("org_name", o.clone());
    }
    values.insert("copy_form", args.copy_form.clone().unwrap_or_else(|| "SAO Y".into()));
    if let Some(n) = &args.doc_number {
        values.insert("doc_number", n.clone());
    }
    if let Some(d) = &args.doc_date {
        values.insert("doc_date", d.clone());
    }
    if let Some(e) = kyso::cms::names::attribute(&cert.tbs_certificate.subject, const_oid::db::rfc3280::EMAIL_ADDRESS) {
        values.insert("email", e);
    }
    let req = StampRequest {
        template: Some(t),
        image: args.image.clone(),
        invisible: args.invisible,
        page: args.page,
        at_mm,
        size_mm: args.size_mm,
        values,
    };
    let doc_date = match &args.doc_date {
        Some(d) => Some(
            time::Date::parse(d, &time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|_| UsageError::InvalidArgument { option: "--doc-date".into(), value: d.clone() })?,
        ),
        None => None,
    };
    let input = args.input.clone();
    // The leader's block is found by the leader's name; a seal (signed with the
    // agency's certificate) looks for the block by its title words only.
    let finder_name = if args.role == RoleArg::Personal { args.signer_name.clone().or(signer_name.clone()) } else { args.signer_name.clone() };
    let finder_title = args.signer_title.clone();
    let find_block = move |page: usize| kyso::stamp::locate::signature_block(&input, page, finder_name.as_deref(), finder_title.as_deref());
    // R8: the number and date are filled in by the clerk, with the agency signature.
    let fill = if args.role == RoleArg::Seal && (args.doc_number.is_some() || doc_date.is_some()) {
        Some(kyso::stamp::locate::number_and_date(&args.input, args.doc_number.as_deref(), doc_date)?)
    } else {
        None
    };
    Ok(plan::plan(&pdf, &req, &find_block, fill)?)
}
