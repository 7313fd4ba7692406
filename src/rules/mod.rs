//! The rules engine: programmes read from `rules/*.toml`, a small typed expression language,
//! three-valued evaluation and explanations. No database and no HTTP in here; the only I/O is
//! reading the rule files.

pub mod catalogue;
pub mod compile;
pub mod delivery;
pub mod evaluate;
pub mod facts;
pub mod form;
pub mod programme;
pub mod syntax;
pub mod types;

pub use evaluate::{explain, Explanation, Outcome, Status, Tri};
pub use programme::{Programme, RuleError};
pub use types::Value;

use chrono::NaiveDate;
use std::path::Path;

/// Every programme, checked. Built once at start-up; a broken file stops the server.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub programmes: Vec<Programme>,
}

impl RuleSet {
    /// Loads every `*.toml` in `dir`, reporting every broken file, not just the first.
    pub fn load_dir(dir: &Path) -> Result<Self, Vec<RuleError>> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            vec![RuleError {
                file: dir.to_owned(),
                line: 0,
                column: 0,
                message: format!("cannot read the rules directory: {e}"),
            }]
        })?;
        let mut paths: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        let mut programmes = Vec::new();
        let mut errors = Vec::new();
        for path in paths {
            let loaded = read(&path).and_then(|text| programme::load(&path, &text));
            match loaded {
                Ok(p) => programmes.push(p),
                Err(e) => errors.push(e),
            }
        }
        for (i, p) in programmes.iter().enumerate() {
            if programmes[..i].iter().any(|other| other.id == p.id) {
                errors.push(RuleError {
                    file: p.file.clone(),
                    line: 1,
                    column: 1,
                    message: format!("the id `{}` is used by another file too", p.id),
                });
            }
        }
        attach_forms(&dir.join("forms"), &mut programmes, &mut errors);
        if programmes.is_empty() && errors.is_empty() {
            errors.push(RuleError {
                file: dir.to_owned(),
                line: 0,
                column: 0,
                message: "no rule files (*.toml) found".into(),
            });
        }
        if errors.is_empty() {
            Ok(Self { programmes })
        } else {
            Err(errors)
        }
    }

    pub fn programme(&self, id: &str) -> Option<&Programme> {
        self.programmes.iter().find(|p| p.id == id)
    }

    /// A programme's title in the reader's language; its id when the rule set no longer has it
    /// (an old notice or case of a programme since removed).
    pub fn title<'a>(&'a self, id: &'a str, locale: crate::i18n::Locale) -> &'a str {
        self.programme(id).map_or(id, |p| p.title.get(locale))
    }

    /// Every programme decided for one household (see `Prepared::evaluate`).
    pub fn evaluate(&self, facts: &[Value], as_of: NaiveDate) -> Vec<Decision> {
        self.prepare(as_of).evaluate(facts)
    }

    /// The rule set with every parameter looked up for one evaluation date, for deciding many
    /// households.
    pub fn prepare(&self, as_of: NaiveDate) -> Prepared<'_> {
        Prepared {
            rules: self,
            as_of,
            parameters: self
                .programmes
                .iter()
                .map(|p| p.parameters_at(as_of))
                .collect(),
        }
    }

    /// Runs every programme's own test cases; each failure comes with the full trace.
    pub fn run_test_cases(&self) -> Vec<String> {
        let mut failures = Vec::new();
        for p in &self.programmes {
            for case in &p.tests {
                let mut facts = facts::blank(case.as_of);
                for (slot, value) in &case.facts {
                    facts[*slot] = *value;
                }
                let params = p.parameters_at(case.as_of);
                let outcome = p.evaluate(&facts, &params, case.as_of);
                let mut wrong = Vec::new();
                if outcome.status.code() != case.status {
                    wrong.push(format!(
                        "status {} (expected {})",
                        outcome.status.code(),
                        case.status
                    ));
                }
                if case.amount.is_some() && outcome.amount != case.amount {
                    wrong.push(format!(
                        "amount {:?} satang (expected {:?})",
                        outcome.amount, case.amount
                    ));
                }
                let mut failing: Vec<&str> = outcome.failing(p).collect();
                failing.sort_unstable();
                let mut expected: Vec<&str> =
                    case.failing.iter().flatten().map(String::as_str).collect();
                expected.sort_unstable();
                // `failing = []` says nothing may fail; leaving it out says nothing about it.
                if case.failing.is_some() && failing != expected {
                    wrong.push(format!("failing {failing:?} (expected {expected:?})"));
                }
                if !wrong.is_empty() {
                    failures.push(format!(
                        "{} — test \"{}\" (as of {}): {}\n{}",
                        p.file.display(),
                        case.name,
                        case.as_of,
                        wrong.join("; "),
                        trace(p, &outcome, &facts, &params)
                    ));
                }
            }
        }
        failures
    }
}

/// A rule set ready to decide households as of one date.
pub struct Prepared<'a> {
    rules: &'a RuleSet,
    as_of: NaiveDate,
    parameters: Vec<Vec<Value>>,
}

impl Prepared<'_> {
    /// Every programme decided for one household. Within an exclusive group only the best
    /// eligible programme (highest amount) stays eligible; the others become ineligible, and
    /// `excluded_by` says which programme took their place.
    pub fn evaluate(&self, facts: &[Value]) -> Vec<Decision> {
        let programmes = &self.rules.programmes;
        let mut decisions: Vec<Decision> = programmes
            .iter()
            .zip(&self.parameters)
            .enumerate()
            .map(|(index, (p, params))| Decision {
                index,
                outcome: p.evaluate(facts, params, self.as_of),
                excluded_by: None,
            })
            .collect();
        for i in 0..decisions.len() {
            let Some(group) = &programmes[i].exclusive_group else {
                continue;
            };
            if decisions[i].outcome.status != Status::Eligible {
                continue;
            }
            let better = (0..decisions.len()).find(|j| {
                *j != i
                    && programmes[*j].exclusive_group.as_ref() == Some(group)
                    && decisions[*j].outcome.status == Status::Eligible
                    && (decisions[*j].outcome.amount, std::cmp::Reverse(*j))
                        > (decisions[i].outcome.amount, std::cmp::Reverse(i))
            });
            if let Some(j) = better {
                decisions[i].excluded_by = Some(j);
            }
        }
        for d in &mut decisions {
            if d.excluded_by.is_some() {
                d.outcome.status = Status::Ineligible;
                d.outcome.amount = None;
            }
        }
        decisions
    }
}

/// One programme's decision for a household.
#[derive(Debug, Clone)]
pub struct Decision {
    pub index: usize,
    pub outcome: Outcome,
    /// The programme of the same exclusive group that the household receives instead.
    pub excluded_by: Option<usize>,
}

/// Every condition with its result and the values it read; the parameters; the amount.
fn trace(p: &Programme, outcome: &Outcome, facts: &[Value], params: &[Value]) -> String {
    let mut out = String::new();
    for (c, r) in p.conditions.iter().zip(&outcome.results) {
        let read: Vec<String> = c
            .facts_read
            .iter()
            .map(|i| format!("{} = {:?}", catalogue::CATALOGUE[*i].name, facts[*i]))
            .collect();
        out.push_str(&format!(
            "    condition {}: {:?}  [{}]\n",
            c.id,
            r,
            read.join(", ")
        ));
    }
    for (param, value) in p.parameters.iter().zip(params) {
        out.push_str(&format!("    parameter {} = {:?}\n", param.name, value));
    }
    out.push_str(&format!("    amount = {:?} satang\n", outcome.amount));
    out
}

fn read(path: &Path) -> Result<String, RuleError> {
    std::fs::read_to_string(path).map_err(|e| RuleError {
        file: path.to_owned(),
        line: 0,
        column: 0,
        message: format!("cannot read: {e}"),
    })
}

/// Reads `forms/<programme id>.toml` for the programmes that have one; a form without its
/// programme is an error (most likely a misspelt file name).
fn attach_forms(dir: &Path, programmes: &mut [Programme], errors: &mut Vec<RuleError>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return; // no forms: every programme asks only the declaration
    };
    let mut paths: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    for path in paths {
        let id = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        let Some(programme) = programmes.iter_mut().find(|p| Some(&p.id) == id.as_ref()) else {
            errors.push(RuleError {
                file: path.clone(),
                line: 1,
                column: 1,
                message: "no programme has this file's name as its id".into(),
            });
            continue;
        };
        let loaded = read(&path).and_then(|text| form::load(&path, &text));
        match loaded {
            Ok(form) => programme.form = form,
            Err(e) => errors.push(e),
        }
    }
}

#[cfg(test)]
mod tests;
