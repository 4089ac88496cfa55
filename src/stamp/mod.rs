//! Visible signatures (SPEC R1–R6, R8, R10): templates as data, finding the
//! place on the page, signature and seal images, and the appearance streams.
pub mod anchors;
pub mod appearance;
pub mod image;
pub mod locate;
pub mod place;
pub mod plan;
pub mod signer_check;
pub mod template;
pub mod text;
