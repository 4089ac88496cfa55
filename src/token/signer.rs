//! [`TokenSigner`]: a logged-in token key behind the crate's [`Signer`] trait.
//!
//! [`open_signer`] finds the token (by label), logs in once, finds the certificate (by
//! `CKA_ID`, by label, or the only one) and its private key (same `CKA_ID`), and picks
//! the mechanism. The signer then signs any number of documents with that one login.
//! The PIN is kept only for keys with `CKA_ALWAYS_AUTHENTICATE`, which need it again
//! before every signature; otherwise it is dropped (and zeroized) right after login.
//!
//! The login belongs to the token and the whole process: while one `TokenSigner` for
//! a token lives, every new session of this process is already logged in, and a
//! `C_Login` would answer `CKR_USER_ALREADY_LOGGED_IN` without looking at the PIN.
//! So a second [`open_signer`] on a token this process holds is refused with
//! [`TokenError::AlreadyLoggedIn`] (checked from the session state before any
//! `C_Login`, and from that return code too): every login that succeeds was checked
//! by the token against its own PIN. Callers that need two logins at once use two
//! processes (the desktop starts one agent per session). Dropping the signer closes
//! its session, which logs out.

use std::path::PathBuf;
use std::sync::Mutex;

use cryptoki::context::Pkcs11;
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::session::{Session, UserType};
use serde::Serialize;
use time::OffsetDateTime;
use x509_cert::Certificate;

use super::certinfo::{key_kind_of, CertificateInfo, KeyEvidence};
use super::classify::Role;
use super::drivers::{discover_modules, ModuleOrigin};
use super::error::{CertificateChoice, PinTries, TokenError};
use super::mechanism::{choose, ecdsa_raw_to_der, pad_rsa, SignMechanism};
use super::module::{load_module, present_tokens, PresentToken};
use super::objects::{key_kind, read_objects, CertObject, KeyObject, TokenObjects};
use super::pin::{Pin, PinStatus};
use crate::{KeyKind, Signer};

/// Which token and certificate to sign with.
#[derive(Clone, Debug, Default)]
pub struct TokenSelection {
    /// Drivers to use (`--module`). Empty: every known driver found on this computer;
    /// otherwise exactly these, and one that fails to load is an error.
    pub modules: Vec<PathBuf>,
    /// The token label (`--token`); needed only when several tokens are present.
    pub token_label: Option<String>,
    /// The certificate's `CKA_ID` (`--cert`, given in hex).
    pub cert_id: Option<Vec<u8>>,
    /// The certificate's (or its key's) `CKA_LABEL` (`--cert-label`).
    pub cert_label: Option<String>,
}

/// What a signer is: shown before signing and recorded in reports.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenSignerInfo {
    /// The driver.
    pub module: PathBuf,
    /// The token label.
    pub token_label: String,
    /// The token serial number.
    pub token_serial: String,
    /// The signing certificate.
    pub certificate: CertificateInfo,
    /// Personal or agency (same as `certificate.role`).
    pub role: Role,
    /// The PKCS#11 mechanism in use.
    pub mechanism: SignMechanism,
    /// Whether the key asks for the PIN before every signature.
    pub always_authenticate: bool,
}

/// A token key, logged in, ready to sign many messages.
///
/// `Send + Sync`: the session sits behind a mutex, so concurrent `sign` calls are
/// serialised (tokens do one operation at a time anyway).
pub struct TokenSigner {
    session: Mutex<Session>,
    key: cryptoki::object::ObjectHandle,
    kind: KeyKind,
    mechanism: SignMechanism,
    raw_rsa_offered: bool,
    always_authenticate: bool,
    /// Kept only for always-authenticate keys.
    pin: Option<Pin>,
    ctx: Pkcs11,
    slot: cryptoki::slot::Slot,
    certificate: Certificate,
    chain: Vec<Certificate>,
    info: TokenSignerInfo,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSigner").field("info", &self.info).field("kind", &self.kind).finish_non_exhaustive()
    }
}

fn describe_wanted(sel: &TokenSelection) -> String {
    let mut parts = Vec::new();
    if let Some(id) = &sel.cert_id {
        parts.push(format!("id {}", hex::encode(id)));
    }
    if let Some(l) = &sel.cert_label {
        parts.push(format!("label \"{l}\""));
    }
    if parts.is_empty() {
        "any".to_owned()
    } else {
        parts.join(", ")
    }
}

/// Find the token: every loaded module's initialised tokens, filtered by label.
pub(super) fn find_token(sel: &TokenSelection) -> Result<(PathBuf, Pkcs11, PresentToken), TokenError> {
    let explicit = !sel.modules.is_empty();
    let candidates: Vec<_> =
        discover_modules(&sel.modules).into_iter().filter(|c| !explicit || c.origin == ModuleOrigin::Explicit).collect();
    if candidates.is_empty() {
        return Err(TokenError::NoModule);
    }
    let mut found = Vec::new();
    let mut seen = Vec::new();
    let mut loaded_any = false;
    let mut last_error = None;
    for c in candidates {
        let ctx = match load_module(&c.path) {
            Ok(ctx) => ctx,
            Err(e) if explicit => return Err(e),
            Err(e) => {
                last_error = Some(e);
                continue;
            }
        };
        loaded_any = true;
        let tokens = match present_tokens(&ctx) {
            Ok(t) => t,
            Err(e) if explicit => return Err(e),
            Err(_) => continue,
        };
        for t in tokens {
            let label = t.info.label().trim().to_owned();
            seen.push(label.clone());
            if sel.token_label.as_deref().is_none_or(|w| w.trim() == label) {
                found.push((c.path.clone(), ctx.clone(), t));
            }
        }
    }
    if !loaded_any {
        return Err(last_error.unwrap_or(TokenError::NoModule));
    }
    match (found.len(), &sel.token_label) {
        (1, _) => found.pop().ok_or(TokenError::NoToken),
        (0, Some(w)) => Err(TokenError::TokenNotFound { wanted: w.clone(), seen }),
        (0, None) => Err(TokenError::NoToken),
        (_, wanted) => Err(TokenError::AmbiguousToken {
            wanted: wanted.clone(),
            seen: found.iter().map(|(_, _, t)| t.info.label().trim().to_owned()).collect(),
        }),
    }
}

/// `C_Login` as `user`. For the normal user, a session that is already logged in
/// (another session of this process holds the token) is refused before the call,
/// and `CKR_USER_ALREADY_LOGGED_IN` is refused too: the token did not check this PIN.
/// A wrong PIN is never retried: the error carries the PIN state read back from the
/// token.
pub(super) fn login(ctx: &Pkcs11, slot: cryptoki::slot::Slot, session: &Session, pin: &Pin, user: UserType) -> Result<(), TokenError> {
    let flags = ctx.get_token_info(slot).ok().map(|i| PinStatus::from_token_info(&i));
    if matches!(user, UserType::User) {
        if flags.is_some_and(|f| f.locked) {
            return Err(TokenError::PinLocked);
        }
        if already_logged_in(session) {
            return Err(TokenError::AlreadyLoggedIn);
        }
    }
    let pad = flags.is_some_and(|f| f.protected_authentication_path) && pin.is_empty();
    let result = if pad {
        session.login(user, None)
    } else {
        let auth = pin.auth_pin();
        session.login(user, Some(&auth))
    };
    match result {
        Ok(()) => Ok(()),
        Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Err(TokenError::AlreadyLoggedIn),
        Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => Err(wrong_pin(ctx, slot)),
        Err(e) => Err(TokenError::from_cryptoki("C_Login", e)),
    }
}

/// Whether `session` already has the user's rights (the login state belongs to the
/// token and the process, so a fresh session inherits another session's login).
fn already_logged_in(session: &Session) -> bool {
    use cryptoki::session::SessionState;
    session
        .get_session_info()
        .is_ok_and(|i| matches!(i.session_state(), SessionState::RoUser | SessionState::RwUser | SessionState::RwSecurityOfficer))
}

/// The error for a wrong PIN, with the PIN state read back from the token.
pub(super) fn wrong_pin(ctx: &Pkcs11, slot: cryptoki::slot::Slot) -> TokenError {
    let tries = ctx.get_token_info(slot).map(|i| PinStatus::from_token_info(&i).tries).unwrap_or(PinTries::Unknown);
    if tries == PinTries::Locked {
        TokenError::PinLocked
    } else {
        TokenError::PinIncorrect { tries }
    }
}

fn choice(c: &CertObject) -> CertificateChoice {
    CertificateChoice {
        id: hex::encode(&c.id),
        label: c.label.clone(),
        subject: c.cert.as_ref().map(|x| super::certinfo::format_name(&x.tbs_certificate.subject)).unwrap_or_default(),
    }
}

/// How good a certificate of a key is to sign with: valid now first, then the
/// latest end of validity.
fn rank(c: &CertObject) -> (bool, u64) {
    match &c.cert {
        Some(x) => {
            let now = OffsetDateTime::now_utc();
            (crate::verify::chain::valid_at(x, now), x.tbs_certificate.validity.not_after.to_unix_duration().as_secs())
        }
        None => (false, 0),
    }
}

/// Pick the signing certificate and its private key.
fn select<'a>(objs: &'a TokenObjects, sel: &TokenSelection) -> Result<(&'a CertObject, &'a KeyObject), TokenError> {
    let mut signing: Vec<(&CertObject, &KeyObject)> =
        objs.certs.iter().filter(|c| c.cert.is_some()).filter_map(|c| objs.private_key(&c.id).map(|k| (c, k))).collect();
    signing.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    // A renewed certificate sits beside the old one on the same key: the key
    // signs with the best of them (valid now, then the latest to expire).
    signing.dedup_by(|later, kept| {
        if later.0.id != kept.0.id {
            return false;
        }
        if rank(later.0) > rank(kept.0) {
            std::mem::swap(later, kept);
        }
        true
    });
    let matching: Vec<_> = signing
        .iter()
        .filter(|(c, _)| sel.cert_id.as_ref().is_none_or(|id| &c.id == id))
        .filter(|(c, k)| sel.cert_label.as_ref().is_none_or(|l| &c.label == l || &k.label == l))
        .copied()
        .collect();
    match matching.as_slice() {
        [one] => Ok(*one),
        [] => {
            if let Some(id) = &sel.cert_id {
                if objs.private_key(id).is_some() {
                    return Err(TokenError::KeyWithoutCertificate { id: hex::encode(id) });
                }
            }
            if sel.cert_id.is_none() && sel.cert_label.is_none() {
                if let Some(id) = objs.private_keys.iter().map(|k| &k.id).find(|id| !id.is_empty()) {
                    return Err(TokenError::KeyWithoutCertificate { id: hex::encode(id) });
                }
            }
            Err(TokenError::CertificateNotFound {
                wanted: describe_wanted(sel),
                available: signing.iter().map(|(c, _)| choice(c)).collect(),
            })
        }
        _ => Err(TokenError::AmbiguousCertificate { candidates: matching.iter().map(|(c, _)| choice(c)).collect() }),
    }
}

/// The CA certificates on the token that issued `leaf`, walking upward by
/// issuer = subject, without the self-signed root (as [`Signer::chain`] wants).
fn build_chain(leaf: &Certificate, pool: &[Certificate]) -> Vec<Certificate> {
    let mut chain: Vec<Certificate> = Vec::new();
    let mut current = leaf.clone();
    for _ in 0..8 {
        let issuer = &current.tbs_certificate.issuer;
        if current.tbs_certificate.subject == *issuer {
            break;
        }
        let Some(next) = pool.iter().find(|c| c.tbs_certificate.subject == *issuer && c != &leaf && !chain.contains(c)) else {
            break;
        };
        if next.tbs_certificate.subject == next.tbs_certificate.issuer {
            break; // the root: not embedded
        }
        chain.push(next.clone());
        current = next.clone();
    }
    chain
}

/// The signing certificate the selection `sel` would use, read without logging
/// in (certificates are public objects), with the token's other certificates (its
/// chain). `None` when it cannot be told before the login: several end-entity
/// certificates and nothing in `sel` to choose, or a token that hides them.
/// Used to check the certificate before a PIN is asked (Circular 15/2025 §2.2).
pub fn peek_certificate(sel: &TokenSelection) -> Result<Option<(Certificate, Vec<Certificate>)>, crate::Error> {
    let (_module, ctx, token) = find_token(sel)?;
    let session = ctx.open_ro_session(token.slot).map_err(|e| TokenError::from_cryptoki("C_OpenSession", e))?;
    let objs = read_objects(&session)?;
    let end_entity = |c: &Certificate| !crate::verify::chain::is_ca(c);
    let mut objects: Vec<&CertObject> = objs
        .certs
        .iter()
        .filter(|c| sel.cert_id.as_ref().is_none_or(|id| &c.id == id))
        .filter(|c| sel.cert_label.as_ref().is_none_or(|l| &c.label == l))
        .filter(|c| c.cert.as_ref().is_some_and(end_entity))
        .collect();
    // Several certificates of one key (a renewal): the one signing would pick.
    objects.sort_by(|a, b| a.id.cmp(&b.id).then(rank(b).cmp(&rank(a))));
    objects.dedup_by(|later, kept| !later.id.is_empty() && later.id == kept.id);
    let matching: Vec<&Certificate> = objects.iter().filter_map(|c| c.cert.as_ref()).collect();
    let [one] = matching.as_slice() else {
        return Ok(None);
    };
    Ok(Some(((*one).clone(), objs.chain_candidates())))
}

/// Open the selected token, log in with `pin` once, and return a signer for the
/// selected certificate. See [`TokenSelection`] for how each field narrows the choice.
pub fn open_signer(sel: &TokenSelection, pin: Pin) -> Result<TokenSigner, crate::Error> {
    Ok(open(sel, pin)?)
}

fn open(sel: &TokenSelection, pin: Pin) -> Result<TokenSigner, TokenError> {
    let (module, ctx, token) = find_token(sel)?;
    let session = ctx.open_ro_session(token.slot).map_err(|e| TokenError::from_cryptoki("C_OpenSession", e))?;
    login(&ctx, token.slot, &session, &pin, UserType::User)?;
    let objs = read_objects(&session)?;
    let (cert_obj, key) = select(&objs, sel)?;
    let id_hex = hex::encode(&cert_obj.id);
    let Some(certificate) = cert_obj.cert.clone() else {
        return Err(TokenError::BadCertificate { id: id_hex, reason: "not an X.509 certificate".into() });
    };
    let kind = key_kind(Some(key), &certificate).ok_or_else(|| TokenError::BadCertificate {
        id: id_hex.clone(),
        reason: "key algorithm not supported (RSA, EC P-256 and P-384 are)".into(),
    })?;
    if let Some(cert_kind) = key_kind_of(&certificate) {
        let same_family = matches!(
            (cert_kind, kind),
            (KeyKind::Rsa { .. }, KeyKind::Rsa { .. }) | (KeyKind::EcP256, KeyKind::EcP256) | (KeyKind::EcP384, KeyKind::EcP384)
        );
        if !same_family {
            return Err(TokenError::BadCertificate {
                id: id_hex,
                reason: format!("certificate key {} but token key {}", cert_kind.label(), kind.label()),
            });
        }
    }
    let mechanisms = ctx.get_mechanism_list(token.slot).ok();
    let mechanism = choose(kind, mechanisms.as_deref(), key.always_authenticate).map_err(|e| match e {
        TokenError::MechanismUnsupported { detail, .. } => TokenError::MechanismUnsupported { key: kind.label(), detail },
        other => other,
    })?;
    let raw_rsa_offered = mechanisms.as_deref().is_none_or(|m| m.contains(&cryptoki::mechanism::MechanismType::RSA_PKCS));
    let chain = build_chain(&certificate, &objs.chain_candidates());
    let cert_info = CertificateInfo::describe(
        &certificate,
        &cert_obj.der,
        &cert_obj.id,
        cert_obj.label.clone(),
        Some(key.label.clone()),
        KeyEvidence::PrivateKey,
        OffsetDateTime::now_utc(),
    );
    let info = TokenSignerInfo {
        module,
        token_label: token.info.label().trim().to_owned(),
        token_serial: token.info.serial_number().trim().to_owned(),
        role: cert_info.role,
        certificate: cert_info,
        mechanism,
        always_authenticate: key.always_authenticate,
    };
    let always_authenticate = key.always_authenticate;
    let key = key.handle;
    drop(objs);
    Ok(TokenSigner {
        session: Mutex::new(session),
        key,
        kind,
        mechanism,
        raw_rsa_offered,
        always_authenticate,
        pin: always_authenticate.then_some(pin),
        ctx,
        slot: token.slot,
        certificate,
        chain,
        info,
    })
}

impl TokenSigner {
    /// Token, certificate, role and mechanism of this signer.
    pub fn info(&self) -> &TokenSignerInfo {
        &self.info
    }

    /// The mechanism in use.
    pub fn mechanism(&self) -> SignMechanism {
        self.mechanism
    }

    /// Test hook: sign RSA keys with `CKM_RSA_PKCS` over a software DigestInfo even
    /// when the token offers `CKM_SHA256_RSA_PKCS`, to exercise that path. Returns
    /// whether the switch happened (RSA key and the token lists `CKM_RSA_PKCS`).
    #[doc(hidden)]
    pub fn force_raw_rsa_pkcs(&mut self) -> bool {
        if matches!(self.kind, KeyKind::Rsa { .. }) && self.raw_rsa_offered {
            self.mechanism = SignMechanism::RsaPkcs;
            self.info.mechanism = SignMechanism::RsaPkcs;
            true
        } else {
            false
        }
    }

    fn context_login(&self, session: &Session) -> Result<(), TokenError> {
        match &self.pin {
            Some(pin) => login(&self.ctx, self.slot, session, pin, UserType::ContextSpecific),
            None => Err(TokenError::Pkcs11 { function: "C_Login", rv: "CKR_USER_NOT_LOGGED_IN".into() }),
        }
    }

    fn sign_raw(&self, message: &[u8]) -> Result<Vec<u8>, TokenError> {
        let session = self.session.lock().unwrap_or_else(|p| p.into_inner());
        let mech = self.mechanism.mechanism();
        let err = |f: &'static str| move |e| TokenError::from_cryptoki(f, e);
        if !self.always_authenticate {
            let input = self.mechanism.input(message)?;
            return session.sign(&mech, self.key, &input).map_err(err("C_Sign"));
        }
        if self.mechanism.hashes_on_token() {
            // PKCS#11 §5.2: the context-specific login goes between C_SignInit and the
            // data; a multi-part operation lets it sit there.
            session.sign_init(&mech, self.key).map_err(err("C_SignInit"))?;
            self.context_login(&session)?;
            session.sign_update(message).map_err(err("C_SignUpdate"))?;
            session.sign_final().map_err(err("C_SignFinal"))
        } else {
            // Single-part mechanisms (CKM_RSA_PKCS, CKM_ECDSA): cryptoki 0.12 has no
            // separate C_Sign, so log in just before C_SignInit+C_Sign; middleware that
            // insists on the strict order answers CKR_OPERATION_NOT_INITIALIZED.
            self.context_login(&session).map_err(|e| match e {
                TokenError::Pkcs11 { rv, .. } if rv == "CKR_OPERATION_NOT_INITIALIZED" => TokenError::MechanismUnsupported {
                    key: self.kind.label(),
                    detail: format!(
                        "CKA_ALWAYS_AUTHENTICATE with single-part {} (needs CKM_SHA256_RSA_PKCS or CKM_ECDSA_SHA256)",
                        self.mechanism.name()
                    ),
                },
                other => other,
            })?;
            let input = self.mechanism.input(message)?;
            session.sign(&mech, self.key, &input).map_err(err("C_Sign"))
        }
    }
}

impl Signer for TokenSigner {
    fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn key_kind(&self) -> KeyKind {
        self.kind
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, crate::Error> {
        let raw = self.sign_raw(message).map_err(|e| match e {
            TokenError::MechanismUnsupported { detail, .. } => TokenError::MechanismUnsupported { key: self.kind.label(), detail },
            other => other,
        })?;
        let sig = match self.kind {
            KeyKind::Rsa { bits } => pad_rsa(raw, bits),
            KeyKind::EcP256 | KeyKind::EcP384 => ecdsa_raw_to_der(self.kind, &raw)?,
        };
        Ok(sig)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn signer_is_send_and_sync() {
        assert_send_sync::<TokenSigner>();
    }
}
