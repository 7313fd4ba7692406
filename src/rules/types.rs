//! The types and values of the rule language. Values are small and `Copy`, so evaluation never
//! allocates: money in satang, land in square wa, dates as day numbers, text as a packed code.

use chrono::{Datelike, NaiveDate};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Bool,
    Number,
    Money,
    Area,
    Date,
    Text,
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Bool => "truth value",
            Type::Number => "number",
            Type::Money => "money",
            Type::Area => "land area",
            Type::Date => "date",
            Type::Text => "text",
        })
    }
}

/// A short text (a code such as "32" or "flood"), packed into 8 bytes so it stays `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code(u64);

impl Code {
    pub const MAX_LEN: usize = 8;

    pub fn new(text: &str) -> Option<Self> {
        if text.len() > Self::MAX_LEN || !text.bytes().all(|b| b.is_ascii_graphic()) {
            return None;
        }
        let mut bytes = [0u8; 8];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        Some(Code(u64::from_le_bytes(bytes)))
    }

    pub fn as_string(&self) -> String {
        let bytes = self.0.to_le_bytes();
        let end = bytes.iter().position(|b| *b == 0).unwrap_or(8);
        String::from_utf8_lossy(&bytes[..end]).into_owned()
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_string())
    }
}

/// A value, or `Unknown` when the registry does not hold the fact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    Unknown,
    Bool(bool),
    Number(i64),
    /// Satang (1 baht = 100 satang).
    Money(i64),
    /// Square wa (1 rai = 400 square wa).
    Area(i64),
    /// Days since 1 January of year 1 (chrono's day numbering).
    Date(i32),
    Text(Code),
}

pub const SQ_WA_PER_RAI: i64 = 400;
pub const SATANG_PER_BAHT: i64 = 100;

impl Value {
    pub fn ty(&self) -> Option<Type> {
        Some(match self {
            Value::Unknown => return None,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::Money(_) => Type::Money,
            Value::Area(_) => Type::Area,
            Value::Date(_) => Type::Date,
            Value::Text(_) => Type::Text,
        })
    }

    pub fn date(date: NaiveDate) -> Self {
        Value::Date(date.num_days_from_ce())
    }

    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(days) => NaiveDate::from_num_days_from_ce_opt(*days),
            _ => None,
        }
    }

    pub fn is_known(&self) -> bool {
        !matches!(self, Value::Unknown)
    }
}
