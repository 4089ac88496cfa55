//! Stream decoding for the streams the reader must understand itself: object
//! streams and cross-reference streams (ISO 32000-2 §7.4.4, §7.4.4.4 predictors).
//!
//! Output is capped, so a decompression bomb ends in an error, not in memory
//! exhaustion.

use std::io::Read;

use super::object::{Dict, Object};
use super::PdfError;

/// Largest decoded size of an object stream or cross-reference stream.
pub const MAX_DECODED: u64 = 64 * 1024 * 1024;

/// Decode `data` according to the stream dictionary's `/Filter` and `/DecodeParms`.
///
/// Only `/FlateDecode` (with PNG or TIFF-2 predictors) is supported; that is what
/// every producer uses for object and xref streams.
pub fn decode(dict: &Dict, data: &[u8]) -> Result<Vec<u8>, PdfError> {
    let filters: Vec<&[u8]> = match dict.get(b"Filter") {
        None | Some(Object::Null) => Vec::new(),
        Some(Object::Name(n)) => vec![n.as_slice()],
        Some(Object::Array(a)) => a
            .iter()
            .map(|o| match o {
                Object::Name(n) => Ok(n.as_slice()),
                _ => Err(PdfError::malformed(0, "stream /Filter array holds a non-name")),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(PdfError::malformed(0, "stream /Filter is not a name")),
    };
    let parms: Vec<Option<&Dict>> = match dict.get(b"DecodeParms") {
        Some(Object::Dict(d)) => vec![Some(d)],
        Some(Object::Array(a)) => a.iter().map(|o| o.as_dict()).collect(),
        _ => Vec::new(),
    };
    let mut out = data.to_vec();
    for (i, f) in filters.iter().enumerate() {
        out = match *f {
            b"FlateDecode" | b"Fl" => {
                let inflated = inflate(&out)?;
                match parms.get(i).copied().flatten() {
                    Some(p) => unpredict(p, inflated)?,
                    None => inflated,
                }
            }
            other => return Err(PdfError::UnsupportedFilter(String::from_utf8_lossy(other).into_owned())),
        };
    }
    Ok(out)
}

fn inflate(data: &[u8]) -> Result<Vec<u8>, PdfError> {
    let mut out = Vec::new();
    let mut dec = flate2::read::ZlibDecoder::new(data).take(MAX_DECODED + 1);
    dec.read_to_end(&mut out).map_err(|_| PdfError::malformed(0, "corrupt compressed stream"))?;
    if out.len() as u64 > MAX_DECODED {
        return Err(PdfError::LimitExceeded("decoded stream size"));
    }
    Ok(out)
}

fn unpredict(parms: &Dict, data: Vec<u8>) -> Result<Vec<u8>, PdfError> {
    let predictor = parms.int(b"Predictor").unwrap_or(1);
    if predictor == 1 {
        return Ok(data);
    }
    let colors = parms.int(b"Colors").unwrap_or(1);
    let bpc = parms.int(b"BitsPerComponent").unwrap_or(8);
    let columns = parms.int(b"Columns").unwrap_or(1);
    if !(1..=32).contains(&colors) || ![1, 2, 4, 8, 16].contains(&bpc) || !(1..=1 << 20).contains(&columns) {
        return Err(PdfError::malformed(0, "bad predictor parameters"));
    }
    // Bounded by the checks above, so these products cannot overflow.
    let bpp = ((colors * bpc + 7) / 8) as usize;
    let row_len = ((colors * bpc * columns + 7) / 8) as usize;
    if predictor == 2 {
        if bpc != 8 {
            return Err(PdfError::malformed(0, "TIFF predictor with other than 8 bits"));
        }
        let mut out = data;
        for row in out.chunks_mut(row_len) {
            for i in bpp..row.len() {
                row[i] = row[i].wrapping_add(row[i - bpp]);
            }
        }
        return Ok(out);
    }
    if predictor < 10 {
        return Err(PdfError::malformed(0, "unknown predictor"));
    }
    let mut out = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; row_len];
    for chunk in data.chunks(row_len + 1) {
        let (&tag, src) = chunk.split_first().ok_or(PdfError::malformed(0, "empty predictor row"))?;
        let mut row = src.to_vec();
        row.resize(row_len, 0);
        for i in 0..row_len {
            let left = if i >= bpp { row[i - bpp] } else { 0 };
            let up = prev[i];
            let up_left = if i >= bpp { prev[i - bpp] } else { 0 };
            row[i] = match tag {
                0 => row[i],
                1 => row[i].wrapping_add(left),
                2 => row[i].wrapping_add(up),
                3 => row[i].wrapping_add(((u16::from(left) + u16::from(up)) / 2) as u8),
                4 => row[i].wrapping_add(paeth(left, up, up_left)),
                _ => return Err(PdfError::malformed(0, "unknown PNG predictor tag")),
            };
        }
        out.extend_from_slice(&row[..src.len().min(row_len)]);
        prev = row;
    }
    Ok(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = ((p - i16::from(a)).abs(), (p - i16::from(b)).abs(), (p - i16::from(c)).abs());
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = e.write_all(data);
        e.finish().unwrap_or_default()
    }

    #[test]
    fn png_up_predictor_round_trip() {
        // Two rows of 3 columns with the Up filter (tag 2).
        let raw = [2u8, 1, 2, 3, 2, 1, 1, 1];
        let dict = crate::pdf::syntax::Cursor::new(b"<< /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 3 >> >>", 0)
            .dict()
            .expect("dict");
        let out = decode(&dict, &zlib(&raw)).expect("decode");
        assert_eq!(out, vec![1, 2, 3, 2, 3, 4]);
    }

    #[test]
    fn bomb_is_capped() {
        let big = vec![0u8; (MAX_DECODED + 10) as usize];
        let dict = crate::pdf::syntax::Cursor::new(b"<< /Filter /FlateDecode >>", 0).dict().expect("dict");
        assert!(matches!(decode(&dict, &zlib(&big)), Err(PdfError::LimitExceeded(_))));
    }
}
