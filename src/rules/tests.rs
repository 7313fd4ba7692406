//! The engine's own tests: the real rule files and their cases, bad files with their exact
//! errors, and the evaluator's three-valued logic.

use super::programme::load;
use super::*;
use std::path::PathBuf;

fn rules_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules")
}

#[test]
fn every_rule_file_loads_and_passes_its_own_test_cases() {
    let rules = RuleSet::load_dir(&rules_dir()).unwrap_or_else(|errors| {
        panic!(
            "broken rule files:\n{}",
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    assert!(
        rules.programmes.len() >= 12,
        "at least 12 programmes, found {}",
        rules.programmes.len()
    );
    for p in &rules.programmes {
        assert!(
            p.tests.len() >= 3,
            "{} has fewer than 3 test cases",
            p.file.display()
        );
    }
    let failures = rules.run_test_cases();
    assert!(
        failures.is_empty(),
        "rule test cases failed:\n{}",
        failures.join("\n")
    );
}

/// A small programme whose line numbers the error tests below rely on.
const RICE: &str = include_str!("../../tests/fixtures/rice.toml");

fn rice() -> Programme {
    load(&PathBuf::from("rules/rice-test.toml"), RICE).expect("the sample loads")
}

fn error_of(text: &str) -> String {
    load(&PathBuf::from("rules/broken.toml"), text)
        .expect_err("the file is refused")
        .to_string()
}

fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn facts_with(
    rice: Option<i64>,
    registered: Option<chrono::NaiveDate>,
    as_of: chrono::NaiveDate,
) -> Vec<Value> {
    let mut f = facts::blank(as_of);
    f[catalogue::Fact::rice_area_main as usize] = rice.map_or(Value::Unknown, Value::Area);
    f[catalogue::Fact::registered_on as usize] = registered.map_or(Value::Unknown, Value::date);
    f
}

#[test]
fn twelve_and_a_half_rai_of_rice_is_paid_12_500_baht_with_its_working() {
    let p = rice();
    let as_of = date(2024, 1, 15);
    let facts = facts_with(Some(5000), Some(date(2020, 1, 1)), as_of);
    let params = p.parameters_at(as_of);
    let outcome = p.evaluate(&facts, &params, as_of);
    assert_eq!(outcome.status, Status::Eligible);
    assert_eq!(outcome.amount, Some(1_250_000));
    let explanation = explain(&p, &outcome, &facts, &params, crate::i18n::Locale::En);
    assert_eq!(explanation.lines[0].text, "Grows 12 rai 2 ngan of rice");
    assert_eq!(
        explanation.amount.as_deref(),
        Some("12 rai 2 ngan × 1,000 baht = 12,500 baht")
    );
}

#[test]
fn the_cap_and_a_rate_change_on_a_date_apply() {
    let p = rice();
    let as_of = date(2024, 7, 1);
    let facts = facts_with(Some(30 * 400), Some(date(2020, 1, 1)), as_of);
    let outcome = p.evaluate(&facts, &p.parameters_at(as_of), as_of);
    assert_eq!(
        outcome.amount,
        Some(20 * 1200 * 100),
        "20 rai at the June rate"
    );
}

#[test]
fn a_missing_fact_asks_for_information_instead_of_saying_no() {
    let p = rice();
    let as_of = date(2024, 1, 15);
    let facts = facts_with(Some(5000), None, as_of);
    let params = p.parameters_at(as_of);
    let outcome = p.evaluate(&facts, &params, as_of);
    assert_eq!(outcome.status, Status::NeedInfo);
    assert_eq!(outcome.results, [Tri::Pass, Tri::Unknown]);
    let explanation = explain(&p, &outcome, &facts, &params, crate::i18n::Locale::Th);
    assert_eq!(explanation.missing, ["วันที่ขึ้นทะเบียนเกษตรกร"]);
}

#[test]
fn one_changeable_condition_short_is_almost_but_an_unchangeable_one_is_not() {
    let p = rice();
    let as_of = date(2024, 1, 15);
    let no_rice = p.evaluate(
        &facts_with(Some(0), Some(date(2020, 1, 1)), as_of),
        &p.parameters_at(as_of),
        as_of,
    );
    assert_eq!(no_rice.status, Status::Almost);
    let late = p.evaluate(
        &facts_with(Some(5000), Some(date(2024, 3, 1)), as_of),
        &p.parameters_at(as_of),
        as_of,
    );
    assert_eq!(
        late.status,
        Status::Ineligible,
        "the registration date cannot change"
    );
    let closed = date(2024, 10, 1);
    let after = p.evaluate(
        &facts_with(Some(5000), Some(date(2020, 1, 1)), closed),
        &p.parameters_at(closed),
        closed,
    );
    assert_eq!(after.status, Status::Closed);
}

#[test]
fn and_or_decide_even_with_an_unknown_side() {
    let check = |source: &str, rice: Option<i64>| {
        let p = rice_with_condition(source);
        let as_of = date(2024, 1, 15);
        let facts = facts_with(rice, None, as_of);
        p.conditions[0].node.eval(&facts, &p.parameters_at(as_of))
    };
    assert_eq!(
        check(
            "rice_area_main > 0 rai and registered_on < 2024-01-01",
            Some(0)
        ),
        Value::Bool(false)
    );
    assert_eq!(
        check(
            "rice_area_main > 0 rai or registered_on < 2024-01-01",
            Some(1)
        ),
        Value::Bool(true)
    );
    assert_eq!(
        check(
            "rice_area_main > 0 rai and registered_on < 2024-01-01",
            Some(1)
        ),
        Value::Unknown
    );
    assert_eq!(
        check("not (registered_on < 2024-01-01)", Some(1)),
        Value::Unknown
    );
    assert_eq!(
        check("province in [\"32\", \"31\"]", Some(1)),
        Value::Unknown
    );
}

fn rice_with_condition(when: &str) -> Programme {
    // Single quotes: a TOML literal string, so the expression may hold "text".
    let text = RICE.replacen("\"rice_area_main > 0 rai\"", &format!("'{when}'"), 1);
    load(&PathBuf::from("rules/x.toml"), &text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn an_unknown_fact_is_named_with_a_suggestion() {
    let text = RICE.replacen("rice_area_main > 0 rai", "rice_area > 0 rai", 1);
    assert_eq!(
        error_of(&text),
        "rules/broken.toml:38:9: unknown fact or parameter `rice_area` (did you mean `rice_area_main` or `rice_area_off`?)"
    );
}

#[test]
fn a_type_mismatch_points_at_the_operator() {
    let text = RICE.replacen("rice_area_main > 0 rai", "rice_area_main > 1000 baht", 1);
    assert_eq!(
        error_of(&text),
        "rules/broken.toml:38:24: `>` compares a land area with a money; both sides must be of one type (e.g. an area with `0 rai`)"
    );
}

#[test]
fn a_missing_thai_text_is_refused() {
    let text = RICE.replacen("fail.th = \"ไม่ได้ปลูกข้าว\"\n", "", 1);
    let error = error_of(&text);
    assert!(error.starts_with("rules/broken.toml:"), "{error}");
    assert!(error.contains("missing field `th`"), "{error}");
    let english_only = RICE.replacen("fail.th = \"ไม่ได้ปลูกข้าว\"", "fail.th = \"No rice\"", 1);
    assert_eq!(
        error_of(&english_only),
        "rules/broken.toml:41:11: the Thai text of condition `grows_rice` has no Thai in it"
    );
}

#[test]
fn every_parameter_is_named_in_words_and_only_parameters_are() {
    let unlabelled = RICE.replacen("max_area = { th", "not_a_parameter = { th", 1);
    let error = error_of(&unlabelled);
    assert!(
        error.contains("parameter `max_area` has no label"),
        "{error}"
    );
    assert!(error.starts_with("rules/broken.toml:"), "{error}");
    let extra = format!("{RICE}premium = {{ th = \"เบี้ยประกัน\", en = \"Premium\" }}\n");
    let error = error_of(&extra);
    assert!(
        error.contains("names `premium`, which is no parameter"),
        "{error}"
    );
    assert_eq!(
        rice().parameters[0].label.get(crate::i18n::Locale::En),
        "Largest area paid for"
    );
}

#[test]
fn a_bad_date_is_refused_with_its_line() {
    let text = RICE.replacen("valid_to = 2024-09-30", "valid_to = 2024-02-30", 1);
    let error = error_of(&text);
    assert!(error.starts_with("rules/broken.toml:5:"), "{error}");
    let inside = RICE.replacen(
        "registered_on < 2024-01-01",
        "registered_on < 2024-13-01",
        1,
    );
    assert_eq!(
        error_of(&inside),
        "rules/broken.toml:48:25: `2024-13-01` is not a real date"
    );
}

#[test]
fn a_syntax_error_and_an_unknown_placeholder_are_refused() {
    let text = RICE.replacen("rice_area_main > 0 rai", "rice_area_main > ", 1);
    assert_eq!(
        error_of(&text),
        "rules/broken.toml:38:26: the expression ended too early"
    );
    let text = RICE.replacen("ปลูกข้าว {rice_area_main}", "ปลูกข้าว {rice}", 1);
    assert_eq!(
        error_of(&text),
        "rules/broken.toml:39:21: `{rice}` in the Thai text of condition `grows_rice` is not a fact or parameter it can show"
    );
    let text = RICE.replacen(
        "min(rice_area_main, max_area) * rate",
        "min(rice_area_main, max_area)",
        1,
    );
    assert_eq!(
        error_of(&text),
        "rules/broken.toml:57:12: the amount must be money, but this formula gives a land area"
    );
}

#[test]
fn within_an_exclusive_group_only_the_better_programme_stays_eligible() {
    let small = load(
        &PathBuf::from("rules/a.toml"),
        &RICE
            .replacen("id = \"rice-test\"", "id = \"rice-small\"", 1)
            .replace("20 rai", "10 rai"),
    )
    .unwrap();
    let big = load(
        &PathBuf::from("rules/b.toml"),
        &RICE.replacen("id = \"rice-test\"", "id = \"rice-big\"", 1),
    )
    .unwrap();
    let rules = RuleSet {
        programmes: vec![small, big],
    };
    let as_of = date(2024, 1, 15);
    let decisions = rules.evaluate(
        &facts_with(Some(15 * 400), Some(date(2020, 1, 1)), as_of),
        as_of,
    );
    assert_eq!(decisions[0].outcome.status, Status::Ineligible);
    assert_eq!(decisions[0].excluded_by, Some(1));
    assert_eq!(decisions[1].outcome.amount, Some(15 * 1000 * 100));
}

#[test]
fn every_programme_says_how_it_reaches_the_farmer() {
    use super::delivery::Mode;
    assert_eq!(
        rice().delivery.mode,
        Mode::Automatic {
            pays_within_days: 30
        }
    );
    let rules = RuleSet::load_dir(&rules_dir()).expect("the rule files load");
    let mode_of = |id: &str| {
        rules
            .programme(id)
            .map(|p| p.delivery.mode.code())
            .unwrap_or("missing")
    };
    assert_eq!(mode_of("rice-support-2567"), "automatic");
    assert_eq!(mode_of("disaster-relief-crops"), "confirm");
    assert_eq!(mode_of("ldd-farm-pond"), "apply");
    assert_eq!(mode_of("alro-land"), "in_person");
    let relief = rules.programme("disaster-relief-crops").expect("relief");
    assert_eq!(
        relief.delivery.checks,
        [
            crate::domain::case::Check::Village,
            crate::domain::case::Check::DistrictCommittee
        ]
    );
    assert_eq!(
        relief.amount.as_ref().map(|a| a.kind),
        Some(super::programme::AmountKind::UpTo)
    );
}

#[test]
fn a_delivery_that_does_not_fit_its_mode_is_refused_with_its_line() {
    let unknown = RICE.replacen("mode = \"automatic\"", "mode = \"by_post\"", 1);
    assert_eq!(
        error_of(&unknown),
        "rules/broken.toml:62:8: unknown delivery mode; use one of automatic, confirm, apply, in_person"
    );
    let no_days = RICE.replacen("pays_within_days = 30\n", "", 1);
    assert!(
        error_of(&no_days)
            .contains("rules/broken.toml:62:8: an automatic programme needs `pays_within_days`"),
        "{}",
        error_of(&no_days)
    );
    let in_person = RICE.replacen("mode = \"automatic\"", "mode = \"in_person\"", 1);
    assert_eq!(
        error_of(&in_person),
        "rules/broken.toml:62:8: `pays_within_days` does not belong to a programme delivered `in_person`"
    );
    let missing = &RICE[..RICE
        .find("\n[delivery]")
        .expect("the fixture has a delivery")];
    assert!(
        error_of(missing).contains("missing field `delivery`"),
        "{}",
        error_of(missing)
    );
    let automatic_checks = RICE.replacen(
        "pays_within_days = 30\n",
        "pays_within_days = 30\nchecks = [\"village\"]\n",
        1,
    );
    assert_eq!(
        error_of(&automatic_checks),
        "rules/broken.toml:62:8: `checks` does not belong to a programme delivered `automatic`"
    );
    let confirm = RICE
        .replacen("mode = \"automatic\"", "mode = \"confirm\"", 1)
        .replacen("pays_within_days = 30\n", "", 1);
    let unknown_check = confirm.replacen(
        "[delivery]\n",
        "[delivery]\nchecks = [\"village\", \"mayor\"]\n",
        1,
    );
    assert!(
        error_of(&unknown_check).ends_with("unknown check; use one of village, district_committee"),
        "{}",
        error_of(&unknown_check)
    );
    let twice = confirm.replacen(
        "[delivery]\n",
        "[delivery]\nchecks = [\"village\", \"village\"]\n",
        1,
    );
    assert!(
        error_of(&twice).ends_with("a check is listed once"),
        "{}",
        error_of(&twice)
    );
    let bad_kind = RICE.replacen("[amount]\n", "[amount]\nkind = \"about\"\n", 1);
    assert!(
        error_of(&bad_kind).contains("the amount's kind is `exact` or `up_to`"),
        "{}",
        error_of(&bad_kind)
    );
}
