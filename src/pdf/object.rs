//! PDF objects as read from untrusted files (ISO 32000-2 §7.3).
//!
//! Dictionaries keep the byte span of every entry in the buffer they were parsed
//! from, so an object from an earlier revision can be rewritten token for token:
//! the original bytes are spliced and only new keys or values are inserted. Values
//! are never re-serialised (reals in particular keep their original digits).

use std::ops::Range;

/// An indirect reference `N G R`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjRef {
    /// Object number.
    pub num: u32,
    /// Generation number.
    pub gen: u16,
}

impl ObjRef {
    /// A reference with the given number and generation.
    pub fn new(num: u32, gen: u16) -> Self {
        ObjRef { num, gen }
    }
}

impl std::fmt::Display for ObjRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} R", self.num, self.gen)
    }
}

/// A direct PDF object.
#[derive(Clone, Debug, PartialEq)]
pub enum Object {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A real number, kept with its original digits.
    Real(Vec<u8>),
    /// A name, with `#xx` escapes decoded, without the leading slash.
    Name(Vec<u8>),
    /// A literal or hexadecimal string, decoded.
    String(Vec<u8>),
    /// An array.
    Array(Vec<Object>),
    /// A dictionary.
    Dict(Dict),
    /// An indirect reference.
    Ref(ObjRef),
}

/// One `/Key value` entry of a dictionary with its position in the source buffer.
#[derive(Clone, Debug, PartialEq)]
pub struct DictEntry {
    /// The key, without the slash.
    pub key: Vec<u8>,
    /// The value.
    pub value: Object,
    /// Byte span of the value in the parsed buffer.
    pub value_span: Range<usize>,
}

/// A dictionary with the span of `<<` … `>>` and of each value.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Dict {
    /// Entries in file order. A duplicate key keeps its first value in lookups.
    pub entries: Vec<DictEntry>,
    /// Byte span from `<<` to `>>` inclusive in the parsed buffer.
    pub span: Range<usize>,
}

impl Dict {
    /// The value of `key`, if present.
    pub fn get(&self, key: &[u8]) -> Option<&Object> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry for `key`, if present.
    pub fn entry(&self, key: &[u8]) -> Option<&DictEntry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// The value of `key` if it is a name.
    pub fn name(&self, key: &[u8]) -> Option<&[u8]> {
        match self.get(key) {
            Some(Object::Name(n)) => Some(n),
            _ => None,
        }
    }

    /// The value of `key` if it is an integer.
    pub fn int(&self, key: &[u8]) -> Option<i64> {
        match self.get(key) {
            Some(Object::Int(i)) => Some(*i),
            _ => None,
        }
    }

    /// The value of `key` if it is an indirect reference.
    pub fn reference(&self, key: &[u8]) -> Option<ObjRef> {
        match self.get(key) {
            Some(Object::Ref(r)) => Some(*r),
            _ => None,
        }
    }

    /// Whether `/Type` equals `ty`.
    pub fn has_type(&self, ty: &[u8]) -> bool {
        self.name(b"Type") == Some(ty)
    }
}

impl Object {
    /// The dictionary, if this is one.
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Object::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&[Object]> {
        match self {
            Object::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Object::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The reference, if this is one.
    pub fn as_ref(&self) -> Option<ObjRef> {
        match self {
            Object::Ref(r) => Some(*r),
            _ => None,
        }
    }

    /// The string bytes, if this is a string.
    pub fn as_string(&self) -> Option<&[u8]> {
        match self {
            Object::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number as f64 (integers and reals).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Object::Int(i) => Some(*i as f64),
            Object::Real(r) => std::str::from_utf8(r).ok()?.parse().ok(),
            _ => None,
        }
    }
}
