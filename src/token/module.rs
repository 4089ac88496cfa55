//! Loading PKCS#11 modules: one [`Pkcs11`] context per module file per process.
//!
//! `C_Initialize` may be called once per process and module; a second context on the
//! same library would share its global state anyway. Contexts are therefore kept in
//! a process-wide registry keyed by canonical path and never finalised (drivers are
//! unloaded when the process exits). `CKR_CRYPTOKI_ALREADY_INITIALIZED` (another
//! part of the process initialised the library first) counts as success.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};

use super::error::{rv_name, TokenError};
use super::pe::{machine_of_file, Arch};
use super::winload::loader_message;

fn registry() -> &'static Mutex<HashMap<PathBuf, Pkcs11>> {
    static REGISTRY: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(HashMap::new()))
}

fn load_error(path: &Path, reason: impl Into<String>) -> TokenError {
    TokenError::ModuleLoad { path: path.to_owned(), reason: reason.into() }
}

fn init_failed(path: &Path, err: &CkError) -> TokenError {
    match err {
        CkError::Pkcs11(rv, _) => load_error(path, format!("C_Initialize: {}", rv_name(*rv))),
        other => load_error(path, format!("C_Initialize: {other}")),
    }
}

fn initialize(ctx: &Pkcs11, path: &Path) -> Result<(), TokenError> {
    let ok = |r: Result<(), CkError>| match r {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => Ok(()),
        Err(e) => Err(e),
    };
    match ok(ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))) {
        Ok(()) => Ok(()),
        // Old single-threaded drivers refuse OS locking; KýSố serialises its own use of
        // each session, so initialise them without it.
        Err(CkError::Pkcs11(RvError::CantLock, _)) => {
            ok(ctx.initialize(CInitializeArgs::new(CInitializeFlags::empty()))).map_err(|e| init_failed(path, &e))
        }
        Err(e) => Err(init_failed(path, &e)),
    }
}

/// The initialised context for the module at `path`, loading and initialising it on
/// first use. A failure is not remembered: a driver installed later can be retried.
pub(crate) fn load_module(path: &Path) -> Result<Pkcs11, TokenError> {
    if !path.is_file() {
        return Err(load_error(path, "file not found / không có tệp"));
    }
    // A 32-bit driver in a 64-bit program (or the reverse) cannot load: say so plainly
    // instead of the loader's "not a valid Win32 application".
    let needed = Arch::of_this_program();
    if let Some(found) = machine_of_file(path).filter(|a| *a != needed) {
        return Err(TokenError::ModuleArchitecture { path: path.to_owned(), found: found.label(), needed: needed.label() });
    }
    let key = dunce::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    // Poisoning only means another thread panicked while holding the lock; the map
    // itself is still consistent.
    let mut map = registry().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(ctx) = map.get(&key) {
        return Ok(ctx.clone());
    }
    #[cfg(windows)]
    super::winload::preload(&key).map_err(|reason| load_error(path, reason))?;
    let ctx = Pkcs11::new(&key).map_err(|e| match e {
        CkError::LibraryLoading(le) => load_error(path, loader_message(&le)),
        other => load_error(path, other.to_string()),
    })?;
    initialize(&ctx, path)?;
    map.insert(key, ctx.clone());
    Ok(ctx)
}

/// A slot holding an initialised token.
pub(crate) struct PresentToken {
    pub slot: cryptoki::slot::Slot,
    pub info: cryptoki::slot::TokenInfo,
}

/// The initialised tokens present in `ctx`'s slots, in slot order. Blank
/// (uninitialised) tokens, such as SoftHSM2's spare slot, are left out.
pub(crate) fn present_tokens(ctx: &Pkcs11) -> Result<Vec<PresentToken>, TokenError> {
    let slots = ctx.get_slots_with_token().map_err(|e| TokenError::from_cryptoki("C_GetSlotList", e))?;
    let mut out = Vec::new();
    for slot in slots {
        match ctx.get_token_info(slot) {
            Ok(info) if info.token_initialized() => out.push(PresentToken { slot, info }),
            Ok(_) => {}
            // Pulled out between the two calls, or a reader without a card: skip it.
            Err(CkError::Pkcs11(RvError::TokenNotPresent | RvError::DeviceRemoved | RvError::TokenNotRecognized, _)) => {}
            Err(e) => return Err(TokenError::from_cryptoki("C_GetTokenInfo", e)),
        }
    }
    Ok(out)
}
