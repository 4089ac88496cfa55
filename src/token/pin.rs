//! [`Pin`]: the user PIN, held only as long as needed and wiped from memory on drop.
//!
//! A `Pin` has no `Display`, no `Serialize`, and its `Debug` prints `Pin(***)`, so it
//! cannot end up in an error, a log line or JSON by accident (SPEC R14). It is never
//! taken from the command line: only from an environment variable or standard input.

use std::io::BufRead;

use zeroize::Zeroizing;

use super::error::PinTries;
use crate::error::{OutputError, UsageError};

/// A user PIN, zeroized when dropped (`Zeroizing<String>` wipes the whole buffer,
/// spare capacity included). A clone is a second zeroizing buffer (`kyso bridge`
/// logs in once per call with the PIN given at start).
#[derive(Clone)]
pub struct Pin(Zeroizing<String>);

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(***)")
    }
}

impl Pin {
    /// Wrap a PIN the caller already holds (e.g. from a password field). The string
    /// is moved, not copied.
    pub fn new(pin: String) -> Pin {
        Pin(Zeroizing::new(pin))
    }

    /// Read the PIN from the environment variable `var` (normally `KYSO_PIN`).
    /// `None` when it is unset, empty or not UTF-8. The variable is left in place:
    /// removing it is not thread-safe, so callers that care should not export it
    /// beyond the one command.
    pub fn from_env(var: &str) -> Option<Pin> {
        let value = Zeroizing::new(std::env::var(var).ok()?);
        if value.is_empty() {
            return None;
        }
        Some(Pin(value))
    }

    /// Read one line (the PIN) from `reader`, e.g. locked standard input, dropping the
    /// line end. The line buffer is zeroized; an empty line is [`UsageError::NoPin`].
    pub fn from_reader<R: BufRead>(mut reader: R) -> Result<Pin, crate::Error> {
        // Room for any real PIN, so the buffer is not reallocated (which would leave a
        // copy behind in freed memory).
        let mut line = Zeroizing::new(String::with_capacity(256));
        reader.read_line(&mut line).map_err(|source| OutputError::ReadInput { path: "<stdin>".into(), source })?;
        while line.ends_with('\n') || line.ends_with('\r') {
            line.pop();
        }
        if line.is_empty() {
            return Err(UsageError::NoPin.into());
        }
        Ok(Pin(line))
    }

    /// Whether two PINs are the same (a new PIN typed twice), comparing every byte.
    pub fn same_as(&self, other: &Pin) -> bool {
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// The buffer itself, for the agent's [`crate::agent::protocol::SecretPin`].
    pub(crate) fn into_inner(self) -> Zeroizing<String> {
        self.0
    }

    /// Whether the PIN is empty (only possible through [`Pin::new`]); an empty PIN
    /// asks the token to use its own PIN pad when it has one.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The PIN in the form cryptoki's `C_Login` takes (itself zeroized on drop).
    pub(crate) fn auth_pin(&self) -> cryptoki::types::AuthPin {
        cryptoki::types::AuthPin::from(self.0.as_str())
    }
}

/// What a token's flags say about its user PIN, readable without logging in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PinStatus {
    /// Summary of the three flags below.
    pub tries: PinTries,
    /// `CKF_USER_PIN_COUNT_LOW`: a wrong PIN was entered since the last good one.
    pub count_low: bool,
    /// `CKF_USER_PIN_FINAL_TRY`: one more wrong PIN locks the token.
    pub final_try: bool,
    /// `CKF_USER_PIN_LOCKED`: the user PIN is locked (unblock it, SPEC R16).
    pub locked: bool,
    /// `CKF_SO_PIN_LOCKED`: the unblock (SO/PUK) PIN is locked too.
    pub so_locked: bool,
    /// The unblock (SO/PUK) PIN's state, from `CKF_SO_PIN_COUNT_LOW`,
    /// `CKF_SO_PIN_FINAL_TRY` and `CKF_SO_PIN_LOCKED` (`kyso token unblock`).
    pub so_tries: PinTries,
    /// `CKF_USER_PIN_TO_BE_CHANGED`: the PIN must be changed before use.
    pub to_be_changed: bool,
    /// `CKF_USER_PIN_INITIALIZED`: a user PIN exists.
    pub initialized: bool,
    /// `CKF_LOGIN_REQUIRED`: signing needs a login.
    pub login_required: bool,
    /// `CKF_PROTECTED_AUTHENTICATION_PATH`: the PIN is entered on the device's own pad.
    pub protected_authentication_path: bool,
}

impl PinStatus {
    /// Read the flags from `C_GetTokenInfo`.
    pub fn from_token_info(info: &cryptoki::slot::TokenInfo) -> PinStatus {
        PinStatus {
            tries: PinTries::from_flags(info.user_pin_count_low(), info.user_pin_final_try(), info.user_pin_locked()),
            count_low: info.user_pin_count_low(),
            final_try: info.user_pin_final_try(),
            locked: info.user_pin_locked(),
            so_locked: info.so_pin_locked(),
            so_tries: PinTries::from_flags(info.so_pin_count_low(), info.so_pin_final_try(), info.so_pin_locked()),
            to_be_changed: info.user_pin_to_be_changed(),
            initialized: info.user_pin_initialized(),
            login_required: info.login_required(),
            protected_authentication_path: info.protected_authentication_path(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_line_and_hides_it() {
        let pin = Pin::from_reader(&b"123456\r\nrest\n"[..]).unwrap();
        assert_eq!(pin.0.as_str(), "123456");
        assert_eq!(format!("{pin:?}"), "Pin(***)");
        assert!(!format!("{pin:?}").contains("123456"));
    }

    #[test]
    fn empty_line_is_no_pin() {
        let e = Pin::from_reader(&b"\n"[..]).unwrap_err();
        assert_eq!(e.kind(), "usage");
    }

    #[test]
    fn env_var() {
        std::env::set_var("KYSO_PIN_TEST_VAR", "9999");
        assert!(Pin::from_env("KYSO_PIN_TEST_VAR").is_some());
        assert!(Pin::from_env("KYSO_PIN_TEST_UNSET_VAR").is_none());
    }
}
