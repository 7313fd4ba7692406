//! A household as another registry sends it (the registry sync's JSON format, documented in
//! the README), and its parsing into a record Kaset can store. A record is the household's
//! whole current state: applying it twice leaves the same result, so a page fetched again
//! after an interruption duplicates nothing.

use super::{
    Area, Crop, Invalid, LandDocument, MembershipKind, NationalId, RegistryNumber, Relation,
    Season, Species, Tenure,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One household of a page, as received.
#[derive(Deserialize, Serialize, Clone, Debug)]
pub struct WireHousehold {
    pub registry_number: String,
    pub tambon_code: String,
    pub village_no: i32,
    pub house_no: String,
    pub registered_on: NaiveDate,
    pub members: Vec<WireMember>,
    #[serde(default)]
    pub plots: Vec<WirePlot>,
    #[serde(default)]
    pub livestock: Vec<WireLivestock>,
    /// Absent: the memberships Kaset holds are kept as they are.
    pub memberships: Option<Vec<WireMembership>>,
}

#[derive(Deserialize, Serialize, Clone, Debug)]
pub struct WireMember {
    pub national_id: String,
    pub title: String,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: NaiveDate,
    pub relation: String,
    pub phone: Option<String>,
}

#[derive(Deserialize, Serialize, Clone, Debug)]
pub struct WirePlot {
    pub label: String,
    pub tambon_code: String,
    pub area_sq_wa: i64,
    pub land_document: Option<String>,
    pub tenure: String,
    pub irrigated: bool,
    #[serde(default)]
    pub plantings: Vec<WirePlanting>,
}

#[derive(Deserialize, Serialize, Clone, Debug)]
pub struct WirePlanting {
    pub crop: String,
    pub season_year: i32,
    pub season: String,
    pub area_sq_wa: i64,
    pub planted_on: Option<NaiveDate>,
    /// The day the farmer reported the crop; senders that do not keep it leave it out.
    #[serde(default)]
    pub registered_on: Option<NaiveDate>,
}

#[derive(Deserialize, Serialize, Clone, Debug)]
pub struct WireLivestock {
    pub species: String,
    pub head_count: i64,
}

#[derive(Deserialize, Serialize, Clone, Debug)]
pub struct WireMembership {
    pub kind: String,
    pub organisation: String,
    pub member_number: Option<String>,
    pub since: Option<NaiveDate>,
}

/// Why a record was refused, and where in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// e.g. `members[1].national_id`
    pub field: String,
    /// An i18n catalogue key.
    pub key: &'static str,
}

impl Rejection {
    pub fn new(field: impl Into<String>, key: &'static str) -> Self {
        Self {
            field: field.into(),
            key,
        }
    }
}

/// A household ready to store; its tambon codes are well-formed but still to be looked up.
#[derive(Clone, Debug)]
pub struct HouseholdRecord {
    pub registry_number: RegistryNumber,
    pub tambon_code: String,
    pub village_no: i32,
    pub house_no: String,
    pub registered_on: NaiveDate,
    pub members: Vec<MemberRecord>,
    pub plots: Vec<PlotRecord>,
    pub livestock: Vec<(Species, i32)>,
    pub memberships: Option<Vec<MembershipRecord>>,
}

#[derive(Clone, Debug)]
pub struct MemberRecord {
    pub national_id: NationalId,
    pub title: String,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: NaiveDate,
    pub relation: Relation,
    pub phone: Option<String>,
}

#[derive(Clone, Debug)]
pub struct PlotRecord {
    pub label: String,
    pub tambon_code: String,
    pub area: Area,
    pub land_document: Option<LandDocument>,
    pub tenure: Tenure,
    pub irrigated: bool,
    pub plantings: Vec<PlantingRecord>,
}

#[derive(Clone, Debug)]
pub struct PlantingRecord {
    pub crop: Crop,
    pub season_year: i32,
    pub season: Season,
    pub area: Area,
    pub planted_on: Option<NaiveDate>,
    pub registered_on: Option<NaiveDate>,
}

#[derive(Clone, Debug)]
pub struct MembershipRecord {
    pub kind: MembershipKind,
    pub organisation: String,
    pub member_number: Option<String>,
    pub since: Option<NaiveDate>,
}

fn at<T>(field: String, parsed: Result<T, Invalid>) -> Result<T, Rejection> {
    parsed.map_err(|e| Rejection::new(field, e.key))
}

fn tambon(field: String, code: &str) -> Result<String, Rejection> {
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_owned())
    } else {
        Err(Rejection::new(field, "registry_sync.reject.tambon"))
    }
}

fn area(field: String, sq_wa: i64) -> Result<Area, Rejection> {
    let sq_wa =
        i32::try_from(sq_wa).map_err(|_| Rejection::new(field.clone(), "error.area.too_large"))?;
    at(field, Area::from_sq_wa(sq_wa))
}

fn text(field: String, value: &str) -> Result<String, Rejection> {
    let value = value.trim();
    if value.is_empty() {
        Err(Rejection::new(field, "error.required"))
    } else {
        Ok(value.to_owned())
    }
}

impl HouseholdRecord {
    /// Parses a received household; the first problem found refuses the whole record.
    pub fn parse(wire: &WireHousehold) -> Result<Self, Rejection> {
        let registry_number = at(
            "registry_number".into(),
            RegistryNumber::parse(&wire.registry_number),
        )?;
        let tambon_code = tambon("tambon_code".into(), &wire.tambon_code)?;
        if wire.members.is_empty() {
            return Err(Rejection::new("members", "registry_sync.reject.no_members"));
        }
        let mut members = Vec::with_capacity(wire.members.len());
        for (i, m) in wire.members.iter().enumerate() {
            let field = |name: &str| format!("members[{i}].{name}");
            members.push(MemberRecord {
                national_id: at(field("national_id"), NationalId::parse(&m.national_id))?,
                title: m.title.trim().to_owned(),
                first_name: text(field("first_name"), &m.first_name)?,
                last_name: text(field("last_name"), &m.last_name)?,
                birth_date: m.birth_date,
                relation: at(field("relation"), Relation::parse(&m.relation))?,
                phone: m
                    .phone
                    .as_deref()
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned),
            });
        }
        if members
            .iter()
            .filter(|m| m.relation == Relation::Head)
            .count()
            != 1
        {
            return Err(Rejection::new("members", "registry_sync.reject.one_head"));
        }
        let mut ids: Vec<&str> = members.iter().map(|m| m.national_id.as_str()).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(Rejection::new(
                "members",
                "registry_sync.reject.duplicate_member",
            ));
        }
        let mut plots = Vec::with_capacity(wire.plots.len());
        for (i, p) in wire.plots.iter().enumerate() {
            let field = |name: &str| format!("plots[{i}].{name}");
            let mut plantings = Vec::with_capacity(p.plantings.len());
            for (j, pl) in p.plantings.iter().enumerate() {
                let field = |name: &str| format!("plots[{i}].plantings[{j}].{name}");
                plantings.push(PlantingRecord {
                    crop: at(field("crop"), Crop::parse(&pl.crop))?,
                    season_year: pl.season_year,
                    season: at(field("season"), Season::parse(&pl.season))?,
                    area: area(field("area_sq_wa"), pl.area_sq_wa)?,
                    planted_on: pl.planted_on,
                    registered_on: pl.registered_on,
                });
            }
            plots.push(PlotRecord {
                label: p.label.trim().to_owned(),
                tambon_code: tambon(field("tambon_code"), &p.tambon_code)?,
                area: area(field("area_sq_wa"), p.area_sq_wa)?,
                land_document: p
                    .land_document
                    .as_deref()
                    .map(|d| at(field("land_document"), LandDocument::parse(d)))
                    .transpose()?,
                tenure: at(field("tenure"), Tenure::parse(&p.tenure))?,
                irrigated: p.irrigated,
                plantings,
            });
        }
        let mut livestock = Vec::with_capacity(wire.livestock.len());
        for (i, l) in wire.livestock.iter().enumerate() {
            let species = at(
                format!("livestock[{i}].species"),
                Species::parse(&l.species),
            )?;
            let count = i32::try_from(l.head_count)
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| {
                    Rejection::new(
                        format!("livestock[{i}].head_count"),
                        "registry_sync.reject.head_count",
                    )
                })?;
            livestock.push((species, count));
        }
        let memberships = match &wire.memberships {
            None => None,
            Some(list) => {
                let mut out = Vec::with_capacity(list.len());
                for (i, m) in list.iter().enumerate() {
                    out.push(MembershipRecord {
                        kind: at(
                            format!("memberships[{i}].kind"),
                            MembershipKind::parse(&m.kind),
                        )?,
                        organisation: text(
                            format!("memberships[{i}].organisation"),
                            &m.organisation,
                        )?,
                        member_number: m.member_number.clone().filter(|n| !n.trim().is_empty()),
                        since: m.since,
                    });
                }
                Some(out)
            }
        };
        Ok(Self {
            registry_number,
            tambon_code,
            village_no: wire.village_no,
            house_no: wire.house_no.trim().to_owned(),
            registered_on: wire.registered_on,
            members,
            plots,
            livestock,
            memberships,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire() -> WireHousehold {
        serde_json::from_value(serde_json::json!({
            "registry_number": "320101000099",
            "tambon_code": "320101",
            "village_no": 4,
            "house_no": "12/3",
            "registered_on": "2015-06-01",
            "members": [{
                "national_id": "3100100000014", "title": "นาย", "first_name": "สมศักดิ์",
                "last_name": "ทองดี", "birth_date": "1968-02-03", "relation": "head", "phone": null
            }],
            "plots": [{
                "label": "นาหลังบ้าน", "tambon_code": "320101", "area_sq_wa": 4000,
                "land_document": "chanote", "tenure": "owned", "irrigated": false,
                "plantings": [{"crop": "rice", "season_year": 2026, "season": "main", "area_sq_wa": 4000, "planted_on": null}]
            }],
            "livestock": [{"species": "cattle", "head_count": 3}]
        }))
        .expect("the documented example reads")
    }

    #[test]
    fn the_documented_example_is_a_valid_household() {
        let record = HouseholdRecord::parse(&wire()).expect("valid");
        assert_eq!(record.plots[0].area.sq_wa(), 4000);
        assert!(
            record.memberships.is_none(),
            "absent memberships are left alone"
        );
    }

    #[test]
    fn a_bad_national_id_a_bad_tambon_or_a_negative_area_is_refused_with_where() {
        let mut bad_id = wire();
        bad_id.members[0].national_id = "3100100000015".into();
        assert_eq!(
            HouseholdRecord::parse(&bad_id).unwrap_err().field,
            "members[0].national_id"
        );
        let mut bad_tambon = wire();
        bad_tambon.tambon_code = "32x1".into();
        assert_eq!(
            HouseholdRecord::parse(&bad_tambon).unwrap_err().key,
            "registry_sync.reject.tambon"
        );
        let mut negative = wire();
        negative.plots[0].area_sq_wa = -400;
        assert_eq!(
            HouseholdRecord::parse(&negative).unwrap_err(),
            Rejection::new("plots[0].area_sq_wa", "error.area.positive")
        );
    }
}
