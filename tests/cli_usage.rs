//! clap's refusals speak like every other `kyso` error: exactly one line on standard
//! error, Vietnamese unless `--lang en`, exit status 3; help still goes to stdout, 0.

use std::process::Command;

fn kyso(args: &[&str]) -> (Option<i32>, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_kyso")).args(args).output().expect("run kyso");
    (o.status.code(), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn usage_errors_are_one_localized_line_and_exit_3() {
    for (args, vi_start) in [
        (&["sign", "--bogus"][..], "Tham số không hợp lệ: --bogus"),
        (&["fly"][..], "Không có lệnh fly"),
        (&["sign"][..], "Thiếu tham số bắt buộc"),
        (&["--lang", "fr", "tokens"][..], "Giá trị \"fr\" không hợp lệ cho --lang"),
    ] {
        let (code, out, err) = kyso(args);
        assert_eq!(code, Some(3), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err:?}");
        assert!(err.starts_with(vi_start), "{args:?}: {err}");
    }
    let (code, _, err) = kyso(&["--lang", "en", "sign", "--bogus"]);
    assert_eq!(code, Some(3));
    assert_eq!(err.trim(), "Unknown argument: --bogus. See `kyso --help`.");
    let (code, out, _) = kyso(&["--help"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("kyso"));
}
