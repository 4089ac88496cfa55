//! When a weak algorithm (SHA-1, an RSA key under 2048 bits) is still acceptable.
//!
//! The rule, in the manner of ETSI EN 319 102-1 §5.2.8 and ETSI TS 119 312: an
//! algorithm is acceptable for a signature (or a time-stamp) only if there is a
//! proof of existence (POE) of that signature from before the algorithm's sunset
//! date, [`WEAK_SUNSET`]. Without such a proof — a new signature, or an old one
//! nobody time-stamped — it is INDETERMINATE / `CRYPTO_CONSTRAINTS_FAILURE_NO_POE`.
//! The rule covers the CMS (digest and signature algorithm, key size) and every
//! certificate of the path except:
//! * the trust anchor, whose own signature is never relied on;
//! * a certificate KýSố bundles and pins by its SHA-256 fingerprint (the
//!   first-generation government CA and the MIC National Root CA, both SHA-1
//!   signed): the pin vouches for its bytes, so a SHA-1 collision on its
//!   signature cannot substitute another certificate. Such links are reported;
//! * a certificate a pinned bundled root issued before [`WEAK_SUNSET`] (the MIC
//!   root's issuing CAs, the G1 root's time-stamping authorities): a root signs
//!   no content an applicant chooses, so there is nothing to collide with.
//!
//! A certificate issued after the sunset and signed with SHA-1 can never be part
//! of an acceptable path: a signature it made cannot have a POE before its own
//! issuance. See docs/verification-trust.md, "Weak algorithms".

use time::macros::datetime;
use time::OffsetDateTime;

/// The end of weak algorithms: 2021-01-01 00:00 Vietnam time. The first practical
/// chosen-prefix collision on SHA-1 (Leurent & Peyrin, "SHA-1 is a Shambles") was
/// published in January 2020; by the end of 2020 the Vietnamese CAs issued SHA-2
/// certificates only (VNPT-CA SHA2, RootCA G2), so nothing genuine needs SHA-1 after.
pub const WEAK_SUNSET: OffsetDateTime = datetime!(2021-01-01 00:00 +7);

/// The weak algorithms a signature or time-stamp uses, and what is made of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WeakUse {
    /// Weak algorithms whose acceptance depends on a proof of existence before
    /// [`WEAK_SUNSET`] (`what: algorithm`).
    pub needs_poe: Vec<String>,
    /// SHA-1 signatures on pinned bundled certificates (accepted, reported).
    pub pinned: Vec<String>,
}

impl WeakUse {
    /// Nothing weak at all.
    pub fn is_empty(&self) -> bool {
        self.needs_poe.is_empty() && self.pinned.is_empty()
    }

    /// Whether the weak algorithms are acceptable for something whose earliest
    /// proof of existence is `poe` (`None`: none, judged now).
    pub fn acceptable(&self, poe: Option<OffsetDateTime>) -> bool {
        self.needs_poe.is_empty() || poe.is_some_and(|t| t < WEAK_SUNSET)
    }

    /// Everything reported, the pinned links marked as such.
    pub fn report(&self) -> Vec<String> {
        self.needs_poe.iter().cloned().chain(self.pinned.iter().map(|p| format!("{p} (pinned)"))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_algorithms_need_a_proof_from_before_the_sunset() {
        let w = WeakUse { needs_poe: vec!["SHA-1".into()], pinned: Vec::new() };
        assert!(!w.acceptable(None));
        assert!(w.acceptable(Some(datetime!(2020-06-01 12:00 UTC))));
        assert!(!w.acceptable(Some(datetime!(2020-12-31 17:00 UTC))), "the sunset itself is too late");
        assert!(!w.acceptable(Some(datetime!(2025-01-01 00:00 UTC))));
        let pinned = WeakUse { needs_poe: Vec::new(), pinned: vec!["G1: sha1WithRSAEncryption".into()] };
        assert!(pinned.acceptable(None));
        assert_eq!(pinned.report(), ["G1: sha1WithRSAEncryption (pinned)"]);
    }
}
