//! Telling a personal certificate from an agency (organisation) certificate
//! (SPEC R15), from the certificate subject alone.
//!
//! Vietnamese CAs mark the subscriber's identity in the subject: personal
//! certificates carry `UID=CMND:<id card>`, `UID=CCCD:<citizen id>` or
//! `UID=HC:<passport>`; organisation certificates carry `UID=MST:<tax code>` (or
//! `MNS:<budget code>` for state budget units) and have a CN naming the organisation,
//! often equal to O. The rule, first match wins:
//!
//! 1. a `UID` or `serialNumber` value starting `CMND:`, `CCCD:`, `CMT:` or `HC:` →
//!    **personal** (a person's certificate inside an organisation may also carry the
//!    organisation's `MST:`; the personal identifier wins);
//! 2. a value starting `MST:` or `MNS:` → **agency**;
//! 3. a CN starting with a word that names an organisation ("Ủy ban", "UBND", "Sở",
//!    "Bộ", "Văn phòng", "Cục", "Trung tâm", "Công ty", …; see [`ORGANISATION_WORDS`]),
//!    compared without case or diacritics → **agency**;
//! 4. a CN equal to an O (without case, diacritics or extra spaces) → **agency**;
//! 5. a CN that reads as a person's name (2–7 words of letters only, each starting
//!    with a capital, or starting with a common Vietnamese surname) → **personal**;
//! 6. otherwise **unknown**: the app then asks instead of guessing.

use serde::Serialize;
use x509_cert::Certificate;

use super::certinfo::{attr_values, OID_CN, OID_O, OID_SERIAL_NUMBER, OID_UID};
use crate::i18n::Lang;

/// Who a certificate signs for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A person (leader, reviewer): the personal signature (R1).
    Personal,
    /// An agency or organisation: the agency signature that stands in for the seal (R2).
    Agency,
    /// The subject does not say.
    Unknown,
}

impl Role {
    /// "cá nhân" / "personal", etc.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Role::Personal => lang.pick("cá nhân", "personal"),
            Role::Agency => lang.pick("cơ quan, tổ chức", "agency"),
            Role::Unknown => lang.pick("chưa xác định", "unknown"),
        }
    }
}

/// Which rule of the module documentation decided the role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RoleReason {
    /// Rule 1: `CMND:`/`CCCD:`/`CMT:`/`HC:` identifier.
    PersonalId,
    /// Rule 2: `MST:` tax code or `MNS:` budget code.
    TaxCode,
    /// Rule 3: CN starts with an organisation word.
    OrganisationName,
    /// Rule 4: CN equals O.
    CommonNameIsOrganisation,
    /// Rule 5: CN reads as a person's name.
    PersonName,
    /// Rule 6: nothing decided.
    Undecided,
}

/// The outcome of [`classify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Classification {
    /// The role.
    pub role: Role,
    /// The rule that decided it.
    pub reason: RoleReason,
}

/// Words (diacritics and case ignored) that start the name of an organisation.
pub const ORGANISATION_WORDS: &[&str] = &[
    "Ủy ban",
    "Uỷ ban",
    "UBND",
    "HĐND",
    "Hội đồng",
    "Sở",
    "Bộ",
    "Văn phòng",
    "Tổng cục",
    "Chi cục",
    "Cục",
    "Ban",
    "Trung tâm",
    "Trường",
    "Học viện",
    "Bệnh viện",
    "Công ty",
    "Tập đoàn",
    "Ngân hàng",
    "Kho bạc",
    "Chi nhánh",
    "Tỉnh ủy",
    "Tỉnh uỷ",
    "Thành ủy",
    "Thành uỷ",
    "Huyện ủy",
    "Huyện uỷ",
    "Quận ủy",
    "Thị ủy",
    "Đảng ủy",
    "Đảng uỷ",
    "Đảng bộ",
    "Tòa án",
    "Toà án",
    "Viện",
    "Phòng",
    "Công an",
    "Bộ Chỉ huy",
    "Mặt trận",
    "Liên đoàn",
    "Hội",
    "Đại học",
    "Cảng vụ",
    "Đài",
    "Báo",
];

/// First words that are surnames even though they fold to an organisation word
/// ("Trương" folds like "Trường").
const SURNAME_EXCEPTIONS: &[&str] = &["trương"];

/// Common Vietnamese surnames, folded.
const SURNAMES: &[&str] = &[
    "nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do", "ho", "ngo", "duong", "ly", "dinh", "doan",
    "trinh", "truong", "lam", "mai", "cao", "luu", "ha", "ta", "chu", "kieu", "quach", "thai", "vuong", "la", "tong", "luong", "hua",
    "dao", "trieu", "nong", "lo", "lu", "giang", "tieu", "ton", "thach", "khuat", "nghiem", "van",
];

/// Lowercase, Vietnamese diacritics removed (`Ủy ban` → `uy ban`, `Đ` → `d`), runs of
/// white space collapsed to one space.
pub fn fold(s: &str) -> String {
    const GROUPS: &[(&str, char)] = &[
        ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
        ("èéẻẽẹêềếểễệ", 'e'),
        ("ìíỉĩị", 'i'),
        ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
        ("ùúủũụưừứửữự", 'u'),
        ("ỳýỷỹỵ", 'y'),
        ("đ", 'd'),
    ];
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        if ('\u{0300}'..='\u{036f}').contains(&c) {
            continue; // combining marks of decomposed text
        }
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        let base = GROUPS.iter().find(|(g, _)| g.contains(c)).map(|(_, b)| *b).unwrap_or(c);
        out.push(base);
    }
    out
}

fn starts_with_word(folded: &str, word: &str) -> bool {
    folded.strip_prefix(word).is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
}

fn id_prefix(value: &str) -> Option<String> {
    let (prefix, rest) = value.split_once(':')?;
    (!rest.trim().is_empty()).then(|| prefix.trim().to_ascii_uppercase())
}

fn looks_like_person(cn: &str) -> bool {
    let words: Vec<&str> = cn.split_whitespace().collect();
    if !(2..=7).contains(&words.len()) || !words.iter().all(|w| w.chars().all(char::is_alphabetic)) {
        return false;
    }
    let first = fold(words[0]);
    SURNAMES.contains(&first.as_str()) || words.iter().all(|w| w.chars().next().is_some_and(char::is_uppercase))
}

/// Apply the rule of the module documentation to a subject's CN, O values and
/// identifier values (`UID` and `serialNumber`).
pub fn classify(cn: Option<&str>, organisations: &[String], identifiers: &[String]) -> Classification {
    let decided = |role, reason| Classification { role, reason };
    let prefixes: Vec<String> = identifiers.iter().filter_map(|v| id_prefix(v)).collect();
    if prefixes.iter().any(|p| matches!(p.as_str(), "CMND" | "CCCD" | "CMT" | "HC")) {
        return decided(Role::Personal, RoleReason::PersonalId);
    }
    if prefixes.iter().any(|p| matches!(p.as_str(), "MST" | "MNS")) {
        return decided(Role::Agency, RoleReason::TaxCode);
    }
    let Some(cn) = cn.map(str::trim).filter(|c| !c.is_empty()) else {
        return decided(Role::Unknown, RoleReason::Undecided);
    };
    let folded = fold(cn);
    let first_word = cn.split_whitespace().next().unwrap_or("").to_lowercase();
    let surname_first = SURNAME_EXCEPTIONS.contains(&first_word.as_str());
    if !surname_first && ORGANISATION_WORDS.iter().any(|w| starts_with_word(&folded, &fold(w))) {
        return decided(Role::Agency, RoleReason::OrganisationName);
    }
    if organisations.iter().any(|o| fold(o) == folded) {
        return decided(Role::Agency, RoleReason::CommonNameIsOrganisation);
    }
    if looks_like_person(cn) {
        return decided(Role::Personal, RoleReason::PersonName);
    }
    decided(Role::Unknown, RoleReason::Undecided)
}

/// [`classify`] applied to a certificate's subject.
pub fn classify_certificate(cert: &Certificate) -> Classification {
    let subject = &cert.tbs_certificate.subject;
    let cn = attr_values(subject, OID_CN).into_iter().next();
    let orgs = attr_values(subject, OID_O);
    let mut ids = attr_values(subject, OID_UID);
    ids.extend(attr_values(subject, OID_SERIAL_NUMBER));
    classify(cn.as_deref(), &orgs, &ids)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn role(cn: &str, o: &[&str], ids: &[&str]) -> (Role, RoleReason) {
        let o: Vec<String> = o.iter().map(|s| s.to_string()).collect();
        let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        let c = classify(Some(cn), &o, &ids);
        (c.role, c.reason)
    }

    #[test]
    fn folding() {
        assert_eq!(fold("  Ủy  ban nhân dân TỈNH Lai Châu "), "uy ban nhan dan tinh lai chau");
        assert_eq!(fold("ĐẢNG ỦY"), "dang uy");
        // decomposed (NFD) input
        assert_eq!(fold("So\u{031b}\u{0309} Tu\u{031b} pha\u{0301}p"), "so tu phap");
    }

    #[test]
    fn identifiers_decide_first() {
        assert_eq!(role("Nguyễn Văn An", &[], &["CCCD:001085012345"]), (Role::Personal, RoleReason::PersonalId));
        assert_eq!(role("Nguyễn Văn An", &["Công ty X"], &["MST:0101234567", "CMND:123456789"]).0, Role::Personal);
        assert_eq!(role("Lê B", &[], &["hc:B1234567"]).0, Role::Personal);
        assert_eq!(role("Ủy ban nhân dân tỉnh Thử Nghiệm", &[], &["MST:0101234567"]), (Role::Agency, RoleReason::TaxCode));
        assert_eq!(role("Kho bạc", &[], &["MNS:1234567"]).1, RoleReason::TaxCode);
        // a bare prefix is not an identifier
        assert_eq!(role("X Y", &[], &["MST:"]).1, RoleReason::PersonName);
    }

    #[test]
    fn organisation_words_without_diacritics() {
        for cn in [
            "UBND huyện Tam Đường",
            "Uy ban nhan dan xa Binh Minh",
            "Sở Tư pháp tỉnh Lai Châu",
            "SO TAI CHINH",
            "Văn phòng Đoàn ĐBQH và HĐND tỉnh",
            "Tổng cục Thuế",
            "Chi cục Kiểm lâm",
            "Trường THPT Chuyên",
            "Bệnh viện Đa khoa tỉnh",
            "Công ty TNHH Một thành viên",
            "Tỉnh ủy Lai Châu",
            "Đảng ủy Khối cơ quan",
            "Tòa án nhân dân tối cao",
            "Viện Kiểm sát nhân dân",
            "Phòng Giáo dục và Đào tạo",
            "Trung tâm Phục vụ hành chính công",
            "Ban Quản lý dự án",
            "Hội đồng nhân dân tỉnh",
            "Huyện ủy Sìn Hồ",
        ] {
            assert_eq!(role(cn, &[], &[]), (Role::Agency, RoleReason::OrganisationName), "{cn}");
        }
    }

    #[test]
    fn people_are_not_organisations() {
        for cn in ["Nguyễn Văn An", "Trương Thị Bình", "NGUYỄN VĂN AN", "Sơn Tùng", "Bùi Văn Phòng", "Đoàn Văn Hậu"] {
            assert_eq!(role(cn, &[], &[]).0, Role::Personal, "{cn}");
        }
    }

    #[test]
    fn cn_equal_to_o_is_agency() {
        assert_eq!(
            role("Hợp tác xã Nông nghiệp Tân Tiến", &["HỢP TÁC XÃ NÔNG NGHIỆP TÂN TIẾN"], &[]),
            (Role::Agency, RoleReason::CommonNameIsOrganisation)
        );
    }

    #[test]
    fn otherwise_unknown() {
        assert_eq!(role("signing-key-2024", &[], &[]).0, Role::Unknown);
        assert_eq!(classify(None, &[], &[]).role, Role::Unknown);
    }
}
