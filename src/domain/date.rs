//! Dates as people type them: the browser's date field (2026-11-29), or by hand as Thais write
//! them (29/11/2569 in the Buddhist era, or 29/11/2026).

use super::Invalid;
use chrono::{Datelike, NaiveDate};

/// Years above this are taken as Buddhist-era years (543 ahead of the Common Era).
const BUDDHIST_ERA_FROM: i32 = 2400;

pub fn parse(input: &str) -> Result<NaiveDate, Invalid> {
    let input = input.trim();
    if input.is_empty() {
        return Err(Invalid::new("error.required"));
    }
    let parsed = NaiveDate::parse_from_str(input, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(input, "%d/%m/%Y"))
        .map_err(|_| Invalid::new("error.date.format"))?;
    let date = if parsed.year() > BUDDHIST_ERA_FROM {
        parsed
            .with_year(parsed.year() - 543)
            .ok_or(Invalid::new("error.date.format"))?
    } else {
        parsed
    };
    if date.year() < 1900 || date.year() > 2200 {
        return Err(Invalid::new("error.date.range"));
    }
    Ok(date)
}

/// A date that has already happened by `today` (Thai): a birth, a planting.
pub fn past_date(input: &str, today: NaiveDate) -> Result<NaiveDate, Invalid> {
    let date = parse(input)?;
    if date > today {
        return Err(Invalid::new("error.date.range"));
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_browser_dates_and_buddhist_era_dates_typed_by_hand() {
        let date = NaiveDate::from_ymd_opt(1982, 7, 9).unwrap();
        assert_eq!(parse("1982-07-09"), Ok(date));
        assert_eq!(parse("09/07/2525"), Ok(date));
        assert_eq!(parse("9/7/1982"), Ok(date));
        assert_eq!(parse("31/02/2525").unwrap_err().key, "error.date.format");
        assert_eq!(
            past_date("01/01/2999", NaiveDate::MIN).unwrap_err().key,
            "error.date.range"
        );
    }
}
