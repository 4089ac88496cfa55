//! [`change_pin`]: `C_SetPIN` on the user PIN (SPEC R16: the holder changes the PIN).
//!
//! The token is found as for signing ([`TokenSelection`]: modules and label; the
//! certificate fields are ignored). A read/write session is opened and `C_SetPIN` is
//! called with the old and the new PIN, without a prior `C_Login` (PKCS#11 §5.6: in a
//! R/W public session it changes the normal user's PIN). A wrong old PIN is
//! [`TokenError::PinIncorrect`] with the tries read back from the token, like a
//! wrong PIN at login; a locked token is refused before any attempt.

use cryptoki::error::{Error as CkError, RvError};

use super::error::TokenError;
use super::pin::{Pin, PinStatus};
use super::signer::{find_token, wrong_pin, TokenSelection};

/// Change the user PIN of the selected token from `old` to `new`.
pub fn change_pin(sel: &TokenSelection, old: &Pin, new: &Pin) -> Result<(), crate::Error> {
    Ok(change(sel, old, new)?)
}

fn change(sel: &TokenSelection, old: &Pin, new: &Pin) -> Result<(), TokenError> {
    if new.is_empty() {
        return Err(TokenError::PinLenRange);
    }
    let (_module, ctx, token) = find_token(sel)?;
    let status = PinStatus::from_token_info(&token.info);
    if status.locked {
        return Err(TokenError::PinLocked);
    }
    if !status.initialized {
        return Err(TokenError::PinNotInitialized);
    }
    let session = ctx.open_rw_session(token.slot).map_err(|e| TokenError::from_cryptoki("C_OpenSession", e))?;
    let (old_auth, new_auth) = (old.auth_pin(), new.auth_pin());
    match session.set_pin(&old_auth, &new_auth) {
        Ok(()) => Ok(()),
        Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => Err(wrong_pin(&ctx, token.slot)),
        Err(e) => Err(TokenError::from_cryptoki("C_SetPIN", e)),
    }
}
