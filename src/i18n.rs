//! Vietnamese-first, English-second user messages.
//!
//! Core errors keep their reason as typed data; turning them into a sentence for a
//! clerk happens here, at the edge, through [`Localize`].

use serde::{Deserialize, Serialize};

/// The language of user-facing messages. Vietnamese is the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Tiếng Việt (default).
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// Pick the Vietnamese or the English text.
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

/// A value that can explain itself to a clerk or a leader in their language:
/// what went wrong and, where possible, what to do about it, in one line.
pub trait Localize {
    /// The one-line message in `lang`.
    fn localize(&self, lang: Lang) -> String;
}

/// Build a localized string from a Vietnamese and an English `format!` pattern.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $vi:expr, $en:expr $(, $arg:expr)* $(,)?) => {
        match $lang {
            $crate::i18n::Lang::Vi => format!($vi $(, $arg)*),
            $crate::i18n::Lang::En => format!($en $(, $arg)*),
        }
    };
}
