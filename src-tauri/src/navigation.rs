//! The navigation guard: every webview stays on the app's own pages. A script in
//! a page that sets `location`, submits a form or follows a link to anywhere else
//! is stopped here (with `form-action 'none'` and `base-uri 'none'` in the CSP).

use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Runtime, Url};

/// Whether `url` is one of the app's own pages (`tauri://localhost/…` on Linux and
/// macOS, `http(s)://tauri.localhost/…` on Windows).
pub fn is_app_url(url: &Url) -> bool {
    match (url.scheme(), url.host_str()) {
        ("tauri", Some("localhost")) => true,
        ("http" | "https", Some("tauri.localhost")) => url.port().is_none(),
        _ => false,
    }
}

/// A plugin whose only job is to refuse navigation away from the app.
pub fn guard<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("kyso-navigation-guard")
        .on_navigation(|_webview, url| {
            let ok = is_app_url(url);
            if !ok {
                eprintln!("KýSố: blocked navigation to {}", url.scheme());
            }
            ok
        })
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_app_origin() {
        let ok = |s: &str| is_app_url(&Url::parse(s).expect("url"));
        assert!(ok("tauri://localhost/index.html") && ok("tauri://localhost/pin.html"));
        assert!(ok("http://tauri.localhost/") && ok("https://tauri.localhost/pin.html"));
        for bad in [
            "https://example.com/",
            "http://tauri.localhost.evil.com/",
            "http://tauri.localhost:8080/",
            "file:///etc/passwd",
            "data:text/html,x",
            "tauri://evil/",
        ] {
            assert!(!ok(bad), "{bad}");
        }
    }
}
