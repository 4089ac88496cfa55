//! The office's settings file: what the IT staff set once for every signature
//! made on a machine (time-stamping authorities, the level per role).
//!
//! ```toml
//! # settings.toml
//! tsa = ["http://tsa.ca.gov.vn", "http://tsa.example.vn/tsr"]   # tried in order
//!
//! [level]           # b-b, b-t, b-lt or b-lta; absent: b-t when a TSA is set, else b-b
//! personal = "b-t"
//! seal = "b-lt"
//!
//! [bridge]          # the e-office bridge of the desktop app
//! allow_origins = ["https://qlvb.example.gov.vn"]   # never asked
//! ```
//!
//! The first file found is used: `$KYSO_SETTINGS`, the user's
//! `<config dir>/kyso/settings.toml`, then the machine's
//! (`/etc/kyso/settings.toml`; `%ProgramData%\KySo\settings.toml` on Windows).
//! No TSA is built in.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::i18n::{Lang, Localize};
use crate::job::JobRole;
use crate::longterm::SigningLevel;
use crate::tr;

/// The settings that shape a signature.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Time-stamping authority addresses, tried in order.
    pub tsa: Vec<String>,
    /// The level per role.
    pub level: RoleLevels,
    /// The e-office bridge.
    pub bridge: BridgeSettings,
    /// Where these settings were read from (`None`: no file, the defaults).
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

/// A signing level per role; `None` takes the default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RoleLevels {
    /// A person's signature.
    pub personal: Option<SigningLevel>,
    /// The agency's seal on an issued document.
    pub seal: Option<SigningLevel>,
    /// The agency's signature on an electronic copy.
    pub copy: Option<SigningLevel>,
    /// The agency's signature on an annex.
    pub annex: Option<SigningLevel>,
}

/// The e-office bridge's settings (`[bridge]`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BridgeSettings {
    /// Web page origins IT allows to call the bridge (never asked).
    pub allow_origins: Vec<String>,
}

/// The settings file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// It could not be read.
    #[error("cannot read the settings file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It is not valid TOML or has unknown keys or values.
    #[error("the settings file {path} is not valid: {detail}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        detail: String,
    },
}

impl Localize for SettingsError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            SettingsError::Read { path, source } => {
                tr!(lang, "Không đọc được tệp cấu hình {}: {}", "Cannot read the settings file {}: {}", path.display(), source)
            }
            SettingsError::Invalid { path, detail } => tr!(
                lang,
                "Tệp cấu hình {} không hợp lệ: {}. Hãy sửa lại (xem docs/admin-guide.md).",
                "The settings file {} is not valid: {}. Fix it (see docs/admin-guide.md).",
                path.display(),
                detail
            ),
        }
    }
}

impl Settings {
    /// Read the first settings file found (see the module docs); none found is the defaults.
    pub fn load() -> Result<Settings, SettingsError> {
        match candidates().into_iter().find(|p| p.is_file()) {
            Some(p) => Settings::from_file(&p),
            None => Ok(Settings::default()),
        }
    }

    /// Read `path`.
    pub fn from_file(path: &Path) -> Result<Settings, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read { path: path.to_owned(), source })?;
        let mut s: Settings =
            toml::from_str(&text).map_err(|e| SettingsError::Invalid { path: path.to_owned(), detail: e.message().to_owned() })?;
        s.source = Some(path.to_owned());
        Ok(s)
    }

    /// The level configured for `role`, if any.
    pub fn level_for(&self, role: JobRole) -> Option<SigningLevel> {
        match role {
            JobRole::Personal => self.level.personal,
            JobRole::Seal => self.level.seal,
            JobRole::Copy => self.level.copy,
            JobRole::Annex => self.level.annex,
        }
    }
}

/// Where settings files are looked for, in order.
pub fn candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(p) = std::env::var_os("KYSO_SETTINGS") {
        out.push(PathBuf::from(p));
        return out;
    }
    if let Some(d) = dirs::config_dir() {
        out.push(d.join("kyso").join("settings.toml"));
    }
    #[cfg(windows)]
    if let Some(d) = std::env::var_os("ProgramData") {
        out.push(PathBuf::from(d).join("KySo").join("settings.toml"));
    }
    #[cfg(not(windows))]
    out.push(PathBuf::from("/etc/kyso/settings.toml"));
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_levels_and_addresses_and_refuse_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("settings.toml");
        std::fs::write(&p, "tsa = [\"http://127.0.0.1:1/tsa\", \"http://b/\"]\n[level]\nseal = \"b-lt\"\n").unwrap();
        let s = Settings::from_file(&p).unwrap();
        assert_eq!(s.tsa.len(), 2);
        assert_eq!(s.level_for(JobRole::Seal), Some(SigningLevel::BLt));
        assert_eq!(s.level_for(JobRole::Personal), None);
        assert!(s.bridge.allow_origins.is_empty());
        std::fs::write(&p, "[bridge]\nallow_origins = [\"https://qlvb.example.vn\"]\n").unwrap();
        assert_eq!(Settings::from_file(&p).unwrap().bridge.allow_origins, ["https://qlvb.example.vn"]);
        std::fs::write(&p, "[bridge]\nallow = []\n").unwrap();
        assert!(matches!(Settings::from_file(&p), Err(SettingsError::Invalid { .. })));
        std::fs::write(&p, "tsa_url = \"x\"\n").unwrap();
        assert!(matches!(Settings::from_file(&p), Err(SettingsError::Invalid { .. })));
        std::fs::write(&p, "[level]\nseal = \"b-x\"\n").unwrap();
        let e = Settings::from_file(&p).unwrap_err();
        assert!(e.localize(Lang::Vi).contains("không hợp lệ"), "{e}");
    }
}
