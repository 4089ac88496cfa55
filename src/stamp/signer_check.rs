//! The right signer for the block (SPEC R15 extended; Decree 68/2024): before a
//! personal signature, the name printed under the signature block is compared with
//! the certificate's holder, diacritics, case and spacing folded ([`fold`]).
//!
//! A deputy signing for the head (`KT.`, `TL.`, `TUQ.` above the title) signs with
//! their **own** certificate, and the name under the block must be theirs: an
//! agency certificate in such a block is refused outright, another person's name
//! is a mismatch the user must confirm (CLI: `--allow-name-mismatch`; the desktop
//! asks naming both). The agency signature (seal, copy, annex) is not subject to
//! the rule. Only the text of the page the stamp goes to is read.

use serde::Serialize;

use super::anchors::{find_all_signature_blocks, find_signature_blocks, fold, SignatureBlock, TextLine};
use crate::i18n::{Lang, Localize};
use crate::tr;

/// A signature block as the check reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockNames {
    /// The name line under the blank, as printed.
    pub name: String,
    /// The title lines, top to bottom.
    pub titles: Vec<String>,
    /// `KT.`, `TL.` or `TUQ.` when a title line starts with it.
    pub delegation: Option<String>,
}

impl BlockNames {
    fn of(b: &SignatureBlock) -> BlockNames {
        let titles: Vec<String> = b.titles.iter().map(|t| t.text.trim().to_owned()).collect();
        BlockNames { name: b.name.text.trim().to_owned(), delegation: titles.iter().find_map(|t| delegation(t)), titles }
    }
}

/// `KT.`, `TL.` or `TUQ.` when `title` starts with that delegation mark.
pub fn delegation(title: &str) -> Option<String> {
    let f = fold(title);
    for (mark, shown) in [("kt", "KT."), ("tl", "TL."), ("tuq", "TUQ.")] {
        if let Some(rest) = f.strip_prefix(mark) {
            if rest.starts_with('.') || rest.starts_with(' ') || rest.is_empty() {
                return Some(shown.to_owned());
            }
        }
    }
    None
}

/// What the page says about who should sign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "result")]
pub enum NameCheck {
    /// Not a personal signature, or an invisible one: nothing to compare.
    NotApplicable,
    /// No signature block on the page.
    NoBlock,
    /// The block names the certificate's holder.
    Match {
        /// The block.
        block: BlockNames,
    },
    /// The block names someone else.
    Mismatch {
        /// The block.
        block: BlockNames,
        /// The certificate's holder.
        holder: String,
    },
}

/// Compare the blocks on a page (`lines`) with `holder`. `wanted`: the name the
/// user said the block carries (`--signer-name`), which picks the block.
pub fn check_lines(lines: &[TextLine], holder: &str, wanted: Option<&str>) -> NameCheck {
    let key = fold(holder);
    let same = |b: &SignatureBlock| {
        let f = fold(&b.name.text);
        !key.is_empty() && (f == key || format!(" {f} ").contains(&format!(" {key} ")))
    };
    if let Some(w) = wanted.filter(|w| !fold(w).is_empty()) {
        if let Some(b) = find_signature_blocks(lines, w).first() {
            return if same(b) {
                NameCheck::Match { block: BlockNames::of(b) }
            } else {
                NameCheck::Mismatch { block: BlockNames::of(b), holder: holder.to_owned() }
            };
        }
    }
    // A person's name is written in mixed case; an upper-case line naming the
    // holder is a heading (the agency's name at the top), not a signature block.
    let mixed_case = |b: &&SignatureBlock| b.name.text.chars().any(char::is_lowercase);
    if let Some(b) = find_signature_blocks(lines, holder).iter().find(mixed_case) {
        return NameCheck::Match { block: BlockNames::of(b) };
    }
    match find_all_signature_blocks(lines).first() {
        Some(b) => NameCheck::Mismatch { block: BlockNames::of(b), holder: holder.to_owned() },
        None => NameCheck::NoBlock,
    }
}

/// Why a personal signature is refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignerNameRefusal {
    /// The block names another person; the user did not confirm.
    #[error("the signature block names {block_name:?}, the certificate {holder:?}")]
    NameMismatch {
        /// The name under the block.
        block_name: String,
        /// The certificate's holder.
        holder: String,
        /// The block's delegation mark, if any.
        delegation: Option<String>,
    },
    /// An agency certificate in a `KT.`/`TL.`/`TUQ.` block.
    #[error("agency certificate in a {delegation} block for {block_name:?}")]
    AgencyInDelegatedBlock {
        /// The name under the block.
        block_name: String,
        /// `KT.`, `TL.` or `TUQ.`.
        delegation: String,
    },
}

impl SignerNameRefusal {
    /// Stable kind: `name_mismatch`, `agency_in_delegated_block`.
    pub fn kind(&self) -> &'static str {
        match self {
            SignerNameRefusal::NameMismatch { .. } => "name_mismatch",
            SignerNameRefusal::AgencyInDelegatedBlock { .. } => "agency_in_delegated_block",
        }
    }
}

impl Localize for SignerNameRefusal {
    fn localize(&self, lang: Lang) -> String {
        match self {
            SignerNameRefusal::NameMismatch { block_name, holder, delegation } => {
                let deleg = delegation.as_deref().map(|d| match lang {
                    Lang::Vi => format!(" Khối chữ ký \"{d}\" phải do chính người có tên ký bằng chứng thư số cá nhân của mình."),
                    Lang::En => format!(" A \"{d}\" block must be signed by the person named in it with their own personal certificate."),
                });
                tr!(
                    lang,
                    "Tên dưới chữ ký trên văn bản là \"{}\" nhưng chứng thư số là của \"{}\".{} Không ký. Nếu đúng là người này ký thay, dùng --allow-name-mismatch (ứng dụng sẽ hỏi xác nhận).",
                    "The name under the signature block is \"{}\" but the certificate belongs to \"{}\".{} Not signed. If this person really signs here, use --allow-name-mismatch (the app asks to confirm).",
                    block_name,
                    holder,
                    deleg.unwrap_or_default()
                )
            }
            SignerNameRefusal::AgencyInDelegatedBlock { block_name, delegation } => tr!(
                lang,
                "Khối chữ ký \"{}\" của \"{}\" phải được ký bằng chứng thư số cá nhân của chính người đó, không dùng chứng thư số của cơ quan. Không ký.",
                "The \"{}\" block of \"{}\" must be signed with that person's own personal certificate, not the agency certificate. Not signed.",
                delegation,
                block_name
            ),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn delegation_marks() {
        assert_eq!(delegation("KT. CHỦ TỊCH").as_deref(), Some("KT."));
        assert_eq!(delegation("TL. BỘ TRƯỞNG").as_deref(), Some("TL."));
        assert_eq!(delegation("TUQ. GIÁM ĐỐC").as_deref(), Some("TUQ."));
        assert_eq!(delegation("TM. ỦY BAN NHÂN DÂN"), None);
        assert_eq!(delegation("TRƯỞNG PHÒNG"), None);
        assert_eq!(delegation("CHỦ TỊCH"), None);
    }
}
