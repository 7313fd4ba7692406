//! The demo data set: Thailand's geography, 300+ households in six provinces, and the fixed demo
//! logins listed in the README. Deterministic, so every fresh demo looks the same.
//!
//! Over 500 lines because it is demo data: fixed households whose details the README and the
//! tests name.

mod names;
mod ratings;
pub mod synthetic;

use super::schema::{
    amphoes, households, livestock, members, memberships, plantings, plots, tambons,
};
use super::users::{self, NewUser};
use super::{geography, DbConn};
use crate::domain::{
    Clock, Crop, LandDocument, MembershipKind, NationalId, Password, RegistryNumber, Role, Season,
    Species, Tenure,
};
use anyhow::Context;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;

pub const DEMO_PASSWORD: &str = "kaset-demo-2026";
pub const DEMO_FARMER_NATIONAL_ID: &str = "3100100000014";
pub const DEMO_FARMER_EMAIL: &str = "farmer@demo.kaset";
pub const DEMO_FARMER_REGISTRY: &str = "320101000001";
/// The demo farmer's mobile, as the registry holds it.
pub const DEMO_FARMER_PHONE: &str = "0812345678";
pub const DEMO_OFFICER_EMAIL: &str = "officer.surin@demo.kaset";
pub const DEMO_OFFICER_BURIRAM_EMAIL: &str = "officer.buriram@demo.kaset";
/// A second Surin officer, who decides the appeals of the first one's rejections.
pub const DEMO_OFFICER_SURIN_2_EMAIL: &str = "officer2.surin@demo.kaset";
pub const DEMO_MANAGER_EMAIL: &str = "manager@demo.kaset";
pub const DEMO_ADMIN_EMAIL: &str = "admin@demo.kaset";
/// A registered household head without an account yet, to try "create an account" with.
pub const DEMO_UNREGISTERED_NATIONAL_ID: &str = "3320100123459";
pub const DEMO_UNREGISTERED_BIRTH_DATE: (i32, u32, u32) = (1982, 7, 9);
pub const DEMO_UNREGISTERED_REGISTRY: &str = "320101000002";
/// Her mobile, where the sign-up code goes.
pub const DEMO_UNREGISTERED_PHONE: &str = "0898765432";
/// Another head without an account, who has a mobile and no e-mail: signing up by phone only.
pub const DEMO_PHONE_ONLY_NATIONAL_ID: &str = "3320100123467";
pub const DEMO_PHONE_ONLY_BIRTH_DATE: (i32, u32, u32) = (1969, 11, 2);
pub const DEMO_PHONE_ONLY_REGISTRY: &str = "320101000003";
pub const DEMO_PHONE_ONLY_PHONE: &str = "0861234567";
/// The heads the demo keeps free of accounts, for trying "create an account".
pub const DEMO_SIGN_UP_CANDIDATES: [&str; 2] =
    [DEMO_UNREGISTERED_NATIONAL_ID, DEMO_PHONE_ONLY_NATIONAL_ID];

/// A sign-up candidate of the demo: household, head and their rice field (label, rai, land
/// document, day of June planted).
struct SignUpCandidate {
    registry: &'static str,
    village: i32,
    house_no: &'static str,
    national_id: &'static str,
    name: (&'static str, &'static str, &'static str),
    birth: (i32, u32, u32),
    phone: &'static str,
    field: (&'static str, i32, LandDocument, u32),
}

/// Provinces of the demo and the crops typical of each.
const DEMO_PROVINCES: [(&str, &[Crop]); 6] = [
    (
        "32",
        &[Crop::Rice, Crop::Rice, Crop::Cassava, Crop::Sugarcane],
    ), // Surin
    (
        "31",
        &[Crop::Rice, Crop::Rice, Crop::Cassava, Crop::Sugarcane],
    ), // Buri Ram
    (
        "40",
        &[Crop::Rice, Crop::Cassava, Crop::Sugarcane, Crop::Vegetables],
    ), // Khon Kaen
    (
        "50",
        &[Crop::Rice, Crop::Maize, Crop::Fruit, Crop::Vegetables],
    ), // Chiang Mai
    (
        "72",
        &[Crop::Rice, Crop::Rice, Crop::Sugarcane, Crop::Vegetables],
    ), // Suphan Buri
    ("80", &[Crop::Rubber, Crop::Rubber, Crop::Fruit, Crop::Rice]), // Nakhon Si Thammarat
];
const HOUSEHOLDS_PER_PROVINCE: u32 = 55;

pub struct SeedReport {
    pub households: i64,
}

/// Loads the geography if missing and seeds the demo when no household exists yet, with a
/// year of ended, rated cases when `with_history` (the tests' template leaves it out, so each
/// test starts from a registry without cases). Returns `None` when the database already held
/// data.
pub fn seed_demo_if_empty(
    conn: &mut DbConn,
    with_history: bool,
    clock: &Clock,
) -> anyhow::Result<Option<SeedReport>> {
    if !geography::is_loaded(conn)? {
        geography::load(conn).context("loading the geography of Thailand")?;
    }
    if super::registry::household_count(conn)? > 0 || users::count(conn)? > 0 {
        return Ok(None);
    }
    let report = seed_demo(conn, clock)?;
    if with_history {
        seed_history(conn, clock)?;
    }
    Ok(Some(report))
}

/// A year of ended cases and their ratings for the demo's households without an account, all
/// within the satisfaction dashboard's current period on `clock`'s day.
pub fn seed_history(conn: &mut DbConn, clock: &Clock) -> anyhow::Result<usize> {
    let secret: String = rand::distributions::DistString::sample_string(
        &rand::distributions::Alphanumeric,
        &mut rand::rngs::OsRng,
        32,
    );
    // One hash for every seeded account: none of them can log in.
    let unusable = Password::unusable(&secret).hash();
    conn.transaction(|conn| ratings::seed(conn, &unusable, clock))
}

pub fn seed_demo(conn: &mut DbConn, clock: &Clock) -> anyhow::Result<SeedReport> {
    // Hash before the transaction: argon2 is slow and must not hold SQLite's write lock.
    let password = Password::choose(DEMO_PASSWORD, &[]).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let hashes: Vec<String> = (0..6).map(|_| password.hash()).collect();
    conn.transaction(|conn| {
        let mut seeder = Seeder::new(clock);
        let farmer_household = seeder.fixed_households(conn)?;
        for (province, crops) in DEMO_PROVINCES {
            seeder.random_households(conn, province, crops)?;
        }
        create_demo_accounts(conn, farmer_household, &hashes, clock.now())?;
        Ok(SeedReport {
            households: super::registry::household_count(conn)?,
        })
    })
}

fn create_demo_accounts(
    conn: &mut DbConn,
    farmer_household: i32,
    hashes: &[String],
    now: NaiveDateTime,
) -> anyhow::Result<()> {
    let accounts = [
        (
            Role::Farmer,
            DEMO_FARMER_EMAIL,
            Some(DEMO_FARMER_NATIONAL_ID),
            "นายสมชาย ใจดี",
            Some(farmer_household),
            None,
        ),
        (
            Role::Officer,
            DEMO_OFFICER_EMAIL,
            None,
            "นางสาวศิริพร ทองดี",
            None,
            Some("32"),
        ),
        (
            Role::Officer,
            DEMO_OFFICER_SURIN_2_EMAIL,
            None,
            "นายประเสริฐ ศรีสุข",
            None,
            Some("32"),
        ),
        (
            Role::Officer,
            DEMO_OFFICER_BURIRAM_EMAIL,
            None,
            "นายวีระ แสงทอง",
            None,
            Some("31"),
        ),
        (
            Role::Manager,
            DEMO_MANAGER_EMAIL,
            None,
            "นางพรทิพย์ วงศ์สวัสดิ์",
            None,
            None,
        ),
        (
            Role::Admin,
            DEMO_ADMIN_EMAIL,
            None,
            "นายธนากร ผู้ดูแล",
            None,
            None,
        ),
    ];
    for ((role, email, national_id, name, household_id, province), hash) in
        accounts.into_iter().zip(hashes)
    {
        users::insert(
            conn,
            &NewUser {
                role,
                email: Some(email),
                national_id,
                display_name: name,
                password_hash: hash,
                household_id,
                scope_province_code: province,
                scope_amphoe_code: None,
                locale: "th",
                phone: national_id.map(|_| DEMO_FARMER_PHONE),
                created_at: now,
            },
        )?;
    }
    Ok(())
}

struct Seeder {
    rng: StdRng,
    used_ids: HashSet<String>,
    now: NaiveDateTime,
    /// The crop year current when the demo is seeded (Buddhist era), so the demo's crops count.
    crop_year: i32,
    /// The Gregorian year that crop year's main season was planted in.
    season_start: i32,
}

impl Seeder {
    fn new(clock: &Clock) -> Self {
        let used_ids = [
            DEMO_FARMER_NATIONAL_ID,
            DEMO_UNREGISTERED_NATIONAL_ID,
            DEMO_PHONE_ONLY_NATIONAL_ID,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let now = clock.now();
        let crop_year =
            i32::try_from(crate::rules::facts::crop_year(clock.today())).unwrap_or(2568);
        Self {
            rng: StdRng::seed_from_u64(2026),
            used_ids,
            now,
            crop_year,
            season_start: crop_year - 543,
        }
    }

    /// The day a demo crop planted on `planted_on` was reported: a few weeks later, and never
    /// after today.
    fn reported_after(&self, planted_on: NaiveDate) -> NaiveDate {
        let today = crate::domain::clock::thai_time(self.now).date();
        (planted_on + chrono::Duration::days(20)).min(today)
    }

    /// The demo farmer's household and a neighbour who has not created an account yet.
    fn fixed_households(&mut self, conn: &mut DbConn) -> anyhow::Result<i32> {
        let farmer = self.household(conn, DEMO_FARMER_REGISTRY, "320101", 3, "45")?;
        self.member(
            conn,
            farmer,
            DEMO_FARMER_NATIONAL_ID,
            ("นาย", "สมชาย", "ใจดี"),
            date(1975, 3, 15),
            "head",
            Some(DEMO_FARMER_PHONE),
        )?;
        let spouse_id = self.new_national_id();
        self.member(
            conn,
            farmer,
            &spouse_id,
            ("นาง", "บุญมี", "ใจดี"),
            date(1978, 8, 2),
            "spouse",
            None,
        )?;
        let child_id = self.new_national_id();
        self.member(
            conn,
            farmer,
            &child_id,
            ("นางสาว", "ปวีณา", "ใจดี"),
            date(2004, 1, 20),
            "child",
            None,
        )?;
        let rice_field = self.plot(
            conn,
            farmer,
            "นาข้าวหลังบ้าน",
            "320101",
            12 * 400 + 200,
            Some(LandDocument::Chanote),
            Tenure::Owned,
            true,
        )?;
        self.planting(
            conn,
            rice_field,
            Crop::Rice,
            Season::Main,
            12 * 400 + 200,
            Some(date(self.season_start, 6, 10)),
        )?;
        let upland = self.plot(
            conn,
            farmer,
            "ไร่มันสำปะหลัง",
            "320101",
            8 * 400,
            Some(LandDocument::NorSor3Kor),
            Tenure::Owned,
            false,
        )?;
        self.planting(
            conn,
            upland,
            Crop::Cassava,
            Season::Main,
            8 * 400,
            Some(date(self.season_start, 5, 1)),
        )?;
        let rented = self.plot(
            conn,
            farmer,
            "นาเช่า",
            "320102",
            5 * 400 + 2 * 100 + 50,
            None,
            Tenure::Rented,
            false,
        )?;
        self.planting(
            conn,
            rented,
            Crop::Rice,
            Season::Main,
            5 * 400 + 250,
            Some(date(self.season_start, 6, 20)),
        )?;
        self.livestock(conn, farmer, Species::Cattle, 4)?;
        self.livestock(conn, farmer, Species::Chicken, 20)?;
        self.membership(
            conn,
            farmer,
            MembershipKind::Baac,
            "ธ.ก.ส. สาขาสุรินทร์",
            Some("BAAC-32-004512"),
        )?;
        self.membership(
            conn,
            farmer,
            MembershipKind::Cooperative,
            "สหกรณ์การเกษตรเมืองสุรินทร์ จำกัด",
            Some("1187"),
        )?;

        self.sign_up_candidate(
            conn,
            SignUpCandidate {
                registry: DEMO_UNREGISTERED_REGISTRY,
                village: 3,
                house_no: "47",
                national_id: DEMO_UNREGISTERED_NATIONAL_ID,
                name: ("นาง", "มาลี", "ศรีสุข"),
                birth: DEMO_UNREGISTERED_BIRTH_DATE,
                phone: DEMO_UNREGISTERED_PHONE,
                field: ("นาแปลงใหญ่", 20, LandDocument::Chanote, 15),
            },
        )?;
        self.sign_up_candidate(
            conn,
            SignUpCandidate {
                registry: DEMO_PHONE_ONLY_REGISTRY,
                village: 5,
                house_no: "12",
                national_id: DEMO_PHONE_ONLY_NATIONAL_ID,
                name: ("นาย", "บุญมา", "ทองคำ"),
                birth: DEMO_PHONE_ONLY_BIRTH_DATE,
                phone: DEMO_PHONE_ONLY_PHONE,
                field: ("นาหลังวัด", 9, LandDocument::NorSor3Kor, 20),
            },
        )?;
        Ok(farmer)
    }

    /// A household head of Mueang Surin (320101) without an account, with one owned rice
    /// field, to try "create an account" with.
    fn sign_up_candidate(&mut self, conn: &mut DbConn, who: SignUpCandidate) -> anyhow::Result<()> {
        let household = self.household(conn, who.registry, "320101", who.village, who.house_no)?;
        let (y, m, d) = who.birth;
        self.member(
            conn,
            household,
            who.national_id,
            who.name,
            date(y, m, d),
            "head",
            Some(who.phone),
        )?;
        let (label, rai, document, planted_day) = who.field;
        let plot = self.plot(
            conn,
            household,
            label,
            "320101",
            rai * 400,
            Some(document),
            Tenure::Owned,
            false,
        )?;
        self.planting(
            conn,
            plot,
            Crop::Rice,
            Season::Main,
            rai * 400,
            Some(date(self.season_start, 6, planted_day)),
        )?;
        Ok(())
    }

    fn random_households(
        &mut self,
        conn: &mut DbConn,
        province: &str,
        crops: &[Crop],
    ) -> anyhow::Result<()> {
        // A few amphoe of the province, as one agricultural office would cover.
        let tambon_codes: Vec<String> = tambons::table
            .inner_join(amphoes::table)
            .filter(amphoes::province_code.eq(province))
            .select(tambons::code)
            .order(tambons::code)
            .limit(40)
            .load(conn)?;
        anyhow::ensure!(
            !tambon_codes.is_empty(),
            "no tambon for province {province}"
        );
        for n in 0..HOUSEHOLDS_PER_PROVINCE {
            let tambon = tambon_codes[self.rng.gen_range(0..tambon_codes.len())].clone();
            let registry =
                RegistryNumber::new(&tambon, 100 + n).map_err(|e| anyhow::anyhow!("{e}"))?;
            let village = self.rng.gen_range(1..=15);
            let house_no = format!("{}", self.rng.gen_range(1..=250));
            let household = self.household(conn, registry.as_str(), &tambon, village, &house_no)?;
            self.family(conn, household)?;
            self.land(conn, household, &tambon, crops)?;
            self.animals(conn, household)?;
            self.memberships(conn, household)?;
        }
        Ok(())
    }

    fn family(&mut self, conn: &mut DbConn, household: i32) -> anyhow::Result<()> {
        let surname = self.pick(names::SURNAMES);
        let head_is_man = self.rng.gen_bool(0.7);
        let head_birth = date(
            self.rng.gen_range(1950..=1995),
            self.rng.gen_range(1..=12),
            self.rng.gen_range(1..=28),
        );
        let head = self.person(head_is_man, surname);
        let head_id = self.new_national_id();
        let phone = self
            .rng
            .gen_bool(0.6)
            .then(|| format!("08{:08}", self.rng.gen_range(0..100_000_000u32)));
        self.member(
            conn,
            household,
            &head_id,
            head,
            head_birth,
            "head",
            phone.as_deref(),
        )?;
        if self.rng.gen_bool(0.75) {
            let spouse = self.person(!head_is_man, surname);
            let spouse_id = self.new_national_id();
            let birth = head_birth + chrono::Duration::days(self.rng.gen_range(-2000..2000));
            self.member(conn, household, &spouse_id, spouse, birth, "spouse", None)?;
        }
        for _ in 0..self.rng.gen_range(0..=3) {
            let boy = self.rng.gen_bool(0.5);
            let child = self.person(boy, surname);
            let child_id = self.new_national_id();
            let birth = head_birth + chrono::Duration::days(self.rng.gen_range(7000..12000));
            self.member(conn, household, &child_id, child, birth, "child", None)?;
        }
        Ok(())
    }

    fn land(
        &mut self,
        conn: &mut DbConn,
        household: i32,
        tambon: &str,
        crops: &[Crop],
    ) -> anyhow::Result<()> {
        const DOCUMENTS: [Option<LandDocument>; 10] = [
            Some(LandDocument::Chanote),
            Some(LandDocument::Chanote),
            Some(LandDocument::Chanote),
            Some(LandDocument::NorSor3Kor),
            Some(LandDocument::NorSor3Kor),
            Some(LandDocument::SorPorKor401),
            Some(LandDocument::SorPorKor401),
            Some(LandDocument::SorKor1),
            Some(LandDocument::PorBorTor5),
            None, // not yet recorded: the registry must say "we need more information"
        ];
        for index in 0..self.rng.gen_range(1..=4) {
            let area = self.rng.gen_range(2 * 400..=40 * 400);
            let document = DOCUMENTS[self.rng.gen_range(0..DOCUMENTS.len())];
            let tenure = match document {
                Some(LandDocument::SorPorKor401) => Tenure::Alro,
                _ if self.rng.gen_bool(0.15) => Tenure::Rented,
                _ => Tenure::Owned,
            };
            let irrigated = self.rng.gen_bool(0.35);
            let label = format!("แปลงที่ {}", index + 1);
            let plot = self.plot(
                conn, household, &label, tambon, area, document, tenure, irrigated,
            )?;
            let crop = crops[self.rng.gen_range(0..crops.len())];
            let season = match crop {
                Crop::Rubber | Crop::Fruit => Season::Perennial,
                _ => Season::Main,
            };
            let planted = self.rng.gen_range(area / 2..=area);
            let planted_on = date(
                self.season_start,
                self.rng.gen_range(4..=8),
                self.rng.gen_range(1..=28),
            );
            self.planting(conn, plot, crop, season, planted, Some(planted_on))?;
            if irrigated && crop == Crop::Rice && self.rng.gen_bool(0.5) {
                let off_season = date(self.season_start + 1, 1, self.rng.gen_range(5..=28));
                self.planting(
                    conn,
                    plot,
                    Crop::Rice,
                    Season::Off,
                    planted,
                    Some(off_season),
                )?;
            }
        }
        Ok(())
    }

    fn animals(&mut self, conn: &mut DbConn, household: i32) -> anyhow::Result<()> {
        let herds = [
            (Species::Cattle, 0.35, 1..=12),
            (Species::Buffalo, 0.12, 1..=6),
            (Species::Pig, 0.12, 1..=20),
            (Species::Chicken, 0.5, 5..=60),
            (Species::Duck, 0.15, 5..=40),
            (Species::Goat, 0.06, 2..=15),
        ];
        for (species, chance, range) in herds {
            if self.rng.gen_bool(chance) {
                let count = self.rng.gen_range(range);
                self.livestock(conn, household, species, count)?;
            }
        }
        Ok(())
    }

    fn memberships(&mut self, conn: &mut DbConn, household: i32) -> anyhow::Result<()> {
        if self.rng.gen_bool(0.6) {
            let number = format!("BAAC-{:06}", self.rng.gen_range(0..1_000_000));
            self.membership(
                conn,
                household,
                MembershipKind::Baac,
                "ธ.ก.ส.",
                Some(&number),
            )?;
        }
        if self.rng.gen_bool(0.3) {
            let number = format!("{}", self.rng.gen_range(1..5000));
            self.membership(
                conn,
                household,
                MembershipKind::Cooperative,
                "สหกรณ์การเกษตร",
                Some(&number),
            )?;
        }
        if self.rng.gen_bool(0.15) {
            self.membership(
                conn,
                household,
                MembershipKind::FarmerGroup,
                "กลุ่มเกษตรกรทำนา",
                None,
            )?;
        }
        Ok(())
    }

    fn person(
        &mut self,
        male: bool,
        surname: &'static str,
    ) -> (&'static str, &'static str, &'static str) {
        if male {
            ("นาย", self.pick(names::MALE_GIVEN_NAMES), surname)
        } else {
            let title = if self.rng.gen_bool(0.7) {
                "นาง"
            } else {
                "นางสาว"
            };
            (title, self.pick(names::FEMALE_GIVEN_NAMES), surname)
        }
    }

    fn pick(&mut self, list: &'static [&'static str]) -> &'static str {
        list[self.rng.gen_range(0..list.len())]
    }

    /// A random national ID with a correct check digit, unique within the demo.
    fn new_national_id(&mut self) -> String {
        loop {
            let mut digits = format!("{}", self.rng.gen_range(1..=5));
            for _ in 0..11 {
                digits.push(char::from(b'0' + self.rng.gen_range(0..10u8)));
            }
            let candidate = (0..10)
                .map(|check| format!("{digits}{check}"))
                .find(|id| NationalId::parse(id).is_ok());
            if let Some(id) = candidate {
                if self.used_ids.insert(id.clone()) {
                    return id;
                }
            }
        }
    }

    fn household(
        &mut self,
        conn: &mut DbConn,
        registry: &str,
        tambon: &str,
        village: i32,
        house_no: &str,
    ) -> QueryResult<i32> {
        let registered_on = date(
            self.rng.gen_range(2010..=2024),
            self.rng.gen_range(1..=12),
            self.rng.gen_range(1..=28),
        );
        diesel::insert_into(households::table)
            .values((
                households::registry_number.eq(registry),
                households::tambon_code.eq(tambon),
                households::amphoe_code.eq(&tambon[..4]),
                households::province_code.eq(&tambon[..2]),
                households::village_no.eq(village),
                households::house_no.eq(house_no),
                households::registered_on.eq(registered_on),
                households::created_at.eq(self.now),
                households::updated_at.eq(self.now),
            ))
            .returning(households::id)
            .get_result(conn)
    }

    #[allow(clippy::too_many_arguments)]
    fn member(
        &mut self,
        conn: &mut DbConn,
        household: i32,
        national_id: &str,
        name: (&str, &str, &str),
        birth: NaiveDate,
        relation: &str,
        phone: Option<&str>,
    ) -> QueryResult<()> {
        diesel::insert_into(members::table)
            .values((
                members::household_id.eq(household),
                members::national_id.eq(national_id),
                members::title.eq(name.0),
                members::first_name.eq(name.1),
                members::last_name.eq(name.2),
                members::birth_date.eq(birth),
                members::relation.eq(relation),
                members::is_head.eq(relation == "head"),
                members::phone.eq(phone),
            ))
            .execute(conn)
            .map(|_| ())
    }

    #[allow(clippy::too_many_arguments)]
    fn plot(
        &mut self,
        conn: &mut DbConn,
        household: i32,
        label: &str,
        tambon: &str,
        area_sq_wa: i32,
        document: Option<LandDocument>,
        tenure: Tenure,
        irrigated: bool,
    ) -> QueryResult<i32> {
        diesel::insert_into(plots::table)
            .values((
                plots::household_id.eq(household),
                plots::label.eq(label),
                plots::tambon_code.eq(tambon),
                plots::area_sq_wa.eq(area_sq_wa),
                plots::land_document.eq(document.map(LandDocument::code)),
                plots::tenure.eq(tenure.code()),
                plots::irrigated.eq(irrigated),
                plots::updated_at.eq(self.now),
            ))
            .returning(plots::id)
            .get_result(conn)
    }

    fn planting(
        &mut self,
        conn: &mut DbConn,
        plot: i32,
        crop: Crop,
        season: Season,
        area_sq_wa: i32,
        planted_on: Option<NaiveDate>,
    ) -> QueryResult<()> {
        diesel::insert_into(plantings::table)
            .values((
                plantings::plot_id.eq(plot),
                plantings::crop.eq(crop.code()),
                plantings::season_year.eq(self.crop_year),
                plantings::season.eq(season.code()),
                plantings::area_sq_wa.eq(area_sq_wa),
                plantings::planted_on.eq(planted_on),
                plantings::registered_on.eq(planted_on.map(|day| self.reported_after(day))),
                plantings::updated_at.eq(self.now),
            ))
            .execute(conn)
            .map(|_| ())
    }

    fn livestock(
        &mut self,
        conn: &mut DbConn,
        household: i32,
        species: Species,
        count: i32,
    ) -> QueryResult<()> {
        diesel::insert_into(livestock::table)
            .values((
                livestock::household_id.eq(household),
                livestock::species.eq(species.code()),
                livestock::head_count.eq(count),
                livestock::updated_at.eq(self.now),
            ))
            .execute(conn)
            .map(|_| ())
    }

    fn membership(
        &mut self,
        conn: &mut DbConn,
        household: i32,
        kind: MembershipKind,
        organisation: &str,
        number: Option<&str>,
    ) -> QueryResult<()> {
        let since = date(
            self.rng.gen_range(2005..=2024),
            self.rng.gen_range(1..=12),
            1,
        );
        diesel::insert_into(memberships::table)
            .values((
                memberships::household_id.eq(household),
                memberships::kind.eq(kind.code()),
                memberships::organisation.eq(organisation),
                memberships::member_number.eq(number),
                memberships::since.eq(Some(since)),
            ))
            .execute(conn)
            .map(|_| ())
    }
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    // Every call passes a real calendar date (days at most 28 when random).
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}
