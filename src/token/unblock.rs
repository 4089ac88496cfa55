//! [`unblock_pin`]: a locked (or forgotten) user PIN replaced with the recovery
//! code (SPEC R16: Hưng Yên 6.5, Bình Thuận 19.5).
//!
//! The Security Officer logs in with the unblock code (SO PIN, called PUK by the
//! Vietnamese CAs' token managers) in a read/write session and sets the new user
//! PIN with `C_InitPIN` (PKCS#11 §5.6), which also clears the token's "user PIN
//! locked" state. A wrong code is [`TokenError::SoPinIncorrect`] with the SO tries
//! read back from the token; an unblock code that is locked too is
//! [`TokenError::SoPinLocked`], refused before any attempt (the caller then writes
//! the recovery request, [`crate::records::recovery`]). The session is closed
//! (logging the SO out) whatever happens.

use cryptoki::error::{Error as CkError, RvError};
use cryptoki::session::UserType;

use super::error::{PinTries, TokenError};
use super::pin::{Pin, PinStatus};
use super::signer::{find_token, TokenSelection};

/// What the token looked like when the unblock was asked for: shown to the user,
/// and written into the recovery request when the unblock code is locked.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TokenIdentity {
    /// Token label.
    pub label: String,
    /// Token manufacturer.
    pub manufacturer: String,
    /// Token model.
    pub model: String,
    /// Token serial number.
    pub serial: String,
    /// The PIN state before the unblock.
    pub pin: PinStatus,
}

/// The token `sel` names, as [`TokenIdentity`], read without logging in.
pub fn identify(sel: &TokenSelection) -> Result<TokenIdentity, crate::Error> {
    let (_module, _ctx, token) = find_token(sel)?;
    Ok(identity_of(&token.info))
}

fn identity_of(info: &cryptoki::slot::TokenInfo) -> TokenIdentity {
    TokenIdentity {
        label: info.label().trim().to_owned(),
        manufacturer: info.manufacturer_id().trim().to_owned(),
        model: info.model().trim().to_owned(),
        serial: info.serial_number().trim().to_owned(),
        pin: PinStatus::from_token_info(info),
    }
}

/// Log in as Security Officer with `so_pin` and set the user PIN to `new_pin`
/// (`C_InitPIN`). Returns the token as it was before.
pub fn unblock_pin(sel: &TokenSelection, so_pin: &Pin, new_pin: &Pin) -> Result<TokenIdentity, crate::Error> {
    Ok(unblock(sel, so_pin, new_pin)?)
}

fn unblock(sel: &TokenSelection, so_pin: &Pin, new_pin: &Pin) -> Result<TokenIdentity, TokenError> {
    if new_pin.is_empty() {
        return Err(TokenError::PinLenRange);
    }
    let (_module, ctx, token) = find_token(sel)?;
    let before = identity_of(&token.info);
    if before.pin.so_locked {
        return Err(TokenError::SoPinLocked);
    }
    let session = ctx.open_rw_session(token.slot).map_err(|e| TokenError::from_cryptoki("C_OpenSession", e))?;
    let so_auth = so_pin.auth_pin();
    match session.login(UserType::So, Some(&so_auth)) {
        Ok(()) => {}
        Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => return Err(wrong_so_pin(&ctx, token.slot)),
        Err(CkError::Pkcs11(RvError::PinLocked, _)) => return Err(TokenError::SoPinLocked),
        Err(CkError::Pkcs11(RvError::UserAnotherAlreadyLoggedIn | RvError::UserAlreadyLoggedIn, _)) => {
            return Err(TokenError::AlreadyLoggedIn)
        }
        Err(e) => return Err(TokenError::from_cryptoki("C_Login", e)),
    }
    let new_auth = new_pin.auth_pin();
    let result = session.init_pin(&new_auth).map_err(|e| TokenError::from_cryptoki("C_InitPIN", e));
    // Closing the session logs the SO out; say so explicitly for drivers that keep
    // the login past the session.
    let _ = session.logout();
    result.map(|()| before)
}

/// The error for a wrong unblock code, with the SO PIN state read back.
fn wrong_so_pin(ctx: &cryptoki::context::Pkcs11, slot: cryptoki::slot::Slot) -> TokenError {
    let tries = ctx.get_token_info(slot).map(|i| PinStatus::from_token_info(&i).so_tries).unwrap_or(PinTries::Unknown);
    if tries == PinTries::Locked {
        TokenError::SoPinLocked
    } else {
        TokenError::SoPinIncorrect { tries }
    }
}
