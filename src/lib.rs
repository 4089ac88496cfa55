//! # KýSố core
//!
//! Everything that matters in KýSố lives here, free of any window or web page:
//! PKCS#11 tokens ([`token`]), PDF reading and append-only writing ([`pdf`]),
//! CMS/PAdES signatures ([`cms`]), the staged signing pipeline ([`sign`]) and the
//! software identities used by the demo and by people without a token ([`identity`]).
//!
//! The crate never modifies an input file: every output is written to a temporary
//! file next to its destination and renamed into place only when complete.
// One exception, Windows only: loading a driver DLL with its own folder searched
// (`token::winload::preload`).
#![deny(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod agent;
pub mod atomic;
pub mod bridge;
pub mod cms;
pub mod demo;
pub mod error;
pub mod i18n;
pub mod identity;
pub mod input;
pub mod job;
pub mod longterm;
pub mod office;
pub mod pdf;
pub mod queue;
pub mod records;
pub mod settings;
pub mod sign;
pub mod signer;
pub mod stamp;
pub mod text;
pub mod time;
pub mod token;
pub mod trust;
pub mod tsa;
pub mod verify;
pub mod workflow;

pub use error::Error;
pub use i18n::Lang;
pub use signer::{KeyKind, Signer};
