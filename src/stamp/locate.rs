//! Finding places in the document's own text: the signer's block (R1) and the
//! blanks for the number and the date on page 1 (R8).

use std::path::Path;

use super::place::BlockGeometry;
use super::plan::BlankFill;

/// The signature block of `signer_name` (or a block under `title`) on page `page`.
pub fn signature_block(_input: &Path, _page: usize, _signer_name: Option<&str>, _title: Option<&str>) -> Option<BlockGeometry> {
    None
}

/// The number and date blanks on page 1, filled with the number's numeric part
/// (when the symbol is printed) and the day and month.
pub fn number_and_date(_input: &Path, _doc_number: Option<&str>, _date: Option<time::Date>) -> Result<BlankFill, crate::Error> {
    Ok(BlankFill::default())
}
