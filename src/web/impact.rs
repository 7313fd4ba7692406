//! The manager's impact preview: for one programme, as its rule stands or with edited
//! parameters, how many households of the manager's area are eligible and what it costs, by
//! province, before and after. Nothing stored changes.

use super::context::{render, render_invalid, Ctx, FieldErrors};
use super::officer::Choice;
use crate::db::{geography, registry};
use crate::domain::{area, money, western_digits, Invalid};
use crate::error::AppError;
use crate::rules::evaluate::format_value;
use crate::rules::syntax::parse_literal;
use crate::rules::types::Type;
use crate::rules::{facts, Status, Value};
use actix_web::{web, HttpResponse};
use askama::Template;
use std::collections::{BTreeMap, HashMap};

pub struct ParameterField {
    pub name: String,
    /// The parameter in words.
    pub label: String,
    /// Its value now, in words with its unit ("1,000 บาท").
    pub current: String,
    /// What to type: a catalogue key naming the unit.
    pub hint: &'static str,
    pub value: String,
    pub error: Option<&'static str>,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    households: i64,
    budget: i64,
}

pub struct ImpactRow {
    pub province: String,
    pub before_households: i64,
    pub before_budget: String,
    pub after_households: i64,
    pub after_budget: String,
}

#[derive(Template)]
#[template(path = "manager/impact.html")]
struct ImpactPage {
    ctx: Ctx,
    programmes: Vec<Choice>,
    fields: Vec<ParameterField>,
    errors: FieldErrors,
    rows: Vec<ImpactRow>,
    total: Option<ImpactRow>,
    households_checked: i64,
}

pub async fn impact(
    ctx: Ctx,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.manager()?.clone();
    let rules = ctx.state.rules.clone();
    let tr = ctx.tr;
    let chosen = query
        .get("programme")
        .and_then(|id| rules.programmes.iter().position(|p| &p.id == id));
    let programmes = rules
        .programmes
        .iter()
        .enumerate()
        .map(|(i, p)| Choice {
            value: p.id.clone(),
            label: p.title.get(tr.locale).to_owned(),
            selected: Some(i) == chosen,
        })
        .collect();
    let today = ctx.state.clock.today();
    let mut errors = FieldErrors::default();
    let mut fields = Vec::new();
    let mut edited = Vec::new();
    if let Some(index) = chosen {
        let programme = &rules.programmes[index];
        for (parameter, current) in programme
            .parameters
            .iter()
            .zip(programme.parameters_at(today))
        {
            let current_text = plain(current);
            let typed = query
                .get(&parameter.name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty());
            let value = match &typed {
                None => Ok(current),
                Some(text) => {
                    typed_value(text, parameter.ty).ok_or(Invalid::new("impact.error.parameter"))
                }
            };
            let error = value.err().map(|e| e.key);
            if let Some(key) = error {
                // Field names of parameters are not static; the summary links to the form.
                errors.add("parameters", key);
            }
            edited.push(value.unwrap_or(current));
            fields.push(ParameterField {
                name: parameter.name.clone(),
                label: parameter.label.get(tr.locale).to_owned(),
                current: format_value(current, &tr),
                hint: unit_hint(parameter.ty),
                value: typed.unwrap_or(current_text),
                error,
            });
        }
    }
    let page = |ctx, rows, total, checked, errors| ImpactPage {
        ctx,
        programmes,
        fields,
        errors,
        rows,
        total,
        households_checked: checked,
    };
    let Some(index) = chosen else {
        return render(&page(ctx, Vec::new(), None, 0, errors));
    };
    if !errors.is_empty() {
        return render_invalid(&page(ctx, Vec::new(), None, 0, errors));
    }

    let scope = user.scope.clone();
    let (by_province, checked) = {
        let rules = rules.clone();
        ctx.db(move |conn| {
            let programme = &rules.programmes[index];
            let current = programme.parameters_at(today);
            let mut by_province: BTreeMap<String, (Tally, Tally)> = BTreeMap::new();
            let mut checked = 0;
            let mut after = 0;
            loop {
                let ids = registry::household_ids_in_scope_after(conn, &scope, after, 1000)?;
                let Some(last) = ids.last() else { break };
                after = *last;
                let farms = registry::load_farms(conn, &ids)?;
                let in_force = registry::disasters_in_force(conn, &farms, today)?;
                for farm in &farms {
                    checked += 1;
                    let facts = facts::derive(&farm.rules_record(&in_force), today);
                    let entry = by_province
                        .entry(farm.household.province_code.clone())
                        .or_default();
                    for (params, tally) in [(&current, &mut entry.0), (&edited, &mut entry.1)] {
                        if let (Status::Eligible, amount) = programme.decide(&facts, params, today)
                        {
                            tally.households += 1;
                            tally.budget += amount.unwrap_or(0);
                        }
                    }
                }
            }
            let names: HashMap<String, String> = geography::provinces(conn)?
                .into_iter()
                .map(|p| (p.code.clone(), p.name(tr.locale).to_owned()))
                .collect();
            let named: Vec<(String, (Tally, Tally))> = by_province
                .into_iter()
                .map(|(code, t)| (names.get(&code).cloned().unwrap_or(code), t))
                .collect();
            Ok((named, checked))
        })
        .await?
    };
    let money = |satang: i64| format_value(Value::Money(satang), &tr);
    let row = |province: String, (before, after): (Tally, Tally)| ImpactRow {
        province,
        before_households: before.households,
        before_budget: money(before.budget),
        after_households: after.households,
        after_budget: money(after.budget),
    };
    let mut sum = (Tally::default(), Tally::default());
    for (_, (b, a)) in &by_province {
        sum.0.households += b.households;
        sum.0.budget += b.budget;
        sum.1.households += a.households;
        sum.1.budget += a.budget;
    }
    let rows = by_province.into_iter().map(|(p, t)| row(p, t)).collect();
    let total = Some(row(tr.t("impact.total").to_owned(), sum));
    render(&page(ctx, rows, total, checked, errors))
}

/// A value as a manager types it, in the parameter's type: money in baht ("1500", "1,500 บาท",
/// "๑๕๐๐"), areas in rai ("10", "2.5 ไร่"), numbers, or the rule language itself ("10 ngan",
/// "2025-10-31").
fn typed_value(text: &str, ty: Type) -> Option<Value> {
    let plain = match ty {
        Type::Money => money::parse_baht(text).ok().map(Value::Money),
        Type::Area => area::parse_rai(text)
            .ok()
            .filter(|sq_wa| *sq_wa > 0)
            .map(Value::Area),
        Type::Number => western_digits(text)
            .replace(',', "")
            .trim()
            .parse()
            .ok()
            .map(Value::Number),
        Type::Bool | Type::Date | Type::Text => None,
    };
    plain.or_else(|| parse_literal(text).ok().filter(|v| v.ty() == Some(ty)))
}

/// What the box of a parameter of type `ty` takes.
fn unit_hint(ty: Type) -> &'static str {
    match ty {
        Type::Money => "impact.hint.money",
        Type::Area => "impact.hint.area",
        Type::Date => "impact.hint.date",
        Type::Bool | Type::Number | Type::Text => "impact.hint.number",
    }
}

/// A value as the form's box shows it, as `typed_value` reads it back.
fn plain(value: Value) -> String {
    match value {
        Value::Money(satang) if satang % 100 == 0 => (satang / 100).to_string(),
        Value::Money(satang) => format!("{}.{:02}", satang / 100, satang % 100),
        Value::Area(sq_wa) if (sq_wa * 100) % 400 == 0 => area::rai_decimal(sq_wa),
        Value::Area(sq_wa) => format!("{sq_wa} wa"),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Date(_) => value.as_date().map(|d| d.to_string()).unwrap_or_default(),
        Value::Text(code) => format!("\"{}\"", code.as_string()),
        Value::Unknown => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manager_types_amounts_and_areas_as_people_write_them() {
        for text in [
            "1500",
            "1,500",
            "1500 บาท",
            "1500 baht",
            "๑๕๐๐",
            "1500 Baht",
        ] {
            assert_eq!(
                typed_value(text, Type::Money),
                Some(Value::Money(150_000)),
                "{text}"
            );
        }
        for text in ["10", "10 ไร่", "10 rai", "๑๐", "4000 wa"] {
            assert_eq!(
                typed_value(text, Type::Area),
                Some(Value::Area(4_000)),
                "{text}"
            );
        }
        assert_eq!(typed_value("2.5", Type::Area), Some(Value::Area(1_000)));
        assert_eq!(typed_value("18", Type::Number), Some(Value::Number(18)));
        assert_eq!(typed_value("a lot", Type::Money), None);
        assert_eq!(
            typed_value("10 rai", Type::Money),
            None,
            "an area is no amount"
        );
        for value in [
            Value::Money(150_050),
            Value::Area(1_000),
            Value::Area(1_001),
        ] {
            assert_eq!(typed_value(&plain(value), value.ty().unwrap()), Some(value));
        }
    }
}
