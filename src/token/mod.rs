//! PKCS#11 tokens: finding drivers, listing tokens and certificates, and signing
//! with a token key (SPEC R14–R16).
//!
//! * [`drivers`]: known driver files per OS (`assets/token-drivers.toml`) and
//!   [`discover_modules`];
//! * `module` (private): one initialised PKCS#11 context per driver per process;
//! * [`inventory`]: [`list_tokens`] (`kyso tokens`; its text rendering lives in the CLI);
//! * [`classify`]: personal vs agency certificates (R15);
//! * [`pin`]: the [`Pin`] (never printed, zeroized) and the token's [`PinStatus`];
//! * [`mechanism`]: mechanism choice, DigestInfo and ECDSA signature encoding;
//! * [`change`]: [`change_pin`] (`C_SetPIN`, R16);
//! * [`unblock`]: [`unblock_pin`] (SO login with the unblock code, `C_InitPIN`, R16);
//! * [`import`]: [`import_certificate`] (a renewed certificate written beside its key, R16);
//! * [`signer`]: [`open_signer`] and [`TokenSigner`], the [`crate::Signer`] of a token;
//! * [`error`]: [`TokenError`], with Vietnamese and English messages;
//! * [`pe`]: the processor a Windows driver DLL is built for (32-bit drivers in
//!   `SysWOW64`); `winload` (private): loading a Windows driver with its own folder
//!   searched for its DLLs, and the loader's error codes as advice.
//!
//! Certificates and keys are paired by `CKA_ID`, never by label; slots are never
//! selected by index (they change when tokens are initialised or replugged). See
//! `docs/tokens.md`.

pub mod certinfo;
pub mod change;
pub mod classify;
pub mod drivers;
pub mod error;
pub mod import;
pub mod inventory;
pub mod mechanism;
mod module;
mod objects;
pub mod pe;
pub mod pin;
pub mod signer;
pub mod unblock;
mod winload;

pub use certinfo::{CertificateInfo, KeyEvidence, OtherCertificate};
pub use change::change_pin;
pub use classify::{classify_certificate, Classification, Role, RoleReason};
pub use drivers::{discover_modules, DriverTable, ModuleCandidate, ModuleOrigin, Os};
pub use error::{CertificateChoice, PinTries, ReportedError, TokenError};
pub use import::{import_certificate, ImportOptions, ImportReport};
pub use inventory::{list_candidates, list_tokens, Inventory, ModuleReport, TokenReport};
pub use mechanism::SignMechanism;
pub use pin::{Pin, PinStatus};
pub use signer::{open_signer, peek_certificate, TokenSelection, TokenSigner, TokenSignerInfo};
pub use unblock::{identify, unblock_pin, TokenIdentity};
