//! Reading documents encrypted by the standard security handler with an empty
//! user password (ISO 32000-2 §7.6.4): the common "owner password only" PDF, which
//! any viewer opens without asking. Used for verification only — KýSố never signs
//! an encrypted document.
//!
//! Supported: `/V` 1, 2 and 4 with `/R` 2–4 (RC4 40–128 bit, AES-128 `AESV2`), `/V`
//! 5 with `/R` 5 and 6 (AES-256 `AESV3`). Not supported (the document stays
//! "encrypted": a password is needed, or it is encrypted for certificates with
//! `/Adobe.PubSec`, whose key only the recipients' private keys unlock).
//!
//! What is decrypted: every string of an indirect object outside object streams,
//! and every stream except cross-reference streams and (with `/EncryptMetadata
//! false`) metadata streams. What is not: the `/Contents` of a signature
//! dictionary (ISO 32000-2 §7.6.2: it holds the signature itself), the `/Encrypt`
//! dictionary, and objects inside object streams (the object stream was
//! decrypted as a whole).

use aes::cipher::{block_padding::NoPadding, block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use md5::{Digest as _, Md5};
use sha2::{Sha256, Sha384, Sha512};

use super::object::{Dict, ObjRef, Object};

/// The 32-byte padding of ISO 32000-2 §7.6.4.3.2 Algorithm 2 step a.
const PAD: [u8; 32] = [
    0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08, 0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68,
    0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
];

/// How strings or streams are encrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    /// Not encrypted (crypt filter `/Identity`).
    Identity,
    /// RC4 with a per-object key (Algorithm 1).
    Rc4,
    /// AES-128-CBC with a per-object key (Algorithm 1 with "sAlT").
    Aes128,
    /// AES-256-CBC with the file key itself.
    Aes256,
}

/// Why a document cannot be decrypted here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CryptError {
    /// Another security handler (`/Adobe.PubSec`: encrypted for certificates).
    Handler(String),
    /// A user password is needed.
    NeedsPassword,
    /// A version or crypt filter this reader does not implement.
    Unsupported(String),
    /// The `/Encrypt` dictionary is malformed.
    Malformed(&'static str),
}

/// The file key and methods of a document that opens without a password.
#[derive(Clone, Debug)]
pub struct Decryptor {
    key: Vec<u8>,
    strings: Method,
    streams: Method,
    encrypt_metadata: bool,
    /// The `/Encrypt` dictionary's own object, never decrypted.
    encrypt_ref: Option<ObjRef>,
}

impl Decryptor {
    /// The decryptor for the trailer's `/Encrypt` dictionary `enc` (resolved; its
    /// reference `encrypt_ref` if indirect) and the first `/ID` string.
    pub fn new(enc: &Dict, encrypt_ref: Option<ObjRef>, id0: &[u8]) -> Result<Decryptor, CryptError> {
        let filter = enc.name(b"Filter").unwrap_or_default();
        if filter != b"Standard" {
            return Err(CryptError::Handler(String::from_utf8_lossy(filter).into_owned()));
        }
        let v = enc.int(b"V").unwrap_or(0);
        let r = enc.int(b"R").ok_or(CryptError::Malformed("/R"))?;
        let o = string(enc, b"O")?;
        let u = string(enc, b"U")?;
        let p = enc.int(b"P").ok_or(CryptError::Malformed("/P"))? as i32;
        let encrypt_metadata = !matches!(enc.get(b"EncryptMetadata"), Some(Object::Bool(false)));
        let (strings, streams) = match v {
            1 | 2 => (Method::Rc4, Method::Rc4),
            4 | 5 => (crypt_filter(enc, b"StrF")?, crypt_filter(enc, b"StmF")?),
            other => return Err(CryptError::Unsupported(format!("/V {other}"))),
        };
        let key = match r {
            2..=4 => {
                let bytes = match v {
                    1 => 5,
                    _ => usize::try_from(enc.int(b"Length").unwrap_or(40) / 8).unwrap_or(5).clamp(5, 16),
                };
                let bytes = if matches!(strings, Method::Aes128) || matches!(streams, Method::Aes128) { 16 } else { bytes };
                let key = key_r4(r, bytes, &o, p, id0, encrypt_metadata);
                if !user_password_r4(r, &key, &u, id0) {
                    return Err(CryptError::NeedsPassword);
                }
                key
            }
            5 | 6 => {
                let ue = string(enc, b"UE")?;
                key_r6(r, &u, &ue).ok_or(CryptError::NeedsPassword)?
            }
            other => return Err(CryptError::Unsupported(format!("/R {other}"))),
        };
        Ok(Decryptor { key, strings, streams, encrypt_metadata, encrypt_ref })
    }

    /// Decrypt, in place, every string of object `id` (see the module doc for
    /// what is left alone).
    pub fn decrypt_object(&self, id: ObjRef, obj: &mut Object) {
        if Some(id) == self.encrypt_ref || self.strings == Method::Identity {
            return;
        }
        let signature = obj.as_dict().is_some_and(|d| d.get(b"ByteRange").is_some() || d.has_type(b"Sig") || d.has_type(b"DocTimeStamp"));
        self.decrypt_strings(id, obj, signature, 0);
    }

    fn decrypt_strings(&self, id: ObjRef, obj: &mut Object, signature_dict: bool, depth: usize) {
        if depth > 64 {
            return;
        }
        match obj {
            Object::String(s) => {
                if let Some(plain) = self.decrypt(self.strings, id, s) {
                    *s = plain;
                }
            }
            Object::Array(a) => a.iter_mut().for_each(|o| self.decrypt_strings(id, o, false, depth + 1)),
            Object::Dict(d) => {
                for e in &mut d.entries {
                    if signature_dict && e.key == b"Contents" {
                        continue;
                    }
                    self.decrypt_strings(id, &mut e.value, false, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// Whether the data of stream object `id` with dictionary `dict` is encrypted.
    pub fn stream_encrypted(&self, id: ObjRef, dict: &Dict) -> bool {
        !(self.streams == Method::Identity
            || Some(id) == self.encrypt_ref
            || dict.has_type(b"XRef")
            || (!self.encrypt_metadata && dict.has_type(b"Metadata")))
    }

    /// The plain data of stream object `id` (`None`: malformed ciphertext).
    pub fn decrypt_stream(&self, id: ObjRef, data: &[u8]) -> Option<Vec<u8>> {
        self.decrypt(self.streams, id, data)
    }

    fn decrypt(&self, method: Method, id: ObjRef, data: &[u8]) -> Option<Vec<u8>> {
        match method {
            Method::Identity => Some(data.to_vec()),
            Method::Rc4 => Some(rc4(&self.object_key(id, false), data)),
            Method::Aes128 => aes_cbc_decrypt(&self.object_key(id, true), data),
            Method::Aes256 => aes_cbc_decrypt(&self.key, data),
        }
    }

    /// Algorithm 1: the key for one object's strings and streams.
    fn object_key(&self, id: ObjRef, aes: bool) -> Vec<u8> {
        let mut h = Md5::new();
        h.update(&self.key);
        h.update(&id.num.to_le_bytes()[..3]);
        h.update(id.gen.to_le_bytes());
        if aes {
            h.update(b"sAlT");
        }
        let d = h.finalize();
        d[..(self.key.len() + 5).min(16)].to_vec()
    }
}

fn string(d: &Dict, key: &'static [u8]) -> Result<Vec<u8>, CryptError> {
    d.get(key).and_then(Object::as_string).map(<[u8]>::to_vec).ok_or(CryptError::Malformed("a required string"))
}

/// The method of crypt filter `/StrF` or `/StmF` (default `/Identity`).
fn crypt_filter(enc: &Dict, which: &[u8]) -> Result<Method, CryptError> {
    let name = enc.name(which).unwrap_or(b"Identity");
    if name == b"Identity" {
        return Ok(Method::Identity);
    }
    let cfm = enc
        .get(b"CF")
        .and_then(Object::as_dict)
        .and_then(|cf| cf.get(name))
        .and_then(Object::as_dict)
        .and_then(|f| f.name(b"CFM"))
        .ok_or(CryptError::Malformed("/CF"))?;
    match cfm {
        b"V2" => Ok(Method::Rc4),
        b"AESV2" => Ok(Method::Aes128),
        b"AESV3" => Ok(Method::Aes256),
        b"None" => Ok(Method::Identity),
        other => Err(CryptError::Unsupported(format!("/CFM /{}", String::from_utf8_lossy(other)))),
    }
}

/// Algorithm 2 with the empty user password.
fn key_r4(r: i64, bytes: usize, o: &[u8], p: i32, id0: &[u8], encrypt_metadata: bool) -> Vec<u8> {
    let mut h = Md5::new();
    h.update(PAD);
    h.update(o.get(..32).unwrap_or(o));
    h.update(p.to_le_bytes());
    h.update(id0);
    if r >= 4 && !encrypt_metadata {
        h.update([0xff; 4]);
    }
    let mut key = h.finalize().to_vec();
    if r >= 3 {
        for _ in 0..50 {
            key = Md5::digest(&key[..bytes]).to_vec();
        }
    }
    key.truncate(bytes);
    key
}

/// Algorithms 4 and 5: whether `key` is the empty user password's (compare /U).
fn user_password_r4(r: i64, key: &[u8], u: &[u8], id0: &[u8]) -> bool {
    if r == 2 {
        return rc4(key, &PAD).as_slice() == u.get(..32).unwrap_or(u);
    }
    let mut h = Md5::new();
    h.update(PAD);
    h.update(id0);
    let mut x = rc4(key, &h.finalize());
    for i in 1..=19u8 {
        let k: Vec<u8> = key.iter().map(|b| b ^ i).collect();
        x = rc4(&k, &x);
    }
    u.get(..16) == Some(&x[..])
}

/// Algorithms 2.A and 11 with the empty user password: the file key from /U and /UE.
fn key_r6(r: i64, u: &[u8], ue: &[u8]) -> Option<Vec<u8>> {
    let (hash, validation_salt, key_salt) = (u.get(..32)?, u.get(32..40)?, u.get(40..48)?);
    if hash_r6(r, validation_salt) != hash {
        return None;
    }
    let intermediate = hash_r6(r, key_salt);
    let mut key = ue.get(..32)?.to_vec();
    cbc::Decryptor::<aes::Aes256>::new_from_slices(&intermediate, &[0u8; 16]).ok()?.decrypt_padded_mut::<NoPadding>(&mut key).ok()?;
    Some(key)
}

/// Algorithm 2.B (R6) or plain SHA-256 (R5) of the empty password and `salt`.
fn hash_r6(r: i64, salt: &[u8]) -> Vec<u8> {
    let mut k = Sha256::digest(salt).to_vec();
    if r == 5 {
        return k;
    }
    let mut round = 0usize;
    loop {
        let k1: Vec<u8> = k.repeat(64);
        let Ok(enc) = cbc::Encryptor::<aes::Aes128>::new_from_slices(&k[..16], &k[16..32]) else { return k };
        let mut e = k1;
        let len = e.len();
        if enc.encrypt_padded_mut::<NoPadding>(&mut e, len).is_err() {
            return k;
        }
        let m = e[..16].iter().map(|&b| u32::from(b)).sum::<u32>() % 3;
        k = match m {
            0 => Sha256::digest(&e).to_vec(),
            1 => Sha384::digest(&e).to_vec(),
            _ => Sha512::digest(&e).to_vec(),
        };
        round += 1;
        let last = u32::from(*e.last().unwrap_or(&0));
        if round >= 64 && (last as usize) <= round - 32 {
            break;
        }
    }
    k.truncate(32);
    k
}

/// AES-CBC with the IV in the first 16 bytes and PKCS#7 padding.
fn aes_cbc_decrypt(key: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    if data.len() < 16 {
        return Some(Vec::new());
    }
    let (iv, body) = data.split_at(16);
    let mut buf = body.to_vec();
    let plain_len = match key.len() {
        16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(key, iv).ok()?.decrypt_padded_mut::<Pkcs7>(&mut buf).ok()?.len(),
        32 => cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv).ok()?.decrypt_padded_mut::<Pkcs7>(&mut buf).ok()?.len(),
        _ => return None,
    };
    buf.truncate(plain_len);
    Some(buf)
}

/// RC4 (the stream cipher of ISO 32000-2 §7.6.3, "RC4" being its usual name);
/// written here because the `rc4` crate fixes the key size in the type, and PDF
/// keys are 5 to 16 bytes.
fn rc4(key: &[u8], data: &[u8]) -> Vec<u8> {
    if key.is_empty() {
        return data.to_vec();
    }
    let mut s: [u8; 256] = std::array::from_fn(|i| i as u8);
    let mut j = 0u8;
    for i in 0..256 {
        j = j.wrapping_add(s[i]).wrapping_add(key[i % key.len()]);
        s.swap(i, usize::from(j));
    }
    let (mut i, mut j) = (0u8, 0u8);
    data.iter()
        .map(|&b| {
            i = i.wrapping_add(1);
            j = j.wrapping_add(s[usize::from(i)]);
            s.swap(usize::from(i), usize::from(j));
            b ^ s[usize::from(s[usize::from(i)].wrapping_add(s[usize::from(j)]))]
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn rc4_known_answer() {
        // RFC 6229 is for longer keys; this is the classic "Key"/"Plaintext" vector.
        assert_eq!(hex::encode(rc4(b"Key", b"Plaintext")), "bbf316e8d940af0ad3");
        assert_eq!(rc4(b"Key", &rc4(b"Key", b"round trip")), b"round trip");
    }

    #[test]
    fn aes_round_trip_with_iv_prefix() {
        let key = [7u8; 16];
        let iv = [9u8; 16];
        let plain = b"Chu ky so hop le".repeat(3);
        let enc = cbc::Encryptor::<aes::Aes128>::new_from_slices(&key, &iv).unwrap().encrypt_padded_vec_mut::<Pkcs7>(&plain);
        let mut data = iv.to_vec();
        data.extend(enc);
        assert_eq!(aes_cbc_decrypt(&key, &data).unwrap(), plain);
        assert!(aes_cbc_decrypt(&key, &data[..20]).is_none());
    }
}
