//! Loading a rule file: TOML into a checked `Programme`, with errors that name the file, line
//! and column of what is wrong.
//!
//! Over 500 lines because loading one rule file is one pass: every section is checked against
//! the others (parameters, conditions, formula, tests) with the file's line numbers.

use super::catalogue::CATALOGUE;
use super::compile::{check, Names, Node, Slot};
use super::delivery::{self, Delivery, DeliveryFile};
use super::syntax::{parse, parse_literal};
use super::types::{Code, Type, Value};
use crate::i18n::{Bilingual, Locale};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A problem in a rule file, at a line and column (both from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

impl std::error::Error for RuleError {}

impl RuleError {
    /// An error at a byte offset of a file's text, turned into its line and column.
    pub fn at(path: &Path, text: &str, offset: usize, message: impl Into<String>) -> Self {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        RuleError {
            file: path.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    /// What it is, in words, for the people who try other values of it.
    pub label: Bilingual,
    pub ty: Type,
    /// (in force from, value), sorted by date.
    pub schedule: Vec<(NaiveDate, Value)>,
}

#[derive(Debug, Clone)]
pub struct Condition {
    pub id: String,
    pub node: Node,
    /// Whether the farmer could change the outcome; "almost eligible" only names these.
    pub can_change: bool,
    pub facts_read: Vec<usize>,
    pub pass: Phrase,
    pub fail: Phrase,
    pub unknown: Phrase,
}

/// Whether the amount is what will be paid, or the most that could be (the real one follows
/// what the farmer reports, e.g. the damaged area).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountKind {
    Exact,
    UpTo,
}

#[derive(Debug, Clone)]
pub struct Amount {
    pub kind: AmountKind,
    pub node: Node,
    pub facts_read: Vec<usize>,
    pub explain: Phrase,
}

#[derive(Debug, Clone)]
pub struct TestCase {
    pub name: String,
    pub as_of: NaiveDate,
    pub facts: Vec<(usize, Value)>,
    pub status: String,
    pub amount: Option<i64>,
    /// The conditions expected to fail; `None` when the test does not say.
    pub failing: Option<Vec<String>>,
}

/// A programme, checked and ready to evaluate.
#[derive(Debug, Clone)]
pub struct Programme {
    pub id: String,
    pub file: PathBuf,
    /// The first 12 hex digits of the file's SHA-256: which text of the rule gave a result.
    pub version: String,
    pub category: String,
    pub source: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub exclusive_group: Option<String>,
    pub sla_working_days: Option<u32>,
    pub title: Bilingual,
    pub description: Bilingual,
    pub agency: Bilingual,
    pub legal_basis: Bilingual,
    pub delivery: Delivery,
    pub parameters: Vec<Parameter>,
    pub conditions: Vec<Condition>,
    pub amount: Option<Amount>,
    pub tests: Vec<TestCase>,
    /// The application's own questions (from `forms/<id>.toml`; none without that file).
    pub form: super::form::Form,
}

pub const CATEGORIES: [&str; 9] = [
    "income_support",
    "disaster_relief",
    "insurance",
    "credit",
    "land",
    "training",
    "certification",
    "livestock",
    "infrastructure",
];

pub const STATUSES: [&str; 5] = ["eligible", "need_info", "almost", "ineligible", "closed"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TextsFile {
    th: Spanned<String>,
    en: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamEntryFile {
    from: toml::value::Datetime,
    value: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConditionFile {
    id: Spanned<String>,
    when: Spanned<String>,
    can_change: Option<bool>,
    pass: TextsFile,
    fail: TextsFile,
    unknown: TextsFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AmountFile {
    /// `exact` (the default) or `up_to`.
    kind: Option<Spanned<String>>,
    formula: Spanned<String>,
    explain: TextsFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    name: String,
    as_of: toml::value::Datetime,
    #[serde(default)]
    facts: BTreeMap<String, Spanned<toml::Value>>,
    status: Spanned<String>,
    amount: Option<Spanned<String>>,
    failing: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    id: Spanned<String>,
    category: Spanned<String>,
    source: Spanned<String>,
    valid_from: Spanned<toml::value::Datetime>,
    valid_to: Option<Spanned<toml::value::Datetime>>,
    exclusive_group: Option<String>,
    sla_working_days: Option<u32>,
    title: TextsFile,
    description: TextsFile,
    agency: TextsFile,
    legal_basis: TextsFile,
    delivery: DeliveryFile,
    #[serde(default)]
    parameters: BTreeMap<String, Vec<ParamEntryFile>>,
    /// Each parameter in words: `[parameter_labels] rate = { th = "…", en = "…" }`.
    #[serde(default)]
    parameter_labels: BTreeMap<String, TextsFile>,
    #[serde(default)]
    conditions: Vec<ConditionFile>,
    amount: Option<AmountFile>,
    #[serde(default)]
    tests: Vec<TestFile>,
}

/// Turns byte offsets of one file into errors with line and column.
pub(super) struct Source<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Source<'_> {
    pub(super) fn error(&self, offset: usize, message: impl Into<String>) -> RuleError {
        RuleError::at(self.path, self.text, offset, message)
    }

    /// Where the content of a quoted TOML string starts (just after its opening quote).
    fn inside<T>(&self, spanned: &Spanned<T>) -> usize {
        spanned.span().start + 1
    }
}

struct FileNames<'a> {
    parameters: &'a [Parameter],
}

impl Names for FileNames<'_> {
    fn resolve(&self, name: &str) -> Option<(Slot, Type)> {
        if let Some(i) = self.parameters.iter().position(|p| p.name == name) {
            return Some((Slot::Param(i), self.parameters[i].ty));
        }
        CATALOGUE
            .iter()
            .position(|f| f.name == name)
            .map(|i| (Slot::Fact(i), CATALOGUE[i].ty))
    }

    fn suggest(&self, name: &str) -> Option<String> {
        let candidates: Vec<&str> = CATALOGUE
            .iter()
            .map(|f| f.name)
            .chain(self.parameters.iter().map(|p| p.name.as_str()))
            .collect();
        // Names that start the same way are the likeliest meaning; else the closest spelling.
        let same_start: Vec<String> = candidates
            .iter()
            .filter(|c| c.starts_with(name))
            .map(|c| format!("`{c}`"))
            .collect();
        if !same_start.is_empty() {
            return Some(same_start.join(" or "));
        }
        candidates
            .iter()
            .map(|c| (edit_distance(name, c), *c))
            .filter(|(d, _)| *d <= 3)
            .min()
            .map(|(_, c)| format!("`{c}`"))
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            previous = current;
        }
    }
    row[b.len()]
}

fn to_date(
    source: &Source<'_>,
    offset: usize,
    value: &toml::value::Datetime,
) -> Result<NaiveDate, RuleError> {
    match (value.date, value.time) {
        (Some(d), None) => {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                .ok_or_else(|| source.error(offset, format!("`{value}` is not a real date")))
        }
        _ => Err(source.error(
            offset,
            format!("`{value}` must be a plain date such as 2024-01-15"),
        )),
    }
}

/// A piece of an explanation text, resolved when the file is loaded so that explaining
/// never searches for names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Fact(usize),
    Param(usize),
    Amount,
}

/// An explanation text in both languages, with its placeholders resolved.
#[derive(Debug, Clone)]
pub struct Phrase {
    pub text: Bilingual,
    th: Vec<Part>,
    en: Vec<Part>,
}

impl Phrase {
    pub fn parts(&self, locale: Locale) -> &[Part] {
        locale.pick(&self.th, &self.en)
    }
}

/// A text without placeholders (titles, descriptions).
pub(super) fn texts(
    source: &Source<'_>,
    file: &TextsFile,
    what: &str,
) -> Result<Bilingual, RuleError> {
    phrase(source, file, what, &|_| None).map(|p| p.text)
}

/// A text whose `{name}` placeholders `resolve` turns into parts; an unknown name is an error.
fn phrase(
    source: &Source<'_>,
    file: &TextsFile,
    what: &str,
    resolve: &dyn Fn(&str) -> Option<Part>,
) -> Result<Phrase, RuleError> {
    let mut parts: [Vec<Part>; 2] = [Vec::new(), Vec::new()];
    for ((text, language), out) in [(&file.th, "Thai"), (&file.en, "English")]
        .into_iter()
        .zip(parts.iter_mut())
    {
        if text.get_ref().trim().is_empty() {
            return Err(source.error(
                text.span().start,
                format!("the {language} text of {what} is empty"),
            ));
        }
        let mut rest = text.get_ref().as_str();
        let mut consumed = 0;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                return Err(source.error(
                    source.inside(text) + consumed + open,
                    format!("`{{` without `}}` in the {language} text of {what}"),
                ));
            };
            let name = &rest[open + 1..open + close];
            let Some(part) = resolve(name) else {
                return Err(source.error(
                    source.inside(text) + consumed + open,
                    format!("`{{{name}}}` in the {language} text of {what} is not a fact or parameter it can show"),
                ));
            };
            if open > 0 {
                out.push(Part::Text(rest[..open].to_owned()));
            }
            out.push(part);
            consumed += open + close + 1;
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            out.push(Part::Text(rest.to_owned()));
        }
    }
    if !is_thai(file.th.get_ref()) {
        return Err(source.error(
            file.th.span().start,
            format!("the Thai text of {what} has no Thai in it"),
        ));
    }
    let [th, en] = parts;
    Ok(Phrase {
        text: Bilingual {
            th: file.th.get_ref().clone(),
            en: file.en.get_ref().clone(),
        },
        th,
        en,
    })
}

/// Whether a Thai text is in Thai: it has Thai letters, or no letters at all outside its
/// placeholders (a formula such as `{area} × {rate} = {amount}`).
fn is_thai(text: &str) -> bool {
    let mut outside = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ if depth == 0 => outside.push(c),
            _ => {}
        }
    }
    outside
        .chars()
        .any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c))
        || !outside.chars().any(char::is_alphabetic)
}

/// A test fact written as TOML, read with the fact's type: `"12 rai"`, `5`, `true`, `2024-01-15`, `"32"`.
fn test_value(
    source: &Source<'_>,
    raw: &Spanned<toml::Value>,
    ty: Type,
) -> Result<Value, RuleError> {
    let at = raw.span().start;
    let wrong = |what: &str| source.error(at, format!("this fact is a {ty}; write it as {what}"));
    match (ty, raw.get_ref()) {
        (Type::Bool, toml::Value::Boolean(b)) => Ok(Value::Bool(*b)),
        (Type::Bool, _) => Err(wrong("true or false")),
        (Type::Number, toml::Value::Integer(n)) => Ok(Value::Number(*n)),
        (Type::Number, _) => Err(wrong("a whole number such as 5")),
        (Type::Date, toml::Value::Datetime(d)) => to_date(source, at, d).map(Value::date),
        (Type::Date, _) => Err(wrong("a date such as 2024-01-15")),
        (Type::Text, toml::Value::String(s)) => Code::new(s)
            .map(Value::Text)
            .ok_or_else(|| wrong("a short code in quotes such as \"32\"")),
        (Type::Text, _) => Err(wrong("a short code in quotes such as \"32\"")),
        (Type::Money | Type::Area, toml::Value::String(s)) => match parse_literal(s) {
            Ok(v) if v.ty() == Some(ty) => Ok(v),
            _ => Err(wrong(if ty == Type::Money {
                "money such as \"1000 baht\""
            } else {
                "an area such as \"12 rai 2 ngan\""
            })),
        },
        (Type::Money, _) => Err(wrong("money such as \"1000 baht\"")),
        (Type::Area, _) => Err(wrong("an area such as \"12 rai 2 ngan\"")),
    }
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Reads and checks one rule file.
pub fn load(path: &Path, text: &str) -> Result<Programme, RuleError> {
    let source = Source { path, text };
    let file: RuleFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        source.error(offset, e.message().trim().to_owned())
    })?;

    let id = file.id.get_ref().clone();
    if !is_valid_id(&id) {
        return Err(source.error(
            file.id.span().start,
            "the id may hold only lower-case letters, digits and dashes",
        ));
    }
    if !CATEGORIES.contains(&file.category.get_ref().as_str()) {
        return Err(source.error(
            file.category.span().start,
            format!("unknown category; use one of {}", CATEGORIES.join(", ")),
        ));
    }
    if !file.source.get_ref().starts_with("http") {
        return Err(source.error(
            file.source.span().start,
            "the source must be a web address (https://…) of the rule's basis",
        ));
    }
    let valid_from = to_date(
        &source,
        file.valid_from.span().start,
        file.valid_from.get_ref(),
    )?;
    let valid_to = match &file.valid_to {
        Some(to) => Some(to_date(&source, to.span().start, to.get_ref())?),
        None => None,
    };
    if let (Some(to), Some(spanned)) = (valid_to, &file.valid_to) {
        if to < valid_from {
            return Err(source.error(spanned.span().start, "valid_to is before valid_from"));
        }
    }

    let mut parameters = Vec::new();
    for (name, entries) in &file.parameters {
        if CATALOGUE.iter().any(|f| f.name == name) {
            let at = entries.first().map_or(0, |e| e.value.span().start);
            return Err(source.error(at, format!("parameter `{name}` has the name of a fact")));
        }
        let mut schedule = Vec::new();
        let mut ty = None;
        for entry in entries {
            let from = to_date(&source, entry.value.span().start, &entry.from)?;
            let value = parse_literal(entry.value.get_ref())
                .map_err(|e| source.error(source.inside(&entry.value) + e.offset, e.message))?;
            let value_ty = value.ty();
            if ty.is_some() && ty != value_ty {
                return Err(source.error(
                    entry.value.span().start,
                    format!("every value of `{name}` must have the same type"),
                ));
            }
            ty = value_ty;
            schedule.push((from, value));
        }
        schedule.sort_by_key(|(from, _)| *from);
        let Some(ty) = ty else {
            return Err(source.error(0, format!("parameter `{name}` has no value")));
        };
        let Some(label) = file.parameter_labels.get(name) else {
            let at = entries.first().map_or(0, |e| e.value.span().start);
            return Err(source.error(
                at,
                format!("parameter `{name}` has no label: add it to [parameter_labels]"),
            ));
        };
        parameters.push(Parameter {
            name: name.clone(),
            label: texts(&source, label, "label")?,
            ty,
            schedule,
        });
    }
    if let Some((name, label)) = file
        .parameter_labels
        .iter()
        .find(|(name, _)| !file.parameters.contains_key(*name))
    {
        return Err(source.error(
            label.th.span().start,
            format!("[parameter_labels] names `{name}`, which is no parameter of this file"),
        ));
    }
    let names = FileNames {
        parameters: &parameters,
    };
    let shows = |name: &str| match names.resolve(name) {
        Some((Slot::Fact(i), _)) => Some(Part::Fact(i)),
        Some((Slot::Param(i), _)) => Some(Part::Param(i)),
        None => None,
    };

    let mut conditions: Vec<Condition> = Vec::new();
    for c in &file.conditions {
        let cid = c.id.get_ref().clone();
        if !is_valid_id(&cid) {
            return Err(source.error(
                c.id.span().start,
                "a condition id may hold only lower-case letters, digits, dashes and underscores",
            ));
        }
        if conditions.iter().any(|other| other.id == cid) {
            return Err(source.error(
                c.id.span().start,
                format!("condition `{cid}` is defined twice"),
            ));
        }
        let expr = parse(c.when.get_ref())
            .map_err(|e| source.error(source.inside(&c.when) + e.offset, e.message))?;
        let (node, ty) = check(&expr, &names)
            .map_err(|e| source.error(source.inside(&c.when) + e.offset, e.message))?;
        if ty != Type::Bool {
            return Err(source.error(
                source.inside(&c.when),
                format!("a condition must be true or false, but this is a {ty}"),
            ));
        }
        let mut facts_read = Vec::new();
        node.facts_read(&mut facts_read);
        let changeable = facts_read.iter().any(|i| CATALOGUE[*i].can_change);
        let what = format!("condition `{cid}`");
        conditions.push(Condition {
            id: cid,
            can_change: c.can_change.unwrap_or(changeable) && changeable,
            facts_read,
            pass: phrase(&source, &c.pass, &what, &shows)?,
            fail: phrase(&source, &c.fail, &what, &shows)?,
            unknown: phrase(&source, &c.unknown, &what, &shows)?,
            node,
        });
    }
    if conditions.is_empty() {
        return Err(source.error(0, "a programme needs at least one condition"));
    }

    let amount = match &file.amount {
        None => None,
        Some(a) => {
            let expr = parse(a.formula.get_ref())
                .map_err(|e| source.error(source.inside(&a.formula) + e.offset, e.message))?;
            let (node, ty) = check(&expr, &names)
                .map_err(|e| source.error(source.inside(&a.formula) + e.offset, e.message))?;
            if ty != Type::Money {
                return Err(source.error(
                    source.inside(&a.formula),
                    format!("the amount must be money, but this formula gives a {ty}"),
                ));
            }
            let mut facts_read = Vec::new();
            node.facts_read(&mut facts_read);
            let explain = phrase(&source, &a.explain, "the amount", &|name| {
                if name == "amount" {
                    Some(Part::Amount)
                } else {
                    shows(name)
                }
            })?;
            let kind = match a
                .kind
                .as_ref()
                .map(|k| (k.get_ref().as_str(), k.span().start))
            {
                None | Some(("exact", _)) => AmountKind::Exact,
                Some(("up_to", _)) => AmountKind::UpTo,
                Some((_, at)) => {
                    return Err(source.error(at, "the amount's kind is `exact` or `up_to`"));
                }
            };
            Some(Amount {
                kind,
                node,
                facts_read,
                explain,
            })
        }
    };

    let mut tests = Vec::new();
    for t in &file.tests {
        let as_of = to_date(&source, t.status.span().start, &t.as_of)?;
        let mut facts = Vec::new();
        for (name, raw) in &t.facts {
            let Some(index) = CATALOGUE.iter().position(|f| f.name == name) else {
                return Err(source.error(
                    raw.span().start,
                    format!("test \"{}\" sets `{name}`, which is not a fact", t.name),
                ));
            };
            facts.push((index, test_value(&source, raw, CATALOGUE[index].ty)?));
        }
        if !STATUSES.contains(&t.status.get_ref().as_str()) {
            return Err(source.error(
                t.status.span().start,
                format!("unknown status; use one of {}", STATUSES.join(", ")),
            ));
        }
        let amount = match &t.amount {
            Some(a) => match parse_literal(a.get_ref()) {
                Ok(Value::Money(satang)) => Some(satang),
                _ => {
                    return Err(source.error(
                        a.span().start,
                        "the expected amount must be money such as \"12500 baht\"",
                    ))
                }
            },
            None => None,
        };
        for f in t.failing.iter().flatten() {
            if !conditions.iter().any(|c| &c.id == f.get_ref()) {
                return Err(source.error(
                    f.span().start,
                    format!("`{}` is not a condition of this programme", f.get_ref()),
                ));
            }
        }
        tests.push(TestCase {
            name: t.name.clone(),
            as_of,
            facts,
            status: t.status.get_ref().clone(),
            amount,
            failing: t
                .failing
                .as_ref()
                .map(|list| list.iter().map(|f| f.get_ref().clone()).collect()),
        });
    }

    Ok(Programme {
        id,
        file: path.to_owned(),
        version: crate::domain::sha256_hex(text)[..12].to_owned(),
        category: file.category.get_ref().clone(),
        source: file.source.get_ref().clone(),
        valid_from,
        valid_to,
        exclusive_group: file.exclusive_group.clone(),
        sla_working_days: file.sla_working_days,
        title: texts(&source, &file.title, "the title")?,
        description: texts(&source, &file.description, "the description")?,
        agency: texts(&source, &file.agency, "the agency")?,
        legal_basis: texts(&source, &file.legal_basis, "the legal basis")?,
        delivery: delivery::read(&source, &file.delivery)?,
        parameters,
        conditions,
        amount,
        tests,
        form: super::form::Form::default(),
    })
}
