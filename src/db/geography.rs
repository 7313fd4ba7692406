//! Thailand's administrative geography (province → amphoe → tambon) with DOPA codes, loaded from
//! the vendored GeoThai data set (CC BY 4.0, see `seed/geography/LICENSE.md`).

use super::schema::{amphoes, provinces, tambons};
use super::DbConn;
use diesel::prelude::*;

#[derive(Queryable, Clone, Debug)]
pub struct Place {
    pub code: String,
    pub name_th: String,
    pub name_en: String,
}

impl Place {
    pub fn name(&self, locale: crate::i18n::Locale) -> &str {
        locale.pick(&self.name_th, &self.name_en)
    }
}

/// A tambon with the names of its amphoe and province, as shown on addresses.
#[derive(Clone, Debug)]
pub struct Address {
    pub tambon: Place,
    pub amphoe: Place,
    pub province: Place,
}

const PROVINCES_CSV: &str = include_str!("seed/geography/provinces.csv");
const AMPHOES_CSV: &str = include_str!("seed/geography/amphoes.csv");
const TAMBONS_CSV: &str = include_str!("seed/geography/tambons.csv");
const BATCH: usize = 500;

fn read_rows(source: &str) -> anyhow::Result<Vec<csv::StringRecord>> {
    Ok(csv::Reader::from_reader(source.as_bytes())
        .records()
        .collect::<Result<_, _>>()?)
}

pub fn is_loaded(conn: &mut DbConn) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        provinces::table.select(provinces::code),
    ))
    .get_result(conn)
}

/// Loads all 77 provinces, their amphoe and tambon, in one transaction.
pub fn load(conn: &mut DbConn) -> anyhow::Result<()> {
    let province_rows = read_rows(PROVINCES_CSV)?;
    let amphoe_rows = read_rows(AMPHOES_CSV)?;
    let tambon_rows = read_rows(TAMBONS_CSV)?;
    conn.transaction(|conn| {
        for chunk in province_rows.chunks(BATCH) {
            let values: Vec<_> = chunk
                .iter()
                .map(|r| {
                    (
                        provinces::code.eq(&r[0]),
                        provinces::name_th.eq(&r[1]),
                        provinces::name_en.eq(&r[2]),
                    )
                })
                .collect();
            crate::on_backend!(conn, c => diesel::insert_into(provinces::table).values(&values).execute(c))?;
        }
        for chunk in amphoe_rows.chunks(BATCH) {
            let values: Vec<_> = chunk
                .iter()
                .map(|r| {
                    (
                        amphoes::code.eq(&r[0]),
                        amphoes::province_code.eq(&r[1]),
                        amphoes::name_th.eq(&r[2]),
                        amphoes::name_en.eq(&r[3]),
                    )
                })
                .collect();
            crate::on_backend!(conn, c => diesel::insert_into(amphoes::table).values(&values).execute(c))?;
        }
        for chunk in tambon_rows.chunks(BATCH) {
            let values: Vec<_> = chunk
                .iter()
                .map(|r| {
                    (
                        tambons::code.eq(&r[0]),
                        tambons::amphoe_code.eq(&r[1]),
                        tambons::name_th.eq(&r[2]),
                        tambons::name_en.eq(&r[3]),
                        tambons::postcode.eq(&r[4]),
                    )
                })
                .collect();
            crate::on_backend!(conn, c => diesel::insert_into(tambons::table).values(&values).execute(c))?;
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    Ok(())
}

pub fn address(conn: &mut DbConn, tambon_code: &str) -> QueryResult<Address> {
    let (tambon, amphoe, province) = tambons::table
        .inner_join(amphoes::table.inner_join(provinces::table))
        .filter(tambons::code.eq(tambon_code))
        .select((
            (tambons::code, tambons::name_th, tambons::name_en),
            (amphoes::code, amphoes::name_th, amphoes::name_en),
            (provinces::code, provinces::name_th, provinces::name_en),
        ))
        .first::<(Place, Place, Place)>(conn)?;
    Ok(Address {
        tambon,
        amphoe,
        province,
    })
}

pub fn provinces(conn: &mut DbConn) -> QueryResult<Vec<Place>> {
    provinces::table
        .select((provinces::code, provinces::name_th, provinces::name_en))
        .order(provinces::code)
        .load(conn)
}

pub fn amphoe(conn: &mut DbConn, code: &str) -> QueryResult<Option<(Place, String)>> {
    amphoes::table
        .filter(amphoes::code.eq(code))
        .select((
            (amphoes::code, amphoes::name_th, amphoes::name_en),
            amphoes::province_code,
        ))
        .first(conn)
        .optional()
}

pub fn province(conn: &mut DbConn, code: &str) -> QueryResult<Option<Place>> {
    provinces::table
        .filter(provinces::code.eq(code))
        .select((provinces::code, provinces::name_th, provinces::name_en))
        .first(conn)
        .optional()
}

/// The tambon of one amphoe, for the plot form's choice list.
pub fn tambons_of_amphoe(conn: &mut DbConn, amphoe_code: &str) -> QueryResult<Vec<Place>> {
    tambons::table
        .filter(tambons::amphoe_code.eq(amphoe_code))
        .select((tambons::code, tambons::name_th, tambons::name_en))
        .order(tambons::code)
        .load(conn)
}

/// The tambon code itself if it exists (as a one-element list), else nothing.
pub fn tambon_codes(conn: &mut DbConn, code: &str) -> QueryResult<Vec<String>> {
    tambons::table
        .filter(tambons::code.eq(code))
        .select(tambons::code)
        .load(conn)
}

/// The names of these provinces and amphoe, by code (for labelling report rows).
pub fn names(
    conn: &mut DbConn,
    codes: &[String],
) -> QueryResult<std::collections::HashMap<String, Place>> {
    let provinces: Vec<(String, String, String)> = provinces::table
        .filter(provinces::code.eq_any(codes))
        .select((provinces::code, provinces::name_th, provinces::name_en))
        .load(conn)?;
    let amphoes: Vec<(String, String, String)> = amphoes::table
        .filter(amphoes::code.eq_any(codes))
        .select((amphoes::code, amphoes::name_th, amphoes::name_en))
        .load(conn)?;
    Ok(provinces
        .into_iter()
        .chain(amphoes)
        .map(|(code, name_th, name_en)| {
            (
                code.clone(),
                Place {
                    code,
                    name_th,
                    name_en,
                },
            )
        })
        .collect())
}

/// The tambon codes of an area list as people type it: 6-digit tambon codes, or 4-digit
/// amphoe codes standing for all their tambon, separated by spaces or commas. `None` when a
/// code names no tambon or amphoe; sorted and without repeats.
pub fn expand_areas(conn: &mut DbConn, text: &str) -> QueryResult<Option<Vec<String>>> {
    let mut tambons = Vec::new();
    for code in text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|c| !c.is_empty())
    {
        let digits = code.bytes().all(|b| b.is_ascii_digit());
        let found: Vec<String> = match code.len() {
            6 if digits => tambon_codes(conn, code)?,
            4 if digits => tambons_of_amphoe(conn, code)?
                .into_iter()
                .map(|t| t.code)
                .collect(),
            _ => Vec::new(),
        };
        if found.is_empty() {
            return Ok(None);
        }
        tambons.extend(found);
    }
    tambons.sort();
    tambons.dedup();
    Ok(Some(tambons))
}
