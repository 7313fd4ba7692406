//! Deciding a programme for one household: the status, the amount, and the explanation of both
//! in the reader's language.

use super::catalogue::CATALOGUE;
use super::programme::{Part, Programme};
use super::types::Value;
use crate::i18n::{Locale, Tr};
use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Eligible,
    NeedInfo,
    Almost,
    Ineligible,
    /// Outside the programme's validity window on the evaluation date.
    Closed,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Eligible => "eligible",
            Status::NeedInfo => "need_info",
            Status::Almost => "almost",
            Status::Ineligible => "ineligible",
            Status::Closed => "closed",
        }
    }
}

/// The three outcomes of a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    Pass,
    Fail,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    /// Satang, when eligible for a programme that pays.
    pub amount: Option<i64>,
    /// One result per condition, in the file's order.
    pub results: Vec<Tri>,
}

impl Outcome {
    /// The ids of the conditions that failed, in the file's order.
    pub fn failing<'a>(&'a self, programme: &'a Programme) -> impl Iterator<Item = &'a str> + 'a {
        programme
            .conditions
            .iter()
            .zip(&self.results)
            .filter(|(_, r)| **r == Tri::Fail)
            .map(|(c, _)| c.id.as_str())
    }
}

impl Programme {
    /// The facts its conditions and amount read, each once, in catalogue order.
    pub fn facts_read(&self) -> Vec<usize> {
        let mut read: Vec<usize> = self
            .conditions
            .iter()
            .flat_map(|c| c.facts_read.iter().copied())
            .chain(
                self.amount
                    .iter()
                    .flat_map(|a| a.facts_read.iter().copied()),
            )
            .collect();
        read.sort_unstable();
        read.dedup();
        read
    }

    pub fn is_open(&self, as_of: NaiveDate) -> bool {
        as_of >= self.valid_from && self.valid_to.is_none_or(|to| as_of <= to)
    }

    /// The parameter values in force on `as_of` (unknown before a parameter's first date).
    pub fn parameters_at(&self, as_of: NaiveDate) -> Vec<Value> {
        self.parameters
            .iter()
            .map(|p| {
                p.schedule
                    .iter()
                    .rev()
                    .find(|(from, _)| *from <= as_of)
                    .map_or(Value::Unknown, |(_, v)| *v)
            })
            .collect()
    }

    /// Decides the programme for one household's facts. `params` comes from `parameters_at`,
    /// computed once per evaluation date.
    pub fn evaluate(&self, facts: &[Value], params: &[Value], as_of: NaiveDate) -> Outcome {
        let mut results = Vec::with_capacity(self.conditions.len());
        let (status, amount) = self.decide_with(facts, params, as_of, |r| results.push(r));
        Outcome {
            status,
            amount,
            results,
        }
    }

    /// The status and amount alone, without allocating: the batch path.
    pub fn decide(
        &self,
        facts: &[Value],
        params: &[Value],
        as_of: NaiveDate,
    ) -> (Status, Option<i64>) {
        self.decide_with(facts, params, as_of, |_| {})
    }

    fn decide_with(
        &self,
        facts: &[Value],
        params: &[Value],
        as_of: NaiveDate,
        mut record: impl FnMut(Tri),
    ) -> (Status, Option<i64>) {
        let (mut failed, mut first_failed, mut unknown) = (0, 0, false);
        for (index, condition) in self.conditions.iter().enumerate() {
            let result = match condition.node.eval(facts, params) {
                Value::Bool(true) => Tri::Pass,
                Value::Bool(false) => Tri::Fail,
                _ => Tri::Unknown,
            };
            match result {
                Tri::Fail if failed == 0 => {
                    failed = 1;
                    first_failed = index;
                }
                Tri::Fail => failed += 1,
                Tri::Unknown => unknown = true,
                Tri::Pass => {}
            }
            record(result);
        }
        if !self.is_open(as_of) {
            return (Status::Closed, None);
        }
        let status = match (failed, unknown) {
            (0, false) => Status::Eligible,
            (0, true) => Status::NeedInfo,
            (1, false) if self.conditions[first_failed].can_change => Status::Almost,
            _ => Status::Ineligible,
        };
        if status != Status::Eligible {
            return (status, None);
        }
        match &self.amount {
            None => (Status::Eligible, None),
            Some(amount) => match amount.node.eval(facts, params) {
                Value::Money(satang) => (Status::Eligible, Some(satang.max(0))),
                // An eligible programme whose amount cannot be worked out yet needs information.
                _ => (Status::NeedInfo, None),
            },
        }
    }
}

/// One line of an explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub result: Tri,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub lines: Vec<Line>,
    /// The working of the amount, when there is one.
    pub amount: Option<String>,
    /// What the registry does not know yet, as plain descriptions of the facts.
    pub missing: Vec<String>,
}

/// Explains an outcome: one line per condition, the amount's working, and what is missing.
pub fn explain(
    programme: &Programme,
    outcome: &Outcome,
    facts: &[Value],
    params: &[Value],
    locale: Locale,
) -> Explanation {
    let tr = Tr::new(locale);
    let mut missing: Vec<String> = Vec::new();
    let lines = programme
        .conditions
        .iter()
        .zip(&outcome.results)
        .map(|(condition, result)| {
            let phrase = match result {
                Tri::Pass => &condition.pass,
                Tri::Fail => &condition.fail,
                Tri::Unknown => {
                    for fact in &condition.facts_read {
                        if !facts[*fact].is_known() {
                            let def = &CATALOGUE[*fact];
                            let description = if locale == Locale::Th { def.th } else { def.en };
                            if !missing.iter().any(|m| m == description) {
                                missing.push(description.to_owned());
                            }
                        }
                    }
                    &condition.unknown
                }
            };
            Line {
                result: *result,
                text: fill_in(phrase.parts(locale), facts, params, None, &tr),
            }
        })
        .collect();
    let amount = match (&programme.amount, outcome.amount) {
        (Some(amount), Some(satang)) => Some(fill_in(
            amount.explain.parts(locale),
            facts,
            params,
            Some(satang),
            &tr,
        )),
        _ => None,
    };
    Explanation {
        lines,
        amount,
        missing,
    }
}

fn fill_in(
    parts: &[Part],
    facts: &[Value],
    params: &[Value],
    amount: Option<i64>,
    tr: &Tr,
) -> String {
    let mut out = String::with_capacity(96);
    for part in parts {
        match part {
            Part::Text(text) => out.push_str(text),
            Part::Fact(i) => write_value(&mut out, facts[*i], tr),
            Part::Param(i) => write_value(&mut out, params[*i], tr),
            Part::Amount => write_value(&mut out, amount.map_or(Value::Unknown, Value::Money), tr),
        }
    }
    out
}

/// A value as a farmer reads it: `12,500 บาท`, `12 ไร่ 2 งาน`, `15 มกราคม 2567`.
pub fn format_value(value: Value, tr: &Tr) -> String {
    let mut out = String::new();
    write_value(&mut out, value, tr);
    out
}

fn write_value(out: &mut String, value: Value, tr: &Tr) {
    let words = words(tr.locale);
    match value {
        Value::Unknown => out.push_str(words.unknown),
        Value::Bool(b) => out.push_str(if b { words.yes } else { words.no }),
        Value::Number(n) => push_grouped(out, n),
        Value::Money(satang) => {
            push_grouped(out, satang / 100);
            let cents = (satang % 100).abs();
            if cents != 0 {
                out.push('.');
                out.push(char::from(b'0' + (cents / 10) as u8));
                out.push(char::from(b'0' + (cents % 10) as u8));
            }
            out.push(' ');
            out.push_str(words.baht);
        }
        Value::Area(sq_wa) => {
            let (rai, ngan, wa) = (sq_wa / 400, sq_wa % 400 / 100, sq_wa % 100);
            let shown = [
                (rai, words.rai, rai != 0 || (ngan == 0 && wa == 0)),
                (ngan, words.ngan, ngan != 0),
                (wa, words.wa, wa != 0),
            ];
            let mut first = true;
            for (n, unit, show) in shown {
                if !show {
                    continue;
                }
                if !first {
                    out.push(' ');
                }
                first = false;
                push_grouped(out, n);
                out.push(' ');
                out.push_str(unit);
            }
        }
        Value::Date(_) => {
            if let Some(d) = value.as_date() {
                out.push_str(&tr.date(&d));
            }
        }
        Value::Text(code) => out.push_str(&code.as_string()),
    }
}

/// Writes `n` with thousands separators (`12,500`), without allocating.
fn push_grouped(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 20];
    let mut rest = n.unsigned_abs();
    let mut len = 0;
    loop {
        digits[len] = b'0' + (rest % 10) as u8;
        len += 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for i in (0..len).rev() {
        out.push(char::from(digits[i]));
        if i > 0 && i % 3 == 0 {
            out.push(',');
        }
    }
}

/// The unit words of one language, looked up once rather than for every value.
struct Words {
    unknown: &'static str,
    yes: &'static str,
    no: &'static str,
    baht: &'static str,
    rai: &'static str,
    ngan: &'static str,
    wa: &'static str,
}

fn words(locale: Locale) -> &'static Words {
    static WORDS: std::sync::LazyLock<[Words; 2]> = std::sync::LazyLock::new(|| {
        Locale::ALL.map(|locale| {
            let tr = Tr::new(locale);
            Words {
                unknown: tr.t("rules.unknown_value"),
                yes: tr.t("rules.yes"),
                no: tr.t("rules.no"),
                baht: tr.t("rules.baht"),
                rai: tr.t("rules.rai"),
                ngan: tr.t("rules.ngan"),
                wa: tr.t("rules.wa"),
            }
        })
    });
    &WORDS[locale as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_naturally_in_both_languages() {
        let th = Tr::new(Locale::Th);
        let en = Tr::new(Locale::En);
        assert_eq!(format_value(Value::Money(1_250_000), &th), "12,500 บาท");
        assert_eq!(format_value(Value::Money(134_050), &en), "1,340.50 baht");
        assert_eq!(format_value(Value::Area(5000), &th), "12 ไร่ 2 งาน");
        assert_eq!(
            format_value(Value::Area(2250), &en),
            "5 rai 2 ngan 50 sq. wa"
        );
        assert_eq!(format_value(Value::Area(0), &en), "0 rai");
        assert_eq!(format_value(Value::Number(1_000_000), &en), "1,000,000");
    }
}
