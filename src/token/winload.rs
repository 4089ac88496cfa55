//! Loading a driver DLL the way Windows PKCS#11 clients must, and saying why it failed.
//!
//! `LoadLibraryExW(path, 0)` (what the `cryptoki` crate calls) looks for the DLLs a
//! driver depends on in the program's folder and the system folders, not beside the
//! driver: a vendor driver under `C:\Program Files\Vendor\` then fails with "module not
//! found" although it is there. [`preload`] loads it first with
//! `LOAD_WITH_ALTERED_SEARCH_PATH` (the driver's own folder is searched for its
//! dependencies); the later `LoadLibraryExW` finds the module already loaded.
//! [`loader_message`] turns the loader's error codes into advice.

use std::error::Error as StdError;

/// The loader's error and, for the Windows codes users meet, what to do (English /
/// Vietnamese, like the other loader reasons).
pub(crate) fn loader_message(e: &(dyn StdError + 'static)) -> String {
    let code = chain(e).find_map(|e| e.downcast_ref::<std::io::Error>()).and_then(std::io::Error::raw_os_error);
    let detail = chain(e).map(|e| e.to_string()).collect::<Vec<_>>().join(": ");
    match code.and_then(windows_hint) {
        Some(hint) => format!("{detail} — {hint}"),
        None => detail,
    }
}

/// `e` and its sources, outermost first.
fn chain<'a>(e: &'a (dyn StdError + 'static)) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(e), |e: &&'a (dyn StdError + 'static)| (*e).source())
}

/// Advice for a Windows `LoadLibrary` error code.
pub(crate) fn windows_hint(code: i32) -> Option<&'static str> {
    Some(match code {
        // ERROR_MOD_NOT_FOUND
        126 => "the driver or a DLL it needs is missing: reinstall the token software / thiếu trình điều khiển hoặc một DLL đi kèm: hãy cài lại phần mềm token",
        // ERROR_PROC_NOT_FOUND
        127 => "a DLL the driver needs has the wrong version: reinstall the token software / một DLL đi kèm sai phiên bản: hãy cài lại phần mềm token",
        // ERROR_BAD_EXE_FORMAT
        193 => "not a 64-bit Windows DLL: install the vendor's 64-bit driver / không phải DLL Windows 64-bit: hãy cài trình điều khiển 64-bit của nhà cung cấp",
        // ERROR_DLL_INIT_FAILED
        1114 => "the driver failed to start (is the token software complete?) / trình điều khiển không khởi động được",
        // ERROR_ACCESS_DENIED
        5 => "access denied (antivirus or file permissions) / bị từ chối truy cập (phần mềm diệt virus hoặc quyền tệp)",
        // ERROR_SXS_CANT_GEN_ACTCTX: a missing Visual C++ runtime
        14001 => "a Visual C++ runtime the driver needs is missing: install it or reinstall the token software / thiếu bộ Visual C++ runtime mà trình điều khiển cần",
        _ => return None,
    })
}

/// Load the driver at `path` (absolute) with its own folder searched for its
/// dependencies, and keep it loaded for the life of the process (drivers are never
/// unloaded: see `module`).
#[cfg(windows)]
#[allow(unsafe_code)]
pub(crate) fn preload(path: &std::path::Path) -> Result<(), String> {
    use libloading::os::windows::{Library, LOAD_WITH_ALTERED_SEARCH_PATH};
    // SAFETY: loading a PKCS#11 driver runs its initialisation code, exactly as the
    // `cryptoki` load right after does; nothing from the library is called here, and
    // the handle is leaked so the code stays mapped while cryptoki uses it.
    let lib = unsafe { Library::load_with_flags(path, LOAD_WITH_ALTERED_SEARCH_PATH) }.map_err(|e| loader_message(&e))?;
    std::mem::forget(lib);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outer(std::io::Error);
    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("LoadLibraryExW failed")
        }
    }
    impl StdError for Outer {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn windows_codes_get_advice_and_the_cause_is_kept() {
        let msg = loader_message(&Outer(std::io::Error::from_raw_os_error(193)));
        assert!(msg.starts_with("LoadLibraryExW failed: "), "{msg}");
        assert!(msg.contains("64-bit"), "{msg}");
        assert!(windows_hint(126).is_some_and(|h| h.contains("reinstall")));
        assert!(windows_hint(2).is_none());
        let plain = loader_message(&Outer(std::io::Error::other("no such thing")));
        assert_eq!(plain, "LoadLibraryExW failed: no such thing");
    }
}
