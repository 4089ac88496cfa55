//! Text in PDF: an embedded TrueType font with full Vietnamese coverage, measured
//! and subset for each document, and a small writer of new PDF documents.
//!
//! - [`font`]: [`EmbeddedFont`] (the bundled Tinos, metric-compatible with Times New
//!   Roman as SPEC R3 asks) measures text and produces a [`FontSubset`]: the PDF
//!   objects of a Type0 / CIDFontType2 font with Identity-H encoding, `/W` widths and
//!   a `/ToUnicode` map, plus the glyph-id bytes of a string for a `Tj` operand.
//! - [`document`]: [`DocumentWriter`] lays out word-wrapped paragraphs and
//!   label/value rows on A4 pages and returns the bytes of a whole new PDF
//!   (rejection notices, SPEC R11).
//!
//! What it does not do: no shaping (kerning, ligatures, mark positioning) and no
//! bidirectional text. Text is normalised to NFC first, so Vietnamese letters typed
//! as a base letter plus combining marks are drawn with the font's precomposed
//! glyphs. A character the font lacks is an error naming it, never a silent gap.

pub mod document;
pub mod font;

pub use document::{Align, DocumentWriter, PageSetup, TextStyle};
pub use font::{EmbeddedFont, FontRefs, FontSubset, LineMetrics};

use crate::i18n::{Lang, Localize};
use crate::tr;

/// Everything that can go wrong measuring, subsetting or writing text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// The font has no glyph for these characters (after NFC normalisation).
    #[error("font {font} has no glyph for {}", describe_chars(.chars))]
    MissingGlyphs {
        /// The font's PostScript name.
        font: String,
        /// Each missing character once, in order of first appearance.
        chars: Vec<char>,
    },
    /// A string was encoded with a subset made for other text.
    #[error("the font subset {font} was not made for {}", describe_chars(.chars))]
    NotInSubset {
        /// The subset's base font name.
        font: String,
        /// Each character outside the subset once, in order of first appearance.
        chars: Vec<char>,
    },
    /// The font data is not a usable TrueType font.
    #[error("unusable font: {0}")]
    BadFont(String),
    /// Subsetting or serialising the font failed (a bug or an unsupported font).
    #[error("cannot embed font {font}: {detail}")]
    Embed {
        /// The font's PostScript name.
        font: String,
        /// What failed.
        detail: String,
    },
    /// A page setup or text style that cannot be laid out (API misuse, never caused by text).
    #[error("invalid layout: {0}")]
    Layout(String),
}

/// `'中' (U+4E2D), '\u{7}' (U+0007)`.
pub fn describe_chars(chars: &[char]) -> String {
    chars
        .iter()
        .map(|c| if c.is_control() { format!("U+{:04X}", u32::from(*c)) } else { format!("'{c}' (U+{:04X})", u32::from(*c)) })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Localize for TextError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            TextError::MissingGlyphs { font, chars } => tr!(
                lang,
                "Phông chữ {} không có ký tự {}; không thể viết văn bản này vào PDF.",
                "Font {} has no glyph for {}; this text cannot be written to the PDF.",
                font,
                describe_chars(chars)
            ),
            TextError::NotInSubset { font, chars } => tr!(
                lang,
                "Lỗi phần mềm: bộ phông {} không chứa {}.",
                "Software bug: font subset {} does not contain {}.",
                font,
                describe_chars(chars)
            ),
            TextError::BadFont(why) => tr!(lang, "Tệp phông chữ không dùng được: {}.", "Unusable font file: {}.", why),
            TextError::Embed { font, detail } => {
                tr!(lang, "Không nhúng được phông chữ {} vào PDF: {}.", "Cannot embed font {} in the PDF: {}.", font, detail)
            }
            TextError::Layout(why) => {
                tr!(lang, "Lỗi phần mềm: bố cục trang không hợp lệ ({}).", "Software bug: invalid page layout ({}).", why)
            }
        }
    }
}
