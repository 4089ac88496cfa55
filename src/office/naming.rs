//! Where a signed or sealed file goes: beside its input, never over anything.

use std::path::{Path, PathBuf};

/// `DIR/NAME.<suffix>.pdf`, or `NAME.<suffix>-2.pdf`, `-3`… when taken. The
/// input's own stem loses an earlier `.signed`/`.sealed` suffix, so a sealed
/// leader-signed draft is `qd.sealed.pdf`, not `qd.signed.sealed.pdf`.
pub fn output_beside(input: &Path, suffix: &str) -> PathBuf {
    let dir = input.parent().map(Path::to_path_buf).unwrap_or_default();
    let stem = input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "document".into());
    let base = strip_known_suffix(&stem);
    let first = dir.join(format!("{base}.{suffix}.pdf"));
    if !first.exists() {
        return first;
    }
    (2..10_000).map(|n| dir.join(format!("{base}.{suffix}-{n}.pdf"))).find(|p| !p.exists()).unwrap_or(first)
}

fn strip_known_suffix(stem: &str) -> String {
    for s in [".signed", ".sealed"] {
        if let Some(pos) = stem.rfind(s) {
            let rest = &stem[pos + s.len()..];
            if rest.is_empty() || (rest.starts_with('-') && rest[1..].chars().all(|c| c.is_ascii_digit())) {
                return stem[..pos].to_owned();
            }
        }
    }
    stem.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_beside_and_never_over() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("Quyết định 12.pdf");
        assert_eq!(output_beside(&input, "signed"), dir.path().join("Quyết định 12.signed.pdf"));
        std::fs::write(dir.path().join("Quyết định 12.signed.pdf"), b"x").unwrap();
        assert_eq!(output_beside(&input, "signed"), dir.path().join("Quyết định 12.signed-2.pdf"));
        let signed = dir.path().join("Quyết định 12.signed-2.pdf");
        assert_eq!(output_beside(&signed, "sealed"), dir.path().join("Quyết định 12.sealed.pdf"));
    }
}
