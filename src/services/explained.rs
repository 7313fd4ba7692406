//! What a household is entitled to today: every open programme decided from its registry
//! record and explained in the reader's language, grouped as pages and the partner API show
//! them (eligible with amount and working, needing information, one step away, the rest).

use crate::i18n::{Locale, Tr};
use crate::rules::evaluate::Line;
use crate::rules::{explain, facts, RuleSet, Status, Tri};
use chrono::NaiveDate;

pub struct EntitlementView {
    pub id: String,
    pub title: String,
    pub agency: String,
    pub description: String,
    pub source: String,
    pub amount: Option<String>,
    pub working: Option<String>,
    pub lines: Vec<LineView>,
    pub missing: Vec<String>,
    /// For "almost eligible": the one condition that would change the answer.
    pub would_change: Option<String>,
    pub note: Option<String>,
}

pub struct LineView {
    /// `pass`, `fail` or `unknown`, for machines (the partner API).
    pub result: &'static str,
    pub mark: &'static str,
    pub label_key: &'static str,
    pub text: String,
}

fn line_view(line: Line) -> LineView {
    let (result, mark, label_key) = match line.result {
        Tri::Pass => ("pass", "✓", "entitlements.passed"),
        Tri::Fail => ("fail", "✗", "entitlements.failed"),
        Tri::Unknown => ("unknown", "?", "entitlements.unknown"),
    };
    LineView {
        result,
        mark,
        label_key,
        text: line.text,
    }
}

/// The household's programmes, grouped as the page shows them.
#[derive(Default)]
pub struct Entitlements {
    /// With their amounts in satang, largest first.
    pub eligible: Vec<(i64, EntitlementView)>,
    pub need_info: Vec<EntitlementView>,
    pub almost: Vec<EntitlementView>,
    pub other: Vec<EntitlementView>,
    pub total_amount: Option<String>,
}

/// Decides every open programme for the household and explains each in the reader's language.
pub fn entitlements(
    rules: &RuleSet,
    record: &facts::HouseholdRecord,
    as_of: NaiveDate,
    locale: Locale,
) -> Entitlements {
    let tr = Tr::new(locale);
    let facts = facts::derive(record, as_of);
    let mut out = Entitlements::default();
    let mut total = 0;
    for decision in rules.evaluate(&facts, as_of) {
        let programme = &rules.programmes[decision.index];
        let outcome = &decision.outcome;
        if outcome.status == Status::Closed {
            continue;
        }
        let params = programme.parameters_at(as_of);
        let explanation = explain(programme, outcome, &facts, &params, locale);
        let would_change = (outcome.status == Status::Almost)
            .then(|| {
                explanation
                    .lines
                    .iter()
                    .find(|l| l.result == Tri::Fail)
                    .map(|l| l.text.clone())
            })
            .flatten();
        let note = decision.excluded_by.map(|other| {
            tr.fmt(
                "entitlements.excluded",
                &[("other", rules.programmes[other].title.get(locale))],
            )
        });
        let view = EntitlementView {
            id: programme.id.clone(),
            title: programme.title.get(locale).to_owned(),
            agency: programme.agency.get(locale).to_owned(),
            description: programme.description.get(locale).to_owned(),
            source: programme.source.clone(),
            amount: outcome.amount.map(|satang| {
                crate::rules::evaluate::format_value(crate::rules::Value::Money(satang), &tr)
            }),
            working: explanation.amount.clone(),
            lines: explanation.lines.into_iter().map(line_view).collect(),
            missing: explanation.missing,
            would_change,
            note,
        };
        match outcome.status {
            Status::Eligible => {
                total += outcome.amount.unwrap_or(0);
                out.eligible.push((outcome.amount.unwrap_or(0), view));
            }
            Status::NeedInfo => out.need_info.push(view),
            Status::Almost => out.almost.push(view),
            Status::Ineligible | Status::Closed => out.other.push(view),
        }
    }
    // The largest support first.
    out.eligible
        .sort_by_key(|(amount, _)| std::cmp::Reverse(*amount));
    if total > 0 {
        out.total_amount = Some(crate::rules::evaluate::format_value(
            crate::rules::Value::Money(total),
            &tr,
        ));
    }
    out
}
