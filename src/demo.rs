//! The demo: sign and verify with a generated identity that is clearly marked as
//! not legally valid, so anyone can try KýSố without a token.

use std::path::{Path, PathBuf};

use crate::identity::demo::{self as demo_id, Holder};
use crate::identity::SoftwareSigner;

// ---- Demo identity (see `crate::identity::demo` for the layout and atomicity) ----

/// The demo personal identity "Nguyễn Văn Demo (DEMO — không có giá trị pháp lý)",
/// issued by the demo root "KýSố DEMO Root — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ".
///
/// On first use the whole demo set (root, personal and agency certificates, P-256
/// keys as PKCS#8 PEM with mode 0600 on Unix) is generated into `dir` — typically
/// `dirs::data_dir()/kyso/demo` — atomically; later calls load it. A set that is
/// damaged or expires within a day is moved aside and replaced.
pub fn demo_identity(dir: &Path) -> Result<SoftwareSigner, crate::Error> {
    demo_id::load_or_create(dir, Holder::Personal)
}

/// The demo agency identity "Ủy ban nhân dân tỉnh Demo (DEMO)"
/// (`UID=MST:0000000000`), from the same set as [`demo_identity`].
pub fn demo_agency_identity(dir: &Path) -> Result<SoftwareSigner, crate::Error> {
    demo_id::load_or_create(dir, Holder::Agency)
}

/// Where the demo root certificate (PEM) is, to verify demo signatures against
/// (`pyhanko … --trust`, `openssl verify -CAfile`). It exists once
/// [`demo_identity`] or [`demo_agency_identity`] has run for `dir`.
pub fn demo_root_pem(dir: &Path) -> PathBuf {
    demo_id::root_pem(dir)
}
