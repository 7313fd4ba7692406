//! Facts from a household's registry record, in the catalogue's slots. Pure: the caller reads
//! the registry and passes the record in.

use super::catalogue::{Fact, CATALOGUE};
use super::types::{Code, Value};
use crate::domain::{Crop, LandDocument, MembershipKind, Season, Species, Tenure};
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;

/// What the registry holds about one household, in plain terms.
#[derive(Debug, Clone, Default)]
pub struct HouseholdRecord {
    pub province: String,
    pub amphoe: String,
    pub tambon: String,
    pub registered_on: Option<NaiveDate>,
    pub head_birth_date: Option<NaiveDate>,
    pub members: i64,
    pub plots: Vec<PlotRecord>,
    pub livestock: Vec<(Species, i64)>,
    pub memberships: Vec<MembershipKind>,
    /// The disaster declared for the household's tambon and in force, if any.
    pub disaster: Option<DisasterRecord>,
}

#[derive(Debug, Clone)]
pub struct PlotRecord {
    pub id: i32,
    pub area_sq_wa: i64,
    pub land_document: Option<LandDocument>,
    pub tenure: Tenure,
    pub irrigated: bool,
    /// The plot lies in a tambon with a disaster declared and in force: only such plots count
    /// for disaster relief, wherever the household lives.
    pub in_disaster_zone: bool,
    pub plantings: Vec<PlantingRecord>,
}

#[derive(Debug, Clone)]
pub struct PlantingRecord {
    pub id: i32,
    pub crop: Crop,
    pub season: Season,
    pub season_year: i32,
    pub area_sq_wa: i64,
    /// The day the crop was reported to the registry, where it was recorded.
    pub registered_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct DisasterRecord {
    pub id: i32,
    pub hazard: String,
    pub started_on: NaiveDate,
    /// The last day damage reports are accepted, when the declaration sets one.
    pub claims_close_on: Option<NaiveDate>,
}

/// Damage the farmer (or an officer after a visit) reported on a relief claim: damaged square
/// wa by planting id.
pub type ReportedDamage = BTreeMap<i32, i64>;

/// The relief categories of the disaster regulation, each with its own rate per rai.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReliefCategory {
    Rice,
    FieldCrop,
    Perennial,
}

impl ReliefCategory {
    pub fn of(crop: Crop) -> Self {
        match crop {
            Crop::Rice => ReliefCategory::Rice,
            Crop::Rubber | Crop::Fruit => ReliefCategory::Perennial,
            Crop::Cassava | Crop::Sugarcane | Crop::Maize | Crop::Vegetables => {
                ReliefCategory::FieldCrop
            }
        }
    }

    fn fact(self) -> Fact {
        match self {
            ReliefCategory::Rice => Fact::damaged_rice_area,
            ReliefCategory::FieldCrop => Fact::damaged_field_crop_area,
            ReliefCategory::Perennial => Fact::damaged_perennial_area,
        }
    }
}

/// Whether a planting counts in crop year `year`: perennials stand from year to year, seasonal
/// crops count in their crop year.
fn standing(planting: &PlantingRecord, year: i64) -> bool {
    planting.season == Season::Perennial || i64::from(planting.season_year) == year
}

/// The plantings a relief claim lists: standing this crop year on plots in the disaster zone.
pub fn claimable(
    record: &HouseholdRecord,
    as_of: NaiveDate,
) -> Vec<(&PlotRecord, &PlantingRecord)> {
    let year = crop_year(as_of);
    record
        .plots
        .iter()
        .filter(|plot| plot.in_disaster_zone)
        .flat_map(|plot| plot.plantings.iter().map(move |planting| (plot, planting)))
        .filter(|(_, planting)| standing(planting, year))
        .collect()
}

/// Puts a claim's reported damage in place of the registry's upper bound: the damaged areas
/// become what was reported, on claimable plantings only (a planting outside the zone, or not
/// the household's, counts nothing), each at most the planting's area.
pub fn apply_reported_damage(
    facts: &mut [Value],
    record: &HouseholdRecord,
    damage: &ReportedDamage,
    as_of: NaiveDate,
) {
    let mut totals = [0i64; 3];
    for (_, planting) in claimable(record, as_of) {
        if let Some(damaged) = damage.get(&planting.id) {
            let category = ReliefCategory::of(planting.crop);
            totals[category as usize] += (*damaged).clamp(0, planting.area_sq_wa);
        }
    }
    for category in [
        ReliefCategory::Rice,
        ReliefCategory::FieldCrop,
        ReliefCategory::Perennial,
    ] {
        facts[category.fact() as usize] = Value::Area(totals[category as usize]);
    }
}

/// The Thai crop year in the Buddhist era, starting on 1 May: 2025-05-01 starts 2568/69.
pub fn crop_year(date: NaiveDate) -> i64 {
    let be = i64::from(date.year()) + 543;
    if date.month() >= 5 {
        be
    } else {
        be - 1
    }
}

/// An empty row: every fact unknown but the date.
pub fn blank(as_of: NaiveDate) -> Vec<Value> {
    let mut facts = vec![Value::Unknown; CATALOGUE.len()];
    facts[Fact::today as usize] = Value::date(as_of);
    facts[Fact::crop_year as usize] = Value::Number(crop_year(as_of));
    facts
}

fn code(text: &str) -> Value {
    Code::new(text).map_or(Value::Unknown, Value::Text)
}

pub fn derive(record: &HouseholdRecord, as_of: NaiveDate) -> Vec<Value> {
    let mut f = blank(as_of);
    let mut set = |fact: Fact, value: Value| f[fact as usize] = value;
    let year = crop_year(as_of);
    set(Fact::province, code(&record.province));
    set(Fact::amphoe, code(&record.amphoe));
    set(Fact::tambon, code(&record.tambon));
    set(
        Fact::registered_on,
        record.registered_on.map_or(Value::Unknown, Value::date),
    );
    set(
        Fact::head_age,
        record.head_birth_date.map_or(Value::Unknown, |birth| {
            let had_birthday = (as_of.month(), as_of.day()) >= (birth.month(), birth.day());
            Value::Number(i64::from(as_of.year() - birth.year()) - i64::from(!had_birthday))
        }),
    );
    set(Fact::household_members, Value::Number(record.members));

    let sum = |keep: &dyn Fn(&PlotRecord) -> bool| {
        Value::Area(
            record
                .plots
                .iter()
                .filter(|p| keep(p))
                .map(|p| p.area_sq_wa)
                .sum(),
        )
    };
    set(Fact::total_area, sum(&|_| true));
    let all_documented = record.plots.iter().all(|p| p.land_document.is_some());
    set(Fact::land_documents_recorded, Value::Bool(all_documented));
    set(
        Fact::titled_area,
        if all_documented {
            sum(&|p| {
                matches!(
                    p.land_document,
                    Some(LandDocument::Chanote | LandDocument::NorSor3Kor | LandDocument::NorSor3)
                )
            })
        } else {
            Value::Unknown
        },
    );
    set(
        Fact::alro_area,
        sum(&|p| p.tenure == Tenure::Alro || p.land_document == Some(LandDocument::SorPorKor401)),
    );
    set(Fact::owned_area, sum(&|p| p.tenure == Tenure::Owned));
    set(Fact::rented_area, sum(&|p| p.tenure == Tenure::Rented));
    set(Fact::irrigated_area, sum(&|p| p.irrigated));
    set(Fact::rainfed_area, sum(&|p| !p.irrigated));

    let planted = |crops: &[Crop], season: Option<Season>| -> Value {
        let total = record
            .plots
            .iter()
            .flat_map(|p| &p.plantings)
            .filter(|pl| crops.contains(&pl.crop))
            .filter(|pl| season.is_none_or(|s| pl.season == s))
            .filter(|pl| standing(pl, year))
            .map(|pl| pl.area_sq_wa)
            .sum();
        Value::Area(total)
    };
    set(
        Fact::rice_area_main,
        planted(&[Crop::Rice], Some(Season::Main)),
    );
    set(
        Fact::rice_area_off,
        planted(&[Crop::Rice], Some(Season::Off)),
    );
    // Rice support pays for the rice reported by its round's closing day; a crop recorded
    // before the registry kept report dates falls back on the household's own date, so older
    // records are judged as they were before.
    let rice_reported = record
        .plots
        .iter()
        .flat_map(|p| &p.plantings)
        .filter(|pl| pl.crop == Crop::Rice && pl.season == Season::Main && standing(pl, year))
        .filter_map(|pl| pl.registered_on)
        .min()
        .or(record.registered_on);
    set(
        Fact::rice_registered_on,
        rice_reported.map_or(Value::Unknown, Value::date),
    );
    set(Fact::cassava_area, planted(&[Crop::Cassava], None));
    set(Fact::sugarcane_area, planted(&[Crop::Sugarcane], None));
    set(Fact::maize_area, planted(&[Crop::Maize], None));
    set(Fact::vegetable_area, planted(&[Crop::Vegetables], None));
    set(
        Fact::field_crop_area,
        planted(
            &[
                Crop::Cassava,
                Crop::Sugarcane,
                Crop::Maize,
                Crop::Vegetables,
            ],
            None,
        ),
    );
    set(Fact::rubber_area, planted(&[Crop::Rubber], None));
    set(Fact::fruit_area, planted(&[Crop::Fruit], None));
    set(
        Fact::perennial_area,
        planted(&[Crop::Rubber, Crop::Fruit], None),
    );

    let head = |species: Species| {
        Value::Number(
            record
                .livestock
                .iter()
                .filter(|(s, _)| *s == species)
                .map(|(_, n)| *n)
                .sum(),
        )
    };
    set(Fact::cattle_head, head(Species::Cattle));
    set(Fact::buffalo_head, head(Species::Buffalo));
    set(Fact::pig_head, head(Species::Pig));
    set(Fact::chicken_head, head(Species::Chicken));
    set(Fact::duck_head, head(Species::Duck));
    set(Fact::goat_head, head(Species::Goat));

    let member = |kinds: &[MembershipKind]| {
        Value::Bool(record.memberships.iter().any(|m| kinds.contains(m)))
    };
    set(Fact::baac_customer, member(&[MembershipKind::Baac]));
    set(
        Fact::cooperative_member,
        member(&[MembershipKind::Cooperative]),
    );
    set(
        Fact::farmer_group_member,
        member(&[
            MembershipKind::FarmerGroup,
            MembershipKind::CommunityEnterprise,
        ]),
    );
    // baac_debt, smart_farmer and gap_certified are not in the registry: they stay unknown.

    // Until a claim reports the damage, everything standing in the zone may be lost: the
    // upper bound of the relief. Rice counts its larger season, as the regulation pays once.
    let in_zone = |category: ReliefCategory, season: Option<Season>| -> i64 {
        claimable(record, as_of)
            .into_iter()
            .filter(|(_, pl)| ReliefCategory::of(pl.crop) == category)
            .filter(|(_, pl)| season.is_none_or(|s| pl.season == s))
            .map(|(_, pl)| pl.area_sq_wa)
            .sum()
    };
    set(
        Fact::damaged_rice_area,
        Value::Area(
            in_zone(ReliefCategory::Rice, Some(Season::Main))
                .max(in_zone(ReliefCategory::Rice, Some(Season::Off))),
        ),
    );
    set(
        Fact::damaged_field_crop_area,
        Value::Area(in_zone(ReliefCategory::FieldCrop, None)),
    );
    set(
        Fact::damaged_perennial_area,
        Value::Area(in_zone(ReliefCategory::Perennial, None)),
    );

    match &record.disaster {
        Some(d) => {
            set(Fact::in_disaster_zone, Value::Bool(true));
            set(Fact::disaster_hazard, code(&d.hazard));
            set(Fact::disaster_started_on, Value::date(d.started_on));
        }
        None => set(Fact::in_disaster_zone, Value::Bool(false)),
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_crop_year_turns_on_the_first_of_may() {
        assert_eq!(crop_year(date(2025, 4, 30)), 2567);
        assert_eq!(crop_year(date(2025, 5, 1)), 2568);
    }

    #[test]
    fn titled_area_is_unknown_while_a_plot_has_no_document_recorded() {
        let plot = |document| PlotRecord {
            id: 1,
            area_sq_wa: 4000,
            land_document: document,
            tenure: Tenure::Owned,
            irrigated: false,
            in_disaster_zone: false,
            plantings: vec![],
        };
        let mut record = HouseholdRecord {
            plots: vec![plot(Some(LandDocument::Chanote)), plot(None)],
            ..Default::default()
        };
        let facts = derive(&record, date(2026, 1, 1));
        assert_eq!(facts[Fact::titled_area as usize], Value::Unknown);
        assert_eq!(facts[Fact::total_area as usize], Value::Area(8000));
        record.plots[1].land_document = Some(LandDocument::PorBorTor5);
        let facts = derive(&record, date(2026, 1, 1));
        assert_eq!(facts[Fact::titled_area as usize], Value::Area(4000));
    }

    #[test]
    fn rice_counts_in_its_crop_year_and_rubber_every_year() {
        let plantings = vec![
            PlantingRecord {
                id: 0,
                crop: Crop::Rice,
                season: Season::Main,
                season_year: 2568,
                area_sq_wa: 5000,
                registered_on: None,
            },
            PlantingRecord {
                id: 0,
                crop: Crop::Rice,
                season: Season::Main,
                season_year: 2567,
                area_sq_wa: 999,
                registered_on: None,
            },
            PlantingRecord {
                id: 0,
                crop: Crop::Rubber,
                season: Season::Perennial,
                season_year: 2560,
                area_sq_wa: 2000,
                registered_on: None,
            },
        ];
        let record = HouseholdRecord {
            plots: vec![PlotRecord {
                id: 1,
                area_sq_wa: 8000,
                land_document: None,
                tenure: Tenure::Owned,
                irrigated: true,
                in_disaster_zone: false,
                plantings,
            }],
            ..Default::default()
        };
        let facts = derive(&record, date(2025, 12, 1));
        assert_eq!(facts[Fact::rice_area_main as usize], Value::Area(5000));
        assert_eq!(facts[Fact::perennial_area as usize], Value::Area(2000));
        assert_eq!(facts[Fact::baac_debt as usize], Value::Unknown);
    }

    #[test]
    fn rice_was_reported_on_its_first_crop_report_or_else_when_the_household_joined() {
        let joined = date(2015, 6, 1);
        let mut late = rice(1, 5);
        late.registered_on = Some(date(2026, 11, 20));
        let mut early = rice(2, 3);
        early.registered_on = Some(date(2026, 7, 2));
        let mut last_year = rice(3, 3);
        last_year.season_year = 2568;
        last_year.registered_on = Some(date(2025, 6, 1));
        let mut record = HouseholdRecord {
            registered_on: Some(joined),
            plots: vec![plot(1, false, vec![late, early, last_year])],
            ..Default::default()
        };
        let reported = |record: &HouseholdRecord| {
            derive(record, date(2026, 12, 4))[Fact::rice_registered_on as usize]
        };
        assert_eq!(reported(&record), Value::date(date(2026, 7, 2)));
        for planting in &mut record.plots[0].plantings {
            planting.registered_on = None;
        }
        assert_eq!(reported(&record), Value::date(joined));
    }

    fn rice(id: i32, rai: i64) -> PlantingRecord {
        PlantingRecord {
            id,
            crop: Crop::Rice,
            season: Season::Main,
            season_year: 2569,
            area_sq_wa: rai * 400,
            registered_on: None,
        }
    }

    fn plot(id: i32, in_zone: bool, plantings: Vec<PlantingRecord>) -> PlotRecord {
        PlotRecord {
            id,
            area_sq_wa: 20 * 400,
            land_document: None,
            tenure: Tenure::Rented,
            irrigated: false,
            in_disaster_zone: in_zone,
            plantings,
        }
    }

    #[test]
    fn only_crops_on_plots_in_the_zone_count_for_relief_and_reported_damage_replaces_them() {
        let record = HouseholdRecord {
            plots: vec![
                plot(1, true, vec![rice(11, 12)]),
                plot(2, false, vec![rice(21, 15)]),
            ],
            ..Default::default()
        };
        let today = date(2026, 12, 3);
        let mut facts = derive(&record, today);
        assert_eq!(
            facts[Fact::damaged_rice_area as usize],
            Value::Area(12 * 400)
        );
        assert_eq!(facts[Fact::rice_area_main as usize], Value::Area(27 * 400));

        // 10 rai damaged inside the zone; the plot outside cannot be claimed, and a planting
        // cannot lose more than was planted.
        let damage: ReportedDamage = [(11, 10 * 400), (21, 15 * 400)].into();
        apply_reported_damage(&mut facts, &record, &damage, today);
        assert_eq!(
            facts[Fact::damaged_rice_area as usize],
            Value::Area(10 * 400)
        );
        let too_much: ReportedDamage = [(11, 99 * 400)].into();
        apply_reported_damage(&mut facts, &record, &too_much, today);
        assert_eq!(
            facts[Fact::damaged_rice_area as usize],
            Value::Area(12 * 400)
        );
    }
}
