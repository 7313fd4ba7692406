//! The demo's history of ended cases and their ratings over the last twelve months, with
//! comments in Thai and English as farmers write them, so the satisfaction dashboard says
//! something on first start. Scores lean on what happened: a slow or rejected case is rated
//! lower, and its comment says why.

use crate::db::applications::{self as apps, NewEvent};
use crate::db::audit::Actor;
use crate::db::schema::{applications, households, members, users};
use crate::db::{ratings, DbConn};
use crate::domain::clock::thai_time;
use crate::domain::satisfaction::ReportingPeriod;
use crate::domain::Clock;
use chrono::{Datelike, Duration};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// What farmers say, by how satisfied they were.
const PRAISE: [&str; 8] = [
    "บริการดีมาก เจ้าหน้าที่สุภาพ",
    "ได้รับเงินเร็ว ขอบคุณครับ",
    "สะดวกมาก ไม่ต้องเดินทางไปอำเภอ",
    "เจ้าหน้าที่ใจดี อธิบายชัดเจน",
    "ยื่นออนไลน์ง่าย ประทับใจค่ะ",
    "Fast and easy, thank you",
    "ไม่ช้าอย่างที่คิด ขอบคุณค่ะ",
    "",
];
const MIXED: [&str; 6] = [
    "พอใช้ได้ แต่รอนานไปหน่อย",
    "เอกสารเยอะเกินไป",
    "เว็บไซต์ใช้ยากนิดหน่อย ต้องให้ลูกช่วย",
    "ข้อมูลไม่ชัดเจนว่าต้องแนบอะไรบ้าง",
    "OK but the website was confusing",
    "",
];
const COMPLAINTS: [&str; 7] = [
    "รอนานมาก กว่าจะได้คำตอบ",
    "เงินยังไม่เข้าบัญชีเลยครับ",
    "โทรถามหลายครั้งไม่มีใครรับสาย",
    "ไม่มีใครบอกว่าทำไมไม่อนุมัติ",
    "ยังไม่ได้รับเงิน ผ่านมาหลายเดือนแล้ว",
    "เจ้าหน้าที่ไม่สุภาพ",
    "Waiting too long, nobody called back",
];

const PROGRAMMES: [&str; 5] = [
    "ldd-soil-analysis",
    "livestock-vaccination",
    "smart-farmer",
    "gap-certification",
    "disaster-relief-crops",
];

/// Seeds ended, rated cases for about half the demo households (each with a farmer account of
/// its own, which cannot log in: only the demo farmer can). Every case is submitted, decided
/// and rated inside the dashboard's period on `clock`'s day (Thai calendar months), so the
/// dashboard counts every one of them on whichever day the demo starts.
pub fn seed(conn: &mut DbConn, unusable_hash: &str, clock: &Clock) -> anyhow::Result<usize> {
    let now = clock.now();
    let period = ReportingPeriod::twelve_months_to(clock.today());
    // The period began at least 334 days ago (on the 1st of a month, eleven months back).
    let window_secs = (now - period.starts_at() - Duration::days(3))
        .num_seconds()
        .max(1);
    let mut rng = StdRng::seed_from_u64(2569);
    let heads: Vec<(i32, String, String, String, String)> = households::table
        .inner_join(members::table)
        .filter(members::is_head.eq(true))
        // The sign-up candidates stay free to try "create an account" with.
        .filter(members::national_id.ne_all(super::DEMO_SIGN_UP_CANDIDATES))
        .filter(
            households::id.ne_all(
                users::table
                    .select(users::household_id.assume_not_null())
                    .filter(users::household_id.is_not_null()),
            ),
        )
        .select((
            households::id,
            households::province_code,
            households::amphoe_code,
            members::national_id,
            members::first_name,
        ))
        .order(households::id)
        .load(conn)?;
    let officers: Vec<(i32, Option<String>)> = users::table
        .filter(users::role.eq(crate::domain::Role::Officer))
        .select((users::id, users::scope_province_code))
        .load(conn)?;
    let mut rated = 0;
    for (household, province, amphoe, national_id, first_name) in heads {
        if !rng.gen_bool(0.5) {
            continue;
        }
        let applicant = crate::db::users::insert(
            conn,
            &crate::db::users::NewUser {
                role: crate::domain::Role::Farmer,
                email: None,
                national_id: Some(&national_id),
                display_name: &first_name,
                password_hash: unusable_hash,
                household_id: Some(household),
                scope_province_code: None,
                scope_amphoe_code: None,
                locale: "th",
                phone: None,
                created_at: now,
            },
        )?;
        let officer = officers
            .iter()
            .filter(|(_, p)| p.as_deref() == Some(province.as_str()))
            .map(|(id, _)| *id)
            .nth(rng.gen_range(0..2));
        let submitted = period.starts_at() + Duration::seconds(rng.gen_range(0..window_secs));
        // A case submitted in the last weeks may have ended early: it ends by now at the latest.
        let ended =
            (submitted + Duration::days(rng.gen_range(2..40))).min(now - Duration::hours(1));
        let days = (ended - submitted).num_days();
        let status = match rng.gen_range(0..10) {
            0 => "withdrawn",
            1 | 2 => "rejected",
            _ => "completed",
        };
        let programme = PROGRAMMES[rng.gen_range(0..PROGRAMMES.len())];
        let status = if status == "completed" && programme == "disaster-relief-crops" {
            "paid"
        } else {
            status
        };
        let reference = apps::next_reference(conn, thai_time(submitted).year() + 543)?;
        diesel::insert_into(applications::table)
            .values((
                applications::reference.eq(&reference),
                applications::household_id.eq(household),
                applications::applicant_id.eq(applicant),
                applications::programme_id.eq(programme),
                applications::status.eq(status),
                applications::version.eq(2),
                applications::answers.eq("{}"),
                applications::assigned_to.eq(officer),
                applications::appealed.eq(false),
                applications::decided_on.eq(Some(thai_time(ended).date())),
                applications::created_at.eq(submitted),
                applications::submitted_at.eq(Some(submitted)),
                applications::updated_at.eq(ended),
            ))
            .execute(conn)?;
        let id: i32 = applications::table
            .filter(applications::reference.eq(&reference))
            .select(applications::id)
            .first(conn)?;
        let farmer = Actor::user(Some(applicant), "farmer");
        let submitted_event = NewEvent {
            kind: "submitted",
            reason: None,
            message: "",
            internal: false,
        };
        apps::add_event(conn, id, &farmer, &submitted_event, submitted)?;
        let (decider, kind) = match status {
            "withdrawn" => (farmer.clone(), "withdrawn"),
            _ => (
                Actor::user(officer, "officer"),
                if status == "rejected" {
                    "rejected"
                } else {
                    "approved"
                },
            ),
        };
        let decision = NewEvent {
            kind,
            reason: (kind == "rejected").then_some("not_eligible"),
            message: "",
            internal: false,
        };
        apps::add_event(conn, id, &decider, &decision, ended)?;
        if !rng.gen_bool(0.7) {
            continue; // not every farmer rates
        }
        let missed = days > 21;
        // Slow or rejected cases are rated lower, as real ones are.
        let mood: i32 = rng.gen_range(0..10)
            - if missed { 4 } else { 0 }
            - if status == "rejected" { 4 } else { 0 };
        let (satisfaction, comments): (i32, &[&str]) = match mood {
            m if m >= 5 => (rng.gen_range(4..=5), &PRAISE),
            m if m >= 1 => (3, &MIXED),
            _ => (rng.gen_range(1..=2), &COMPLAINTS),
        };
        let effort = (satisfaction + rng.gen_range(-1..=1)).clamp(1, 5);
        let comment = comments[rng.gen_range(0..comments.len())];
        let rated_at = ended + Duration::hours(rng.gen_range(2..72));
        ratings::save(
            conn,
            &ratings::NewRating {
                application_id: id,
                user_id: applicant,
                programme_id: programme,
                province_code: &province,
                amphoe_code: &amphoe,
                officer_id: officer,
                satisfaction,
                effort,
                comment,
                processing_days: i32::try_from(days).unwrap_or(i32::MAX),
                missed_deadline: missed,
            },
            rated_at.min(now),
        )?;
        rated += 1;
    }
    Ok(rated)
}
