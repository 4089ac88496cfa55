//! Visible signatures (SPEC R1–R6, R8, R10): templates as data, finding the
//! place on the page, signature and seal images, and the appearance streams.
pub mod template;
pub mod appearance;
pub mod place;
pub mod plan;
pub mod locate;
pub mod image;
pub mod text;
pub mod anchors;
