//! Amounts of money as people type them: "13400", "13,400", "13400.50", "13,400 บาท",
//! "13400 baht", in Thai digits too ("๑๓,๔๐๐"). Kept in satang (1 baht = 100 satang).

use super::Invalid;

/// More than any single payment of any programme: a larger figure is a typing mistake.
pub const MAX_BAHT: i64 = 10_000_000;

/// A positive amount of at most `MAX_BAHT`, in satang.
pub fn parse_baht(text: &str) -> Result<i64, Invalid> {
    let digits: String = text
        .trim()
        .trim_end_matches("บาท")
        .trim_end_matches(|c: char| c.is_whitespace())
        .trim_end_matches("baht")
        .trim_end_matches("Baht")
        .trim()
        .chars()
        .filter(|c| *c != ',')
        .collect();
    let digits = super::western_digits(&digits);
    let (whole, fraction) = digits.split_once('.').unwrap_or((&digits, ""));
    let all_digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !all_digits(whole) || !(fraction.is_empty() || all_digits(fraction)) || fraction.len() > 2 {
        return Err(Invalid::new("error.money"));
    }
    let baht: i64 = whole
        .parse()
        .map_err(|_| Invalid::new("error.money_range"))?;
    let satang: i64 = format!("{fraction:0<2}").parse().unwrap_or(0);
    if baht > MAX_BAHT || (baht == 0 && satang == 0) {
        return Err(Invalid::new("error.money_range"));
    }
    Ok(baht * 100 + satang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_amount_is_read_however_a_person_types_it() {
        for (typed, satang) in [
            ("13400", 1_340_000),
            ("13,400", 1_340_000),
            ("13,400 บาท", 1_340_000),
            ("13400บาท", 1_340_000),
            ("13400 baht", 1_340_000),
            ("๑๓,๔๐๐", 1_340_000),
            ("13400.5", 1_340_050),
            (" 0.75 ", 75),
        ] {
            assert_eq!(parse_baht(typed), Ok(satang), "{typed}");
        }
    }

    #[test]
    fn nonsense_and_impossible_amounts_are_refused_by_kind() {
        for typed in ["", "abc", "13.400.5", "1.234", "-5", "12 rai"] {
            assert_eq!(
                parse_baht(typed),
                Err(Invalid::new("error.money")),
                "{typed}"
            );
        }
        for typed in ["0", "0.00", "10000001", "99999999999999999999"] {
            assert_eq!(
                parse_baht(typed),
                Err(Invalid::new("error.money_range")),
                "{typed}"
            );
        }
    }
}
