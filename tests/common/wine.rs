//! KýSố's Windows build run under Wine, for the Windows stage (`tests/windows/run.sh`),
//! which cross-builds the exes, prepares a Wine prefix and sets:
//!
//! * `KYSO_WINE_KYSO`: `kyso.exe` (x86_64-pc-windows-gnu);
//! * `KYSO_WINE_DIST`: the folder with `kyso-desktop.exe`, `WebView2Loader.dll` and the
//!   installer `KySo_<version>_x64-setup.exe`;
//! * `KYSO_WINE_HELPERS`: test programs built from `tests/windows/*.c` (`holdopen.exe`,
//!   `MicrosoftEdgeWebview2Setup.exe`);
//! * `WINEPREFIX`: the prefix (the test-only `bcryptprimitives.dll` is in its `system32`);
//! * `KYSO_WINE_INSTALLER_PREFIX`: the prefix for the installer test, which run.sh runs
//!   last and alone (it deletes `%APPDATA%\kyso` and waits for Wine's server to end).
//!
//! Paths cross over as Wine's `Z:` drive (the Linux root).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The Windows build under Wine.
pub struct Wine {
    /// `kyso.exe`.
    pub kyso_exe: PathBuf,
}

impl Wine {
    /// Set up by the Windows stage, or `None` (a plain Linux test run).
    pub fn from_env() -> Option<Wine> {
        let exe = std::env::var_os("KYSO_WINE_KYSO")?;
        Some(Wine { kyso_exe: PathBuf::from(exe) })
    }

    /// For tests that only make sense under Wine: a clear failure when run without the
    /// Windows stage's set-up (they are `#[ignore]`d in plain runs).
    pub fn required() -> Wine {
        let w = Wine::from_env()
            .unwrap_or_else(|| panic!("KYSO_WINE_KYSO is not set: run these through tests/windows/run.sh (the Windows stage)"));
        assert!(w.kyso_exe.is_file(), "KYSO_WINE_KYSO={} does not exist", w.kyso_exe.display());
        assert!(std::env::var_os("WINEPREFIX").is_some(), "WINEPREFIX is not set");
        w
    }

    /// A folder set by the Windows stage (`KYSO_WINE_DIST`, `KYSO_WINE_HELPERS`).
    pub fn folder(var: &str) -> PathBuf {
        let d = PathBuf::from(std::env::var_os(var).unwrap_or_else(|| panic!("{var} is not set")));
        assert!(d.is_dir(), "{var}={} is not a folder", d.display());
        d
    }

    /// `wine PROGRAM` with quiet, non-interactive Wine settings and none of the
    /// test runner's KýSố variables (a Linux path would mean nothing to Windows).
    pub fn command(program: &Path) -> Command {
        let mut c = Command::new("wine");
        c.arg(program)
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=;winemenubuilder.exe=d")
            .env_remove("DISPLAY")
            .env_remove("KYSO_DATA_DIR")
            .env_remove("KYSO_PIN")
            .env_remove("KYSO_P12_PASSWORD")
            .stdin(Stdio::null());
        c
    }

    /// [`Wine::command`] in another prefix than `WINEPREFIX`.
    pub fn command_in(prefix: &Path, program: &Path) -> Command {
        let mut c = Wine::command(program);
        c.env("WINEPREFIX", prefix);
        c
    }

    /// Run `kyso.exe ARGS` (absolute Linux paths among them turned into `Z:\…`).
    pub fn kyso(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = Wine::command(&self.kyso_exe);
        c.args(args.iter().map(|a| to_windows_arg(a)));
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().expect("run wine (is the wine package installed?)")
    }
}

/// `Z:\…` for an absolute Linux path (Wine's `Z:` is `/`).
pub fn win_path(p: &Path) -> String {
    let s = p.to_str().expect("UTF-8 path");
    assert!(s.starts_with('/'), "not an absolute path: {s}");
    format!("Z:{}", s.replace('/', "\\"))
}

/// An argument for kyso.exe: absolute Linux paths become `Z:\…`, the rest is kept.
pub fn to_windows_arg(a: &str) -> String {
    if a.starts_with('/') {
        win_path(Path::new(a))
    } else {
        a.to_owned()
    }
}

/// The Linux path for a `Z:\…` string, if it is one.
pub fn unix_path(s: &str) -> Option<String> {
    let rest = s.strip_prefix("Z:\\").or_else(|| s.strip_prefix("z:\\"))?;
    Some(format!("/{}", rest.replace('\\', "/")))
}

/// What a report says when the page renderer could not be started: Windows ships no
/// poppler `pdftoppm` yet (docs/verification-trust.md), so a certified document signed
/// again is INDETERMINATE there.
pub const NO_RENDERER: &str = "pdftoppm (poppler-utils) cannot be started";

/// Whether any string in `v` contains `needle`.
pub fn mentions(v: &Value, needle: &str) -> bool {
    match v {
        Value::String(s) => s.contains(needle),
        Value::Array(a) => a.iter().any(|x| mentions(x, needle)),
        Value::Object(o) => o.values().any(|x| mentions(x, needle)),
        _ => false,
    }
}

/// A `kyso verify --json` report made comparable across systems: `Z:\…` paths (as
/// whole strings or inside messages) become Linux paths; the clock goes (`checkedAt`,
/// and a `validationTime` whose `basis` is `now`); the system's wording of why the
/// renderer could not start goes.
pub fn comparable(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(without_os_wording(&unix_path(s).unwrap_or_else(|| unix_paths_inside(s)))),
        Value::Array(a) => Value::Array(a.iter().map(comparable).collect()),
        Value::Object(o) => {
            let clock = |k: &str| k == "checkedAt" || (k == "time" && o.get("basis").is_some_and(|b| b == "now"));
            Value::Object(o.iter().filter(|(k, _)| !clock(k)).map(|(k, v)| (k.clone(), comparable(v))).collect())
        }
        other => other.clone(),
    }
}

/// Why the renderer could not start, in the system's words (Linux: `No such file or
/// directory (os error 2)`; Windows: `program not found`), becomes `…`.
fn without_os_wording(s: &str) -> String {
    let Some(at) = s.find(NO_RENDERER) else { return s.to_owned() };
    let from = at + NO_RENDERER.len();
    let rest = &s[from..];
    let close = rest.find(')').unwrap_or(rest.len());
    let end = if rest[..close].contains("(os error ") { close + 1 } else { close };
    format!("{}: …{}", &s[..from], &rest[end.min(rest.len())..])
}

/// `… Z:\a\b.pdf …` → `… /a/b.pdf …` inside a sentence (up to the next space).
fn unix_paths_inside(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("Z:\\") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail.find(char::is_whitespace).unwrap_or(tail.len());
        out.push_str(&unix_path(&tail[..end]).unwrap_or_else(|| tail[..end].to_owned()));
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// The first place two JSON values differ (`/files/0/signatures/1/coverage`), or `None`.
pub fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                let here = format!("{at}/{k}");
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => {
                        if let Some(d) = first_difference(p, q, &here) {
                            return Some(d);
                        }
                    }
                    (p, q) => return Some(format!("{here}: {p:?} vs {q:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (p, q))| first_difference(p, q, &format!("{at}/{i}")))
        }
        _ if a == b => None,
        _ => Some(format!("{at}: {a} vs {b}")),
    }
}

/// Run the same `kyso verify --json …` under Wine and require exactly the Linux
/// result: the exit code and the whole report (paths and the clock aside).
///
/// One known difference is compared like with like: where kyso.exe could not start the
/// page renderer ([`NO_RENDERER`]) and the Linux binary could, the Windows result must
/// equal the Linux binary's run without one (`linux_without_renderer`: the same command
/// with `pdftoppm` off `PATH`), and the case is printed.
pub fn assert_same_verdict_on_windows(
    argv: &[&str],
    linux_code: i32,
    linux_json: &Value,
    linux_without_renderer: impl FnOnce() -> (i32, Value),
) {
    let Some(w) = Wine::from_env() else { return };
    let o = w.kyso(argv, &[]);
    let code = o.status.code().expect("kyso.exe exit code");
    let win: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("kyso.exe {argv:?} printed no JSON ({e}); exit {code}; stderr: {}", String::from_utf8_lossy(&o.stderr)));
    let (linux_code, linux_json) = if mentions(&win, NO_RENDERER) && !mentions(linux_json, NO_RENDERER) {
        let (c, v) = linux_without_renderer();
        assert!(mentions(&v, NO_RENDERER), "the Linux kyso still found a renderer with pdftoppm off PATH: {argv:?}");
        println!("no pdftoppm on Windows: {argv:?} compared with the Linux kyso without it");
        (c, v)
    } else {
        (linux_code, linux_json.clone())
    };
    let (a, b) = (comparable(&linux_json), comparable(&win));
    if let Some(d) = first_difference(&a, &b, "") {
        panic!("kyso.exe under Wine differs from the Linux kyso on {argv:?}: {d}");
    }
    assert_eq!(code, linux_code, "kyso.exe exit code differs from Linux on {argv:?}");
}
