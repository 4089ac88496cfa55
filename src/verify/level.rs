//! The PAdES baseline level a signature reaches (ETSI EN 319 142-1 §6): what it
//! carries for validation in ten or twenty years, after the certificates expired
//! and the CAs' servers moved.
//!
//! | level | the signature has |
//! | --- | --- |
//! | B-B | a CAdES signature (`ETSI.CAdES.detached`, ESS signing-certificate) |
//! | B-T | and a valid time-stamp: its own signature time-stamp, or a document time-stamp over its revision |
//! | B-LT | and, in the file, the certificates and revocation data that validate it and its time-stamps offline |
//! | B-LTA | and a valid document time-stamp over that validation data |
//!
//! A PKCS#7 signature (`adbe.pkcs7.detached`, `adbe.pkcs7.sha1`) has no baseline
//! level; it may still carry time-stamps and validation data (reported as such).

use serde::Serialize;

/// A PAdES baseline level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum PadesLevel {
    /// Not a PAdES baseline signature (PKCS#7).
    #[serde(rename = "PKCS7")]
    Pkcs7,
    /// Basic.
    #[serde(rename = "B-B")]
    BB,
    /// With a time-stamp.
    #[serde(rename = "B-T")]
    BT,
    /// With long-term validation data.
    #[serde(rename = "B-LT")]
    BLt,
    /// With an archive time-stamp.
    #[serde(rename = "B-LTA")]
    BLta,
}

impl PadesLevel {
    /// The short name (`B-LT`).
    pub fn name(self) -> &'static str {
        match self {
            PadesLevel::Pkcs7 => "PKCS#7",
            PadesLevel::BB => "B-B",
            PadesLevel::BT => "B-T",
            PadesLevel::BLt => "B-LT",
            PadesLevel::BLta => "B-LTA",
        }
    }
}

/// What the level is computed from.
#[derive(Clone, Copy, Debug, Default)]
pub struct LevelFacts {
    /// `/SubFilter /ETSI.CAdES.detached` (with the ESS attribute the CMS check requires).
    pub cades: bool,
    /// A valid signature time-stamp, or a valid document time-stamp over its revision.
    pub time_stamped: bool,
    /// Offline, the file's own certificates and revocation data validate the
    /// signature's path and its time-stamp's.
    pub validation_data: bool,
    /// A valid document time-stamp over a revision after the signature's (over
    /// the validation data).
    pub archive_time_stamped: bool,
}

/// The level these facts make.
pub fn level(f: LevelFacts) -> PadesLevel {
    if !f.cades {
        return PadesLevel::Pkcs7;
    }
    match (f.time_stamped, f.validation_data, f.archive_time_stamped) {
        (false, _, _) => PadesLevel::BB,
        (true, false, _) => PadesLevel::BT,
        (true, true, false) => PadesLevel::BLt,
        (true, true, true) => PadesLevel::BLta,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_level_needs_the_one_below() {
        let all = LevelFacts { cades: true, time_stamped: true, validation_data: true, archive_time_stamped: true };
        assert_eq!(level(all), PadesLevel::BLta);
        assert_eq!(level(LevelFacts { archive_time_stamped: false, ..all }), PadesLevel::BLt);
        assert_eq!(level(LevelFacts { validation_data: false, ..all }), PadesLevel::BT);
        assert_eq!(level(LevelFacts { time_stamped: false, ..all }), PadesLevel::BB);
        assert_eq!(level(LevelFacts { cades: false, ..all }), PadesLevel::Pkcs7);
        assert_eq!(serde_json::to_value(PadesLevel::BLta).unwrap_or_default(), "B-LTA");
    }
}
