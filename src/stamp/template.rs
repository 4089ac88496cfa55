//! Stamp templates as data (SPEC R6): the TOML files in `signature-templates/`
//! (built in), in the user's config folder (`kyso/templates/`, added or replacing
//! by name, no rebuild), or a file given with `--template`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The built-in templates, compiled in from `signature-templates/`.
const BUILTIN: [(&str, &str); 9] = [
    ("personal", include_str!("../../signature-templates/personal.toml")),
    ("seal", include_str!("../../signature-templates/seal.toml")),
    ("copy", include_str!("../../signature-templates/copy.toml")),
    ("annex", include_str!("../../signature-templates/annex.toml")),
    ("scanned", include_str!("../../signature-templates/scanned.toml")),
    ("incoming", include_str!("../../signature-templates/incoming.toml")),
    ("party-personal", include_str!("../../signature-templates/party-personal.toml")),
    ("party-agency", include_str!("../../signature-templates/party-agency.toml")),
    ("party-archive", include_str!("../../signature-templates/party-archive.toml")),
];

/// A stamp template.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Template {
    /// Template name.
    pub name: String,
    /// `personal`, `seal`, `copy` or `annex`.
    pub role: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// Which page.
    #[serde(default)]
    pub page: PageRule,
    /// Where on the page.
    #[serde(default)]
    pub anchor: AnchorRule,
    /// The image, if any.
    #[serde(default)]
    pub image: ImageRule,
    /// Size in millimetres.
    #[serde(default)]
    pub size: SizeRule,
    /// Position when nothing is found (mm from the page's top-left corner).
    #[serde(default)]
    pub default: Option<Position>,
    /// Text lines.
    #[serde(default)]
    pub text: Option<TextRule>,
}

/// `[page]`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct PageRule {
    /// `first`, `last`, `number`, `anchor`.
    #[serde(default = "default_rule")]
    pub rule: String,
    /// Page number (1-based) for `number`.
    #[serde(default)]
    pub number: Option<usize>,
    /// `first` or `last` when `anchor` finds nothing.
    #[serde(default)]
    pub fallback: Option<String>,
}

fn default_rule() -> String {
    "last".into()
}

impl Default for PageRule {
    fn default() -> Self {
        PageRule { rule: default_rule(), number: None, fallback: None }
    }
}

/// `[anchor]`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct AnchorRule {
    /// `signature-block`, `seal-over-personal`, `top-right`, `top-center`, `top-left`, `bottom-right`.
    #[serde(default)]
    pub kind: String,
    /// Margin from the page edge, mm.
    #[serde(default)]
    pub margin_mm: Option<f64>,
    /// Fraction of the personal signature's width the seal covers.
    #[serde(default)]
    pub cover_fraction: Option<f64>,
    /// Anchor kind to use when this one finds nothing.
    #[serde(default)]
    pub fallback: Option<String>,
}

/// `[image]`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct ImageRule {
    /// Whether the stamp shows an image.
    #[serde(default, rename = "use")]
    pub use_image: bool,
    /// `blue` or `red`.
    #[serde(default)]
    pub ink: Option<String>,
}

/// `[size]`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct SizeRule {
    /// Width, mm.
    #[serde(default)]
    pub width_mm: Option<f64>,
    /// Height, mm.
    #[serde(default)]
    pub height_mm: Option<f64>,
}

/// A position in mm from the page's top-left corner (the stamp's top-left).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
pub struct Position {
    /// From the left edge.
    pub x_mm: f64,
    /// From the top edge.
    pub y_mm: f64,
}

/// `[text]`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct TextRule {
    /// Font name (Tinos is the one shipped).
    #[serde(default = "default_font")]
    pub font: String,
    /// Size in points.
    #[serde(default = "default_size")]
    pub size_pt: f64,
    /// Colour as `RRGGBB`.
    #[serde(default = "default_color")]
    pub color: String,
    /// Lines with `{placeholders}`.
    #[serde(default)]
    pub lines: Vec<String>,
}

fn default_font() -> String {
    "Tinos".into()
}
fn default_size() -> f64 {
    10.0
}
fn default_color() -> String {
    "000000".into()
}

/// Why a template could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// No template by that name.
    #[error("no template named {name} (known: {known})")]
    Unknown {
        /// The name asked for.
        name: String,
        /// The names available.
        known: String,
    },
    /// The file is not a valid template.
    #[error("template {path}: {detail}")]
    Invalid {
        /// File or name.
        path: String,
        /// What is wrong.
        detail: String,
    },
}

impl crate::i18n::Localize for TemplateError {
    fn localize(&self, lang: crate::Lang) -> String {
        match self {
            TemplateError::Unknown { name, known } => crate::tr!(
                lang,
                "Không có mẫu chữ ký tên {} (các mẫu hiện có: {}).",
                "No signature template named {} (available: {}).",
                name,
                known
            ),
            TemplateError::Invalid { path, detail } => {
                crate::tr!(lang, "Mẫu chữ ký {} không hợp lệ: {}.", "Signature template {} is invalid: {}.", path, detail)
            }
        }
    }
}

impl Template {
    /// Parse a template from TOML text.
    pub fn parse(text: &str, origin: &str) -> Result<Template, TemplateError> {
        let t: Template = toml::from_str(text).map_err(|e| TemplateError::Invalid { path: origin.into(), detail: e.to_string() })?;
        if !["personal", "seal", "copy", "annex"].contains(&t.role.as_str()) {
            return Err(TemplateError::Invalid { path: origin.into(), detail: format!("unknown role {}", t.role) });
        }
        Ok(t)
    }

    /// Substitute `{placeholders}` in each text line; unknown placeholders stay
    /// visible so a mistake shows up rather than vanishing; empty lines are dropped.
    pub fn lines(&self, values: &BTreeMap<&str, String>) -> Vec<String> {
        let Some(text) = &self.text else { return Vec::new() };
        text.lines
            .iter()
            .map(|l| {
                let mut s = l.clone();
                for (k, v) in values {
                    s = s.replace(&format!("{{{k}}}"), v);
                }
                s.trim().to_owned()
            })
            .filter(|l| !l.is_empty())
            .collect()
    }
}

/// The user's template folder (`<config>/kyso/templates`).
pub fn user_dir() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("kyso").join("templates"))
}

/// All templates by name: built-in, then the user's folder (replacing by name).
pub fn all() -> BTreeMap<String, Template> {
    let mut map = BTreeMap::new();
    for (name, text) in BUILTIN {
        if let Ok(t) = Template::parse(text, name) {
            map.insert(t.name.clone(), t);
        }
    }
    if let Some(dir) = user_dir() {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "toml") {
                    if let Ok(text) = std::fs::read_to_string(&p) {
                        if let Ok(t) = Template::parse(&text, &p.display().to_string()) {
                            map.insert(t.name.clone(), t);
                        }
                    }
                }
            }
        }
    }
    map
}

/// A template by name, or from a `.toml` file path.
pub fn load(name_or_file: &str) -> Result<Template, TemplateError> {
    let p = Path::new(name_or_file);
    if name_or_file.ends_with(".toml") || p.exists() {
        let text = std::fs::read_to_string(p).map_err(|e| TemplateError::Invalid { path: name_or_file.into(), detail: e.to_string() })?;
        return Template::parse(&text, name_or_file);
    }
    let all = all();
    all.get(name_or_file)
        .cloned()
        .ok_or_else(|| TemplateError::Unknown { name: name_or_file.into(), known: all.keys().cloned().collect::<Vec<_>>().join(", ") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_parse() {
        for (name, text) in BUILTIN {
            let t = Template::parse(text, name).expect(name);
            assert_eq!(t.name, name);
        }
        let seal = load("seal").expect("seal");
        assert_eq!(seal.size.width_mm, Some(36.0));
        assert_eq!(seal.image.ink.as_deref(), Some("red"));
    }

    #[test]
    fn placeholders() {
        let t = load("copy").expect("copy");
        let mut v = BTreeMap::new();
        v.insert("copy_form", "SAO Y".to_string());
        v.insert("org_name", "UBND tỉnh Thử Nghiệm".to_string());
        v.insert("signing_time", "2026-11-22T09:15:30+07:00".to_string());
        assert_eq!(t.lines(&v), vec!["SAO Y", "UBND tỉnh Thử Nghiệm", "2026-11-22T09:15:30+07:00"]);
    }

    #[test]
    fn unknown_template_lists_known_ones() {
        let e = load("nope").expect_err("unknown");
        assert!(e.to_string().contains("personal"));
    }
}
