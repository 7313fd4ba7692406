//! How a programme reaches the farmer, as its real scheme does it: paid by itself from the
//! registry list, a claim Kaset drafts for the farmer to confirm, an application, or a visit
//! to an office. Read from the rule file's `[delivery]` section.

use super::programme::{texts, RuleError, Source, TextsFile};
use crate::domain::case::Check;
use crate::i18n::Bilingual;
use serde::Deserialize;
use toml::Spanned;

/// What the farmer (or an officer) must do to receive the programme.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Nothing: every eligible household is put on the paying agency's list.
    Automatic {
        /// About how long after a household is put on the list the agency pays.
        pays_within_days: u32,
    },
    /// Kaset drafts the claim from the registry; the farmer checks it and confirms.
    Confirm,
    /// A short application, pre-filled from the registry.
    Apply,
    /// At an office: where, when, and what to bring.
    InPerson {
        place: Bilingual,
        hours: Bilingual,
        bring: Bilingual,
    },
}

impl Mode {
    pub fn code(&self) -> &'static str {
        match self {
            Mode::Automatic { .. } => "automatic",
            Mode::Confirm => "confirm",
            Mode::Apply => "apply",
            Mode::InPerson { .. } => "in_person",
        }
    }

    /// Whether the farmer starts a case in Kaset (confirming a claim or applying).
    pub fn farmer_starts_a_case(&self) -> bool {
        matches!(self, Mode::Confirm | Mode::Apply)
    }
}

#[derive(Debug, Clone)]
pub struct Delivery {
    pub mode: Mode,
    /// The public page that says how the real scheme is delivered.
    pub source: String,
    /// What happens next, in the farmer's words.
    pub next: Bilingual,
    /// The checks the regulation puts before approval, in their order.
    pub checks: Vec<Check>,
}

pub const MODES: [&str; 4] = ["automatic", "confirm", "apply", "in_person"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DeliveryFile {
    mode: Spanned<String>,
    source: Spanned<String>,
    next: TextsFile,
    pays_within_days: Option<Spanned<u32>>,
    place: Option<TextsFile>,
    hours: Option<TextsFile>,
    bring: Option<TextsFile>,
    #[serde(default)]
    checks: Vec<Spanned<String>>,
}

pub(super) fn read(source: &Source<'_>, file: &DeliveryFile) -> Result<Delivery, RuleError> {
    let at = file.mode.span().start;
    if !file.source.get_ref().starts_with("http") {
        return Err(source.error(
            file.source.span().start,
            "the delivery's source must be a web address (https://…) saying how the scheme pays",
        ));
    }
    let mode_name = file.mode.get_ref().as_str();
    let wrong_for_mode = |field: &str| {
        source.error(
            at,
            format!("`{field}` does not belong to a programme delivered `{mode_name}`"),
        )
    };
    let in_person_field = [
        ("place", &file.place),
        ("hours", &file.hours),
        ("bring", &file.bring),
    ]
    .into_iter()
    .find_map(|(name, given)| given.is_some().then_some(name));
    let mode = match mode_name {
        "automatic" => {
            let Some(days) = &file.pays_within_days else {
                return Err(source.error(
                    at,
                    "an automatic programme needs `pays_within_days`: about how long the agency takes to pay",
                ));
            };
            if *days.get_ref() == 0 || *days.get_ref() > 366 {
                return Err(source.error(
                    days.span().start,
                    "`pays_within_days` must be between 1 and 366",
                ));
            }
            if let Some(field) = in_person_field {
                return Err(wrong_for_mode(field));
            }
            Mode::Automatic {
                pays_within_days: *days.get_ref(),
            }
        }
        "in_person" => {
            if file.pays_within_days.is_some() {
                return Err(wrong_for_mode("pays_within_days"));
            }
            let (Some(place), Some(hours), Some(bring)) = (&file.place, &file.hours, &file.bring)
            else {
                return Err(source.error(
                    at,
                    "an in_person programme needs `place`, `hours` and `bring`, each in Thai and English",
                ));
            };
            Mode::InPerson {
                place: texts(source, place, "the delivery's place")?,
                hours: texts(source, hours, "the delivery's hours")?,
                bring: texts(source, bring, "what to bring")?,
            }
        }
        "confirm" | "apply" => {
            if file.pays_within_days.is_some() {
                return Err(wrong_for_mode("pays_within_days"));
            }
            if let Some(field) = in_person_field {
                return Err(wrong_for_mode(field));
            }
            if mode_name == "confirm" {
                Mode::Confirm
            } else {
                Mode::Apply
            }
        }
        _ => {
            return Err(source.error(
                at,
                format!("unknown delivery mode; use one of {}", MODES.join(", ")),
            ))
        }
    };
    if !file.checks.is_empty() && !mode.farmer_starts_a_case() {
        return Err(wrong_for_mode("checks"));
    }
    let mut checks = Vec::with_capacity(file.checks.len());
    for named in &file.checks {
        let at = named.span().start;
        let check = Check::parse(named.get_ref()).map_err(|_| {
            let known: Vec<&str> = Check::ALL.iter().map(|c| c.code()).collect();
            source.error(
                at,
                format!("unknown check; use one of {}", known.join(", ")),
            )
        })?;
        if checks.contains(&check) {
            return Err(source.error(at, "a check is listed once"));
        }
        checks.push(check);
    }
    Ok(Delivery {
        mode,
        source: file.source.get_ref().clone(),
        next: texts(source, &file.next, "the delivery's next step")?,
        checks,
    })
}
