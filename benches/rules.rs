//! How fast the rules engine decides: a two-condition programme with an amount formula, in the
//! batch path (status and amount only) and with a full Thai explanation.
//!
//! Run with `cargo bench --bench rules`; the figures go in the issue notes.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kaset::i18n::Locale;
use kaset::rules::catalogue::Fact;
use kaset::rules::{explain, facts, programme, Value};
use std::hint::black_box;
use std::path::Path;

const RICE: &str = r#"id = "rice-bench"
category = "income_support"
source = "https://example.org/rice"
valid_from = 2023-11-01

[title]
th = "ข้าว"
en = "Rice"
[description]
th = "ข้าว"
en = "Rice"
[agency]
th = "กรมส่งเสริมการเกษตร"
en = "DOAE"
[legal_basis]
th = "มติ ครม."
en = "Cabinet"

[[parameters.rate]]
from = 2023-11-01
value = "1000 baht"

[[parameters.max_area]]
from = 2023-11-01
value = "20 rai"

[[conditions]]
id = "grows_rice"
when = "rice_area_main > 0 rai"
pass.th = "ท่านปลูกข้าวนาปี {rice_area_main}"
pass.en = "You grow {rice_area_main} of rice"
fail.th = "ไม่พบการปลูกข้าว"
fail.en = "No rice"
unknown.th = "ไม่ทราบ"
unknown.en = "Unknown"

[[conditions]]
id = "registered"
when = "registered_on < 2024-01-01"
pass.th = "ขึ้นทะเบียนแล้ว"
pass.en = "Registered"
fail.th = "ขึ้นทะเบียนช้าไป"
fail.en = "Too late"
unknown.th = "ไม่ทราบวันขึ้นทะเบียน"
unknown.en = "Unknown"

[amount]
formula = "min(rice_area_main, max_area) * rate"
explain.th = "{rice_area_main} × {rate} ต่อไร่ = {amount} (ไม่เกิน {max_area})"
explain.en = "{rice_area_main} × {rate} per rai = {amount} (at most {max_area})"
"#;

fn benchmarks(c: &mut Criterion) {
    let rice = programme::load(Path::new("rules/rice-bench.toml"), RICE)
        .expect("the benchmark rule loads");
    let as_of = chrono::NaiveDate::from_ymd_opt(2024, 1, 15).expect("a date");
    let params = rice.parameters_at(as_of);
    // A thousand different households, so the branch predictor does not learn one answer.
    let households: Vec<Vec<Value>> = (0..1000)
        .map(|i| {
            let mut f = facts::blank(as_of);
            f[Fact::rice_area_main as usize] = Value::Area((i % 50) * 400);
            f[Fact::registered_on as usize] = Value::date(
                chrono::NaiveDate::from_ymd_opt(2015 + (i % 10) as i32, 1, 1).expect("a date"),
            );
            f
        })
        .collect();

    let mut group = c.benchmark_group("rice programme, 1,000 households");
    group.throughput(Throughput::Elements(households.len() as u64));
    group.bench_function("decide (batch: status and amount)", |b| {
        b.iter(|| {
            let mut paid = 0i64;
            for f in &households {
                let (_, amount) = rice.decide(black_box(f), &params, as_of);
                paid += amount.unwrap_or(0);
            }
            black_box(paid)
        })
    });
    group.bench_function("evaluate and explain in Thai", |b| {
        b.iter(|| {
            let mut length = 0;
            for f in &households {
                let outcome = rice.evaluate(black_box(f), &params, as_of);
                let explanation = explain(&rice, &outcome, f, &params, Locale::Th);
                length += explanation.lines.len() + explanation.amount.map_or(0, |a| a.len());
            }
            black_box(length)
        })
    });
    group.finish();
}

criterion_group!(rules, benchmarks);
criterion_main!(rules);
