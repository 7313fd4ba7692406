//! A programme's own application questions, from `rules/forms/<programme id>.toml` beside its
//! rule file: what the registry cannot know (a bank account, a planned sowing date). Everything
//! the registry knows is shown pre-filled and never asked again. Kept apart from the rule file
//! so that rewording a question does not change the rule's version.

use super::programme::RuleError;
use crate::domain::Invalid;
use crate::i18n::Bilingual;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Text { max_length: usize },
    Number { min: i64, max: i64 },
    YesNo,
    Date,
    Choice { options: Vec<(String, Bilingual)> },
}

#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    pub kind: Kind,
    pub required: bool,
    pub label: Bilingual,
    pub hint: Option<Bilingual>,
}

/// The extra questions of one programme (none when it has no form file).
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub questions: Vec<Question>,
    /// The claim lists the household's plantings in the disaster zone, and asks the damaged
    /// area of each (`damage_per_plot = true`); the answers feed the rule's damaged areas.
    pub damage_per_plot: bool,
}

/// Where a claim's answers keep the damaged square wa of one planting.
pub fn damage_key(planting_id: i32) -> String {
    format!("damaged.{planting_id}")
}

/// The damage a claim's answers report, by planting id.
pub fn reported_damage(answers: &RawAnswers) -> crate::rules::facts::ReportedDamage {
    answers
        .iter()
        .filter_map(|(key, value)| {
            let id = key.strip_prefix("damaged.")?.parse().ok()?;
            Some((id, value.parse().ok()?))
        })
        .collect()
}

/// Answers as the farmer typed them, by question id (kept as typed so a page can show them back).
pub type RawAnswers = BTreeMap<String, String>;

impl Form {
    /// Checks every answer; the normalised answers, or each refused question with its reason.
    /// With `for_submission` false (a draft), missing required answers are allowed.
    pub fn check(
        &self,
        raw: &RawAnswers,
        for_submission: bool,
    ) -> Result<RawAnswers, Vec<(String, Invalid)>> {
        let mut answers = RawAnswers::new();
        let mut errors = Vec::new();
        for q in &self.questions {
            let given = raw.get(&q.id).map_or("", |s| s.trim());
            if given.is_empty() {
                if q.required && for_submission {
                    errors.push((q.id.clone(), Invalid::new("error.required")));
                }
                continue;
            }
            match q.kind.normalise(given) {
                Ok(value) => {
                    answers.insert(q.id.clone(), value);
                }
                Err(invalid) => errors.push((q.id.clone(), invalid)),
            }
        }
        if errors.is_empty() {
            Ok(answers)
        } else {
            Err(errors)
        }
    }
}

impl Kind {
    fn normalise(&self, given: &str) -> Result<String, Invalid> {
        match self {
            Kind::Text { max_length } => {
                if given.chars().count() > *max_length {
                    Err(Invalid::new("error.too_long"))
                } else {
                    Ok(given.to_owned())
                }
            }
            Kind::Number { min, max } => {
                let n: i64 = given
                    .replace(',', "")
                    .parse()
                    .map_err(|_| Invalid::new("error.whole_number"))?;
                if n < *min || n > *max {
                    Err(Invalid::new("error.out_of_range"))
                } else {
                    Ok(n.to_string())
                }
            }
            Kind::YesNo => match given {
                "yes" | "no" => Ok(given.to_owned()),
                _ => Err(Invalid::new("error.choice")),
            },
            Kind::Date => crate::domain::date::parse(given).map(|d: NaiveDate| d.to_string()),
            Kind::Choice { options } => {
                if options.iter().any(|(value, _)| value == given) {
                    Ok(given.to_owned())
                } else {
                    Err(Invalid::new("error.choice"))
                }
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextsFile {
    th: String,
    en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionFile {
    value: String,
    th: String,
    en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionFile {
    id: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    required: bool,
    label: TextsFile,
    hint: Option<TextsFile>,
    max_length: Option<usize>,
    min: Option<i64>,
    max: Option<i64>,
    #[serde(default)]
    options: Vec<OptionFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormFile {
    #[serde(default)]
    damage_per_plot: bool,
    #[serde(default)]
    questions: Vec<QuestionFile>,
}

/// The longest free-text answer when a question does not say.
const DEFAULT_MAX_LENGTH: usize = 200;

/// Reads one form file; errors name its line and column.
pub fn load(path: &Path, text: &str) -> Result<Form, RuleError> {
    let at = |offset: usize, message: String| RuleError::at(path, text, offset, message);
    let file: FormFile = toml::from_str(text).map_err(|e| {
        at(
            e.span().map_or(0, |s| s.start),
            e.message().trim().to_owned(),
        )
    })?;
    let mut questions: Vec<Question> = Vec::new();
    for q in file.questions {
        let id = q.id.get_ref();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(at(
                q.id.span().start,
                format!("the question id `{id}` must be lower-case letters and `_`"),
            ));
        }
        if questions.iter().any(|other| &other.id == id) {
            return Err(at(
                q.id.span().start,
                format!("the question id `{id}` is used twice"),
            ));
        }
        let kind = match q.kind.get_ref().as_str() {
            "text" => Kind::Text {
                max_length: q.max_length.unwrap_or(DEFAULT_MAX_LENGTH),
            },
            "number" => Kind::Number {
                min: q.min.unwrap_or(0),
                max: q.max.unwrap_or(i64::from(i32::MAX)),
            },
            "yes_no" => Kind::YesNo,
            "date" => Kind::Date,
            "choice" if !q.options.is_empty() => Kind::Choice {
                options: q
                    .options
                    .into_iter()
                    .map(|o| (o.value, Bilingual { th: o.th, en: o.en }))
                    .collect(),
            },
            "choice" => {
                return Err(at(
                    q.kind.span().start,
                    "a `choice` question needs `options`".to_owned(),
                ))
            }
            other => {
                return Err(at(
                    q.kind.span().start,
                    format!(
                    "`{other}` is not a question kind: use text, number, yes_no, date or choice"
                ),
                ))
            }
        };
        if q.label.th.trim().is_empty() || q.label.en.trim().is_empty() {
            return Err(at(
                q.id.span().start,
                format!("the question `{id}` needs a Thai and an English label"),
            ));
        }
        questions.push(Question {
            id: id.clone(),
            kind,
            required: q.required,
            label: Bilingual {
                th: q.label.th,
                en: q.label.en,
            },
            hint: q.hint.map(|h| Bilingual { th: h.th, en: h.en }),
        });
    }
    Ok(Form {
        questions,
        damage_per_plot: file.damage_per_plot,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: &str = r#"
[[questions]]
id = "bank_account"
kind = "text"
required = true
max_length = 15
label = { th = "เลขที่บัญชี ธ.ก.ส.", en = "BAAC account number" }

[[questions]]
id = "workers"
kind = "number"
min = 1
max = 20
label = { th = "จำนวนแรงงาน", en = "Workers" }
"#;

    fn answers(pairs: &[(&str, &str)]) -> RawAnswers {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_draft_may_leave_required_answers_out_but_a_submission_may_not() {
        let form = load(Path::new("f.toml"), FORM).unwrap();
        assert!(form.check(&answers(&[]), false).is_ok());
        let refused = form.check(&answers(&[]), true).unwrap_err();
        assert_eq!(
            refused,
            vec![("bank_account".to_owned(), Invalid::new("error.required"))]
        );
    }

    #[test]
    fn answers_are_checked_against_their_limits() {
        let form = load(Path::new("f.toml"), FORM).unwrap();
        let refused = form
            .check(
                &answers(&[("bank_account", "0123456789012345"), ("workers", "25")]),
                true,
            )
            .unwrap_err();
        assert_eq!(
            refused,
            vec![
                ("bank_account".to_owned(), Invalid::new("error.too_long")),
                ("workers".to_owned(), Invalid::new("error.out_of_range")),
            ]
        );
        let ok = form
            .check(
                &answers(&[("bank_account", " 020-1-23456-7 "), ("workers", "3")]),
                true,
            )
            .unwrap();
        assert_eq!(ok["bank_account"], "020-1-23456-7");
    }

    #[test]
    fn a_bad_question_kind_is_named_with_its_line() {
        let broken = FORM.replace("kind = \"number\"", "kind = \"numbr\"");
        let error = load(Path::new("rules/forms/x.toml"), &broken).unwrap_err();
        assert_eq!(error.line, 11);
        assert!(
            error.message.contains("`numbr` is not a question kind"),
            "{error}"
        );
    }
}
