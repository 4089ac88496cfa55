//! clap's errors as the rest of the CLI speaks: one line on standard error, in
//! Vietnamese (or English with `--lang en`), exit status 3. Help and version are
//! printed by clap as usual (standard output, status 0).

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use kyso::Lang;

/// Exit status of unusable arguments (the same as `kyso verify`'s usage errors).
pub const EXIT_USAGE: u8 = 3;

/// The language asked for on the command line (`--lang en`, `--lang=en`), read
/// without clap (which has just refused the arguments).
pub fn lang_of(args: &[OsString]) -> Lang {
    let mut it = args.iter().map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        let v = match a.strip_prefix("--lang=") {
            Some(v) => Some(v.to_owned()),
            None if a == "--lang" => it.next().map(|v| v.into_owned()),
            None => None,
        };
        if let Some(v) = v {
            return if v.eq_ignore_ascii_case("en") { Lang::En } else { Lang::Vi };
        }
    }
    Lang::Vi
}

fn context(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(v.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The one line for a usage error.
pub fn one_line(e: &clap::Error, lang: Lang) -> String {
    let arg = context(e, ContextKind::InvalidArg).unwrap_or_default();
    let value = context(e, ContextKind::InvalidValue).unwrap_or_default();
    let sub = context(e, ContextKind::InvalidSubcommand).unwrap_or_default();
    let valid = context(e, ContextKind::ValidValue).or_else(|| context(e, ContextKind::ValidSubcommand));
    let hint = valid.map(|v| match lang {
        Lang::Vi => format!(" (giá trị dùng được: {v})"),
        Lang::En => format!(" (possible values: {v})"),
    });
    let hint = hint.unwrap_or_default();
    let (vi, en) = match e.kind() {
        ErrorKind::UnknownArgument => (format!("Tham số không hợp lệ: {arg}"), format!("Unknown argument: {arg}")),
        ErrorKind::InvalidSubcommand => (format!("Không có lệnh {sub}{hint}"), format!("No command {sub}{hint}")),
        ErrorKind::InvalidValue => {
            (format!("Giá trị \"{value}\" không hợp lệ cho {arg}{hint}"), format!("Invalid value \"{value}\" for {arg}{hint}"))
        }
        ErrorKind::MissingRequiredArgument => (format!("Thiếu tham số bắt buộc: {arg}"), format!("Missing required argument: {arg}")),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            ("Thiếu lệnh (ví dụ: kyso sign, kyso verify)".to_owned(), "A command is missing (e.g. kyso sign, kyso verify)".to_owned())
        }
        ErrorKind::ArgumentConflict => {
            (format!("Tham số {arg} không dùng được cùng tham số đã cho"), format!("{arg} cannot be used with the arguments given"))
        }
        ErrorKind::NoEquals | ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            (format!("Số giá trị cho {arg} không đúng"), format!("Wrong number of values for {arg}"))
        }
        ErrorKind::ValueValidation => {
            (format!("Giá trị \"{value}\" không hợp lệ cho {arg}"), format!("Invalid value \"{value}\" for {arg}"))
        }
        _ => {
            let first = e.to_string().lines().next().unwrap_or_default().trim_start_matches("error: ").to_owned();
            (format!("Tham số không hợp lệ: {first}"), first)
        }
    };
    let text = match lang {
        Lang::Vi => format!("{vi}. Xem `kyso --help`."),
        Lang::En => format!("{en}. See `kyso --help`."),
    };
    super::one_line(&text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn err(args: &[&str]) -> clap::Error {
        super::super::Cli::try_parse_from(args).unwrap_err()
    }

    #[test]
    fn one_localized_line() {
        let e = err(&["kyso", "sign", "--no-such-flag"]);
        let vi = one_line(&e, Lang::Vi);
        assert!(vi.starts_with("Tham số không hợp lệ: --no-such-flag"), "{vi}");
        assert!(!vi.contains('\n'));
        let e = err(&["kyso", "fly"]);
        assert!(one_line(&e, Lang::En).starts_with("No command fly"), "{}", one_line(&e, Lang::En));
        let e = err(&["kyso", "--lang", "fr", "tokens"]);
        let vi = one_line(&e, Lang::Vi);
        assert!(vi.contains("\"fr\"") && vi.contains("--lang"), "{vi}");
    }

    #[test]
    fn lang_from_raw_args() {
        let a = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(lang_of(&a(&["kyso", "--lang", "en", "x"])), Lang::En);
        assert_eq!(lang_of(&a(&["kyso", "x", "--lang=en"])), Lang::En);
        assert_eq!(lang_of(&a(&["kyso", "x"])), Lang::Vi);
    }
}
