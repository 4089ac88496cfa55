//! Finding PKCS#11 drivers (modules) on this computer.
//!
//! The known driver file names and folders per OS are data, in
//! `assets/token-drivers.toml`, embedded at build time. A file of the same format at
//! `<config dir>/kyso/token-drivers.toml` adds entries (tried first) without a rebuild.
//! [`discover_modules`] returns modules the user named first, then every known driver
//! that exists on disk, each real file once.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::TokenError;
use super::pe::{machine_of_file, Arch};

/// The built-in driver list (`assets/token-drivers.toml`).
pub const BUILTIN_DRIVERS: &str = include_str!("../../assets/token-drivers.toml");

/// An operating system family, which picks the file names and folders to try.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Os {
    /// Microsoft Windows.
    Windows,
    /// Linux and other Unix-likes except macOS.
    Linux,
    /// macOS.
    Macos,
}

impl Os {
    /// The OS this program runs on.
    pub fn current() -> Os {
        if cfg!(target_os = "windows") {
            Os::Windows
        } else if cfg!(target_os = "macos") {
            Os::Macos
        } else {
            Os::Linux
        }
    }
}

/// Per-OS lists of strings, as written in the driver file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PerOs {
    #[serde(default)]
    windows: Vec<String>,
    #[serde(default)]
    linux: Vec<String>,
    #[serde(default)]
    macos: Vec<String>,
}

impl PerOs {
    fn get(&self, os: Os) -> &[String] {
        match os {
            Os::Windows => &self.windows,
            Os::Linux => &self.linux,
            Os::Macos => &self.macos,
        }
    }
}

/// One vendor's driver in the driver file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DriverEntry {
    vendor: String,
    #[serde(default)]
    test: bool,
    #[serde(default)]
    windows: Vec<String>,
    #[serde(default)]
    linux: Vec<String>,
    #[serde(default)]
    macos: Vec<String>,
}

impl DriverEntry {
    fn files(&self, os: Os) -> &[String] {
        match os {
            Os::Windows => &self.windows,
            Os::Linux => &self.linux,
            Os::Macos => &self.macos,
        }
    }
}

/// The whole driver file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DriverFile {
    #[serde(default)]
    folders: PerOs,
    #[serde(default, rename = "driver")]
    drivers: Vec<DriverEntry>,
}

/// A list of known drivers: where to look and which vendor each file belongs to.
#[derive(Clone, Debug, Default)]
pub struct DriverTable {
    file: DriverFile,
}

impl DriverTable {
    /// Parse a driver list in the `token-drivers.toml` format; `path` only names the
    /// source in the error.
    pub fn from_toml(text: &str, path: &Path) -> Result<DriverTable, TokenError> {
        toml::from_str::<DriverFile>(text)
            .map(|file| DriverTable { file })
            .map_err(|e| TokenError::DriverList { path: path.to_owned(), reason: e.message().to_owned() })
    }

    /// The built-in list. It is tested to parse; should it ever not, the result is
    /// empty rather than a panic.
    pub fn builtin() -> DriverTable {
        DriverTable::from_toml(BUILTIN_DRIVERS, Path::new("<built-in>")).unwrap_or_default()
    }

    /// The user's override file, `<config dir>/kyso/token-drivers.toml`, if present:
    /// `None` when there is none, `Some(Err)` when it cannot be read or parsed (the CLI
    /// can warn; discovery then ignores it).
    pub fn user() -> Option<Result<DriverTable, TokenError>> {
        let path = user_driver_file()?;
        if !path.is_file() {
            return None;
        }
        Some(
            std::fs::read_to_string(&path)
                .map_err(|e| TokenError::DriverList { path: path.clone(), reason: e.to_string() })
                .and_then(|text| DriverTable::from_toml(&text, &path)),
        )
    }

    /// The user's entries (if any, and valid) in front of the built-in ones.
    pub fn effective() -> DriverTable {
        let mut table = DriverTable::builtin();
        if let Some(Ok(user)) = DriverTable::user() {
            table.prepend(user);
        }
        table
    }

    /// Put `other`'s folders and drivers in front of this table's.
    pub fn prepend(&mut self, other: DriverTable) {
        fn front(mine: &mut Vec<String>, theirs: Vec<String>) {
            let rest = std::mem::take(mine);
            *mine = theirs;
            mine.extend(rest);
        }
        let DriverFile { folders, drivers } = other.file;
        front(&mut self.file.folders.windows, folders.windows);
        front(&mut self.file.folders.linux, folders.linux);
        front(&mut self.file.folders.macos, folders.macos);
        let rest = std::mem::take(&mut self.file.drivers);
        self.file.drivers = drivers;
        self.file.drivers.extend(rest);
    }

    /// Every place a known driver could be on `os`, in order, with its vendor and
    /// whether it is a test driver (existing or not). Variables are expanded from this
    /// process's environment.
    pub fn locations(&self, os: Os) -> Vec<(PathBuf, String, bool)> {
        self.locations_with(os, &env_var)
    }

    /// [`DriverTable::locations`] with variables looked up by `var` (tests: another
    /// computer's `%SystemRoot%`). A bare file name is joined to each folder with the
    /// folder's own separator, so `%SystemRoot%\System32` gives
    /// `C:\Windows\System32\x.dll` wherever this runs.
    pub fn locations_with(&self, os: Os, var: &dyn Fn(&str) -> Option<String>) -> Vec<(PathBuf, String, bool)> {
        let folders: Vec<String> = self.file.folders.get(os).iter().map(|f| expand_with(f, var)).collect();
        let mut out = Vec::new();
        for d in &self.file.drivers {
            for name in d.files(os) {
                let name = expand_with(name, var);
                if name.contains('/') || name.contains('\\') {
                    out.push((PathBuf::from(name), d.vendor.clone(), d.test));
                } else {
                    for f in &folders {
                        out.push((PathBuf::from(join_in_folder(f, &name)), d.vendor.clone(), d.test));
                    }
                }
            }
        }
        out
    }

    /// The vendor whose driver has this file name (compared without case), if known.
    pub fn vendor_of(&self, path: &Path) -> Option<(String, bool)> {
        // Split on both separators so Windows paths are understood everywhere.
        let full = path.to_string_lossy().replace('\\', "/");
        let file = full.rsplit('/').next().filter(|f| !f.is_empty())?.to_lowercase();
        self.file.drivers.iter().find_map(|d| {
            let hit = [Os::Windows, Os::Linux, Os::Macos].iter().any(|os| {
                d.files(*os).iter().any(|n| {
                    let n = n.replace('\\', "/");
                    n.rsplit('/').next().is_some_and(|base| base.to_lowercase() == file)
                })
            });
            hit.then(|| (d.vendor.clone(), d.test))
        })
    }
}

/// `<config dir>/kyso/token-drivers.toml`.
pub fn user_driver_file() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("kyso").join("token-drivers.toml"))
}

/// `folder` + `name` with the folder's separator (`\` when it has one, else `/`).
fn join_in_folder(folder: &str, name: &str) -> String {
    let sep = if folder.contains('\\') { '\\' } else { '/' };
    let base = folder.trim_end_matches(['/', '\\']);
    format!("{base}{sep}{name}")
}

/// An environment variable of this process (on Windows names ignore case).
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Expand `%VAR%`, `$VAR`, `${VAR}` and a leading `~` from the environment.
#[cfg(test)]
fn expand(s: &str) -> String {
    expand_with(s, &env_var)
}

/// Expand `%VAR%`, `$VAR`, `${VAR}` and a leading `~`, looking variables up with
/// `lookup`. Unset variables expand to nothing except `%SystemRoot%` (`C:\Windows`)
/// and `%ProgramFiles%` (`C:\Program Files`), so Windows paths stay sensible.
fn expand_with(s: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let var = |name: &str| -> String {
        lookup(name).unwrap_or_else(|| match name.to_ascii_lowercase().as_str() {
            "systemroot" | "windir" => r"C:\Windows".to_owned(),
            "programfiles" => r"C:\Program Files".to_owned(),
            _ => String::new(),
        })
    };
    let mut out = String::new();
    let mut rest = s;
    if let Some(tail) = rest.strip_prefix('~') {
        if tail.is_empty() || tail.starts_with('/') || tail.starts_with('\\') {
            out.push_str(&dirs::home_dir().map(|h| h.display().to_string()).unwrap_or_default());
            rest = tail;
        }
    }
    while let Some(c) = rest.chars().next() {
        if c == '%' {
            if let Some(end) = rest[1..].find('%') {
                out.push_str(&var(&rest[1..1 + end]));
                rest = &rest[end + 2..];
                continue;
            }
        } else if c == '$' {
            let (name, len) = if let Some(inner) = rest.strip_prefix("${") {
                match inner.find('}') {
                    Some(end) => (&inner[..end], end + 3),
                    None => ("", 0),
                }
            } else {
                let n = rest[1..].find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_')).unwrap_or(rest.len() - 1);
                (&rest[1..1 + n], n + 1)
            };
            if !name.is_empty() {
                out.push_str(&var(name));
                rest = &rest[len..];
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Why a module is on the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ModuleOrigin {
    /// Named by the user (`--module`); failing to load it is an error when signing.
    Explicit,
    /// A known driver found on disk.
    Discovered,
}

/// A PKCS#11 module to try.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModuleCandidate {
    /// The module file.
    pub path: PathBuf,
    /// The vendor, when the file name is in the driver list.
    pub vendor: Option<String>,
    /// Named by the user or found.
    pub origin: ModuleOrigin,
    /// A driver for testing only (SoftHSM2).
    pub test_driver: bool,
}

fn canonical(p: &Path) -> PathBuf {
    dunce::canonicalize(p).unwrap_or_else(|_| p.to_owned())
}

/// The modules to try: the `extra` paths (`--module`) first, in order, whether they
/// exist or not, then every known driver ([`DriverTable::effective`]) found on disk.
/// Each real file appears once (compared by canonical path).
pub fn discover_modules(extra: &[PathBuf]) -> Vec<ModuleCandidate> {
    discover_in(&DriverTable::effective(), Os::current(), extra)
}

/// [`discover_modules`] with an explicit table and OS (for tests and tools).
///
/// On Windows, a DLL found that is built for another processor than this program
/// (the 32-bit copy in `SysWOW64` beside the 64-bit one in `System32`) is left out when
/// the same vendor has a usable one, and kept otherwise, so that loading it explains
/// which driver to install.
pub fn discover_in(table: &DriverTable, os: Os, extra: &[PathBuf]) -> Vec<ModuleCandidate> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for p in extra {
        if seen.insert(canonical(p)) {
            let v = table.vendor_of(p);
            out.push(ModuleCandidate {
                path: p.clone(),
                vendor: v.as_ref().map(|(name, _)| name.clone()),
                origin: ModuleOrigin::Explicit,
                test_driver: v.is_some_and(|(_, t)| t),
            });
        }
    }
    let mut found = Vec::new();
    for (path, vendor, test) in table.locations(os) {
        if path.is_file() && seen.insert(canonical(&path)) {
            let usable = os != Os::Windows || machine_of_file(&path).is_none_or(|a| a == Arch::of_this_program());
            let candidate = ModuleCandidate { path, vendor: Some(vendor), origin: ModuleOrigin::Discovered, test_driver: test };
            found.push((candidate, usable));
        }
    }
    let usable_vendors: HashSet<Option<String>> = found.iter().filter(|(_, usable)| *usable).map(|(c, _)| c.vendor.clone()).collect();
    out.extend(found.into_iter().filter(|(c, usable)| *usable || !usable_vendors.contains(&c.vendor)).map(|(c, _)| c));
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn builtin_list_parses_and_names_vietnamese_drivers() {
        let t = DriverTable::from_toml(BUILTIN_DRIVERS, Path::new("x"));
        assert!(t.is_ok(), "{t:?}");
        let t = DriverTable::builtin();
        let win = t.locations(Os::Windows);
        for name in ["vnptca_p11_v10.dll", "viettel-ca_v6.dll", "BkavCA.dll", "eTPKCS11.dll"] {
            assert!(win.iter().any(|(p, _, _)| p.to_string_lossy().ends_with(name)), "{name} missing");
        }
        // (%SystemRoot% is `C:\windows` under Wine: compare without case.)
        assert!(win.iter().any(|(p, _, _)| p.to_string_lossy().to_lowercase().contains(r"windows\syswow64")));
        let linux = t.locations(Os::Linux);
        assert!(linux.iter().any(|(p, _, _)| p == Path::new("/usr/lib/viettel-ca_v6.so")));
        assert!(linux.iter().any(|(p, _, t)| *t && p == Path::new("/usr/lib/softhsm/libsofthsm2.so")));
        assert_eq!(t.vendor_of(Path::new(r"C:\Windows\System32\VNPTCA_P11_V8.DLL")).map(|v| v.0), Some("VNPT-CA".to_owned()));
    }

    /// A symbolic link names the same file (Unix: creating one on Windows needs a privilege).
    #[cfg(unix)]
    #[test]
    fn explicit_first_then_found_deduplicated() {
        let dir = tempfile::tempdir().unwrap();
        let lib = dir.path().join("libbit4xpki.so");
        std::fs::write(&lib, b"").unwrap();
        let link = dir.path().join("other.so");
        std::os::unix::fs::symlink(&lib, &link).unwrap();
        let toml = format!(
            "[folders]\nlinux = [{:?}]\n[[driver]]\nvendor = \"Bit4id\"\nlinux = [\"libbit4xpki.so\", \"libnothere.so\"]\n",
            dir.path().display().to_string()
        );
        let table = DriverTable::from_toml(&toml, Path::new("t")).unwrap();
        let missing = PathBuf::from("/nonexistent/x.so");
        let found = discover_in(&table, Os::Linux, &[missing.clone(), link.clone()]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].path, missing);
        assert_eq!(found[0].origin, ModuleOrigin::Explicit);
        assert_eq!(found[1].path, link, "the symlink names the same file: listed once");
    }

    #[test]
    fn windows_locations_join_with_backslashes_under_system_root() {
        let t = DriverTable::builtin();
        let lookup = |name: &str| match name.to_ascii_lowercase().as_str() {
            "systemroot" => Some(r"D:\WINNT".to_owned()),
            "programfiles" => Some(r"D:\Chương trình".to_owned()),
            _ => None,
        };
        let win: Vec<String> =
            t.locations_with(Os::Windows, &lookup).into_iter().map(|(p, _, _)| p.to_string_lossy().into_owned()).collect();
        let at = |s: &str| win.iter().position(|p| p == s).unwrap_or_else(|| panic!("{s} not in {win:#?}"));
        // Each bare name in System32 first, then SysWOW64, joined with `\` only.
        assert!(at(r"D:\WINNT\System32\vnptca_p11_v10.dll") < at(r"D:\WINNT\SysWOW64\vnptca_p11_v10.dll"));
        assert!(at(r"D:\WINNT\System32\eTPKCS11.dll") < at(r"D:\WINNT\SysWOW64\eTPKCS11.dll"));
        at(r"D:\WINNT\System32\viettel-ca_v6.dll");
        at(r"D:\WINNT\System32\BkavCA.dll");
        // An absolute entry is used as is, after expansion.
        at(r"D:\Chương trình\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll");
        at(r"C:\SoftHSM2\lib\softhsm2-x64.dll");
        assert!(win.iter().all(|p| !p.contains('/')), "no forward slash in Windows paths");
        // Without the variables: the usual folders.
        let plain = t.locations_with(Os::Windows, &|_| None);
        assert!(plain.iter().any(|(p, _, _)| p == Path::new(r"C:\Windows\System32\fpt-ca.dll")));
        assert!(plain.iter().any(|(p, _, _)| { p == Path::new(r"C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll") }));
    }

    #[test]
    fn join_keeps_the_folder_separator() {
        assert_eq!(join_in_folder(r"C:\Windows\System32\", "a.dll"), r"C:\Windows\System32\a.dll");
        assert_eq!(join_in_folder("/usr/lib/", "a.so"), "/usr/lib/a.so");
        assert_eq!(join_in_folder("/usr/lib", "a.so"), "/usr/lib/a.so");
    }

    /// A fake Windows folder pair: the 64-bit copy of a driver in System32 and the
    /// 32-bit one in SysWOW64 (only the PE header matters for discovery).
    #[test]
    fn windows_discovery_prefers_the_copy_this_program_can_load() {
        let dir = tempfile::tempdir().unwrap();
        let sys32 = dir.path().join("System32");
        let wow64 = dir.path().join("SysWOW64");
        std::fs::create_dir_all(&sys32).unwrap();
        std::fs::create_dir_all(&wow64).unwrap();
        let own = match Arch::of_this_program() {
            Arch::X86 => 0x014c,
            _ => 0x8664,
        };
        let other = if own == 0x8664 { 0x014c } else { 0x8664 };
        let put = |d: &Path, name: &str, machine: u16| {
            std::fs::write(d.join(name), crate::token::pe::fake_pe_header(machine)).unwrap();
        };
        put(&sys32, "eTPKCS11.dll", own);
        put(&wow64, "eTPKCS11.dll", other);
        put(&wow64, "BkavCA.dll", other); // an old kit: 32-bit only
        std::fs::write(wow64.join("fpt-ca.dll"), b"not a PE file").unwrap();
        let toml = format!(
            "[folders]\nwindows = [{:?}, {:?}]\nlinux = [{:?}]\n\
             [[driver]]\nvendor = \"SafeNet\"\nwindows = [\"eTPKCS11.dll\"]\nlinux = [\"eTPKCS11.dll\"]\n\
             [[driver]]\nvendor = \"BkavCA\"\nwindows = [\"BkavCA.dll\"]\n\
             [[driver]]\nvendor = \"FPT-CA\"\nwindows = [\"fpt-ca.dll\"]\n",
            sys32.display().to_string(),
            wow64.display().to_string(),
            wow64.display().to_string(),
        );
        let table = DriverTable::from_toml(&toml, Path::new("t")).unwrap();
        let found = discover_in(&table, Os::Windows, &[]);
        let paths: Vec<&Path> = found.iter().map(|c| c.path.as_path()).collect();
        assert_eq!(
            paths,
            vec![
                sys32.join("eTPKCS11.dll").as_path(),
                wow64.join("BkavCA.dll").as_path(),
                wow64.join("fpt-ca.dll").as_path(),
            ],
            "the 32-bit SafeNet copy is dropped; BkavCA's only (32-bit) copy is kept so loading it explains; a non-PE file is the loader's business"
        );
        // Elsewhere nothing is filtered by processor.
        let linux = discover_in(&table, Os::Linux, &[]);
        assert_eq!(linux.len(), 1);
        assert_eq!(linux[0].path, wow64.join("eTPKCS11.dll"));
    }

    #[test]
    fn bad_user_file_is_an_error_value() {
        let e = DriverTable::from_toml("[[driver]]\nvendr = 1\n", Path::new("u.toml"));
        assert!(matches!(e, Err(TokenError::DriverList { .. })));
    }

    #[test]
    fn expands_variables() {
        std::env::set_var("KYSO_TEST_EXPAND", "/opt/x");
        assert_eq!(expand("$KYSO_TEST_EXPAND/lib"), "/opt/x/lib");
        assert_eq!(expand("${KYSO_TEST_EXPAND}/lib"), "/opt/x/lib");
        assert_eq!(expand("%KYSO_TEST_EXPAND%/lib"), "/opt/x/lib");
        assert_eq!(expand("50%"), "50%");
    }
}
