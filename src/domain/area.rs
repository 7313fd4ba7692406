use super::Invalid;

/// Land area as a whole number of square wa (ตารางวา): 1 rai = 4 ngan = 400 square wa.
/// Kept as an integer so sums and comparisons are exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Area(i32);

pub const SQ_WA_PER_NGAN: i32 = 100;
pub const SQ_WA_PER_RAI: i32 = 400;
/// The largest plot the registry accepts (100,000 rai), to catch typing mistakes.
const MAX_SQ_WA: i32 = 100_000 * SQ_WA_PER_RAI;

impl Area {
    pub fn from_sq_wa(sq_wa: i32) -> Result<Self, Invalid> {
        if sq_wa <= 0 {
            return Err(Invalid::new("error.area.positive"));
        }
        if sq_wa > MAX_SQ_WA {
            return Err(Invalid::new("error.area.too_large"));
        }
        Ok(Self(sq_wa))
    }

    /// Parses the three boxes of a form (rai, ngan, square wa); empty boxes count as zero.
    /// Digits may be Thai; the rai box alone may hold a decimal ("2.5" is 2 rai 2 ngan).
    pub fn parse_parts(rai: &str, ngan: &str, wa: &str) -> Result<Self, Invalid> {
        if ngan.trim().is_empty() && wa.trim().is_empty() && rai.contains('.') {
            let sq_wa = parse_rai(rai).map_err(|_| Invalid::new("error.area.number"))?;
            return Self::from_sq_wa(i32::try_from(sq_wa).unwrap_or(i32::MAX));
        }
        let number = |s: &str| -> Result<i32, Invalid> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(0);
            }
            super::whole_number(s, 0..=i64::from(i32::MAX))
                .and_then(|n| i32::try_from(n).ok())
                .ok_or(Invalid::new("error.area.number"))
        };
        let (rai, ngan, wa) = (number(rai)?, number(ngan)?, number(wa)?);
        if ngan > 3 || wa > 99 {
            return Err(Invalid::new("error.area.parts"));
        }
        let total = rai
            .checked_mul(SQ_WA_PER_RAI)
            .and_then(|r| r.checked_add(ngan * SQ_WA_PER_NGAN + wa))
            .ok_or(Invalid::new("error.area.too_large"))?;
        Self::from_sq_wa(total)
    }

    pub fn sq_wa(self) -> i32 {
        self.0
    }

    /// (rai, ngan, square wa)
    pub fn parts(self) -> (i32, i32, i32) {
        (
            self.0 / SQ_WA_PER_RAI,
            self.0 % SQ_WA_PER_RAI / SQ_WA_PER_NGAN,
            self.0 % SQ_WA_PER_NGAN,
        )
    }
}

/// Square wa as rai with up to two decimals, as a farmer would type it back: 4,000 → "10",
/// 1,000 → "2.5".
pub fn rai_decimal(sq_wa: i64) -> String {
    let hundredths = (sq_wa * 100 + i64::from(SQ_WA_PER_RAI) / 2) / i64::from(SQ_WA_PER_RAI);
    let text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// An area as people type it, in rai: "10", "2.5", "๑๐", "10 ไร่", "10 rai"; blank is none.
/// In square wa.
pub fn parse_rai(text: &str) -> Result<i64, Invalid> {
    let text = super::western_digits(text.trim());
    let number = text
        .trim_end_matches("ไร่")
        .trim_end_matches("rai")
        .trim_end_matches("Rai")
        .trim();
    if number.is_empty() {
        return Ok(0);
    }
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let all_digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !all_digits(whole) || !(fraction.is_empty() || all_digits(fraction)) || fraction.len() > 2 {
        return Err(Invalid::new("error.area.rai"));
    }
    let whole: i64 = whole
        .parse()
        .ok()
        .filter(|w| *w <= i64::from(MAX_SQ_WA / SQ_WA_PER_RAI))
        .ok_or(Invalid::new("error.area.too_large"))?;
    let hundredths: i64 = format!("{fraction:0<2}").parse().unwrap_or(0);
    // Hundredths of a rai to square wa (400 to the rai), rounded to the nearest.
    Ok(whole * i64::from(SQ_WA_PER_RAI) + (hundredths * i64::from(SQ_WA_PER_RAI) + 50) / 100)
}

/// A damaged area as a farmer types it (see `parse_rai`), at most `planted_sq_wa`: damage
/// cannot exceed what was planted.
pub fn parse_damaged_rai(text: &str, planted_sq_wa: i64) -> Result<i64, Invalid> {
    let sq_wa = parse_rai(text)?;
    if sq_wa > planted_sq_wa {
        return Err(Invalid::new("error.area.more_than_planted"));
    }
    Ok(sq_wa)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_area_is_typed_in_rai_ngan_wa_or_as_decimal_rai_in_any_digits() {
        let sq_wa = |r, n, w| Area::parse_parts(r, n, w).map(Area::sq_wa);
        assert_eq!(sq_wa("๒", "๑", "๕๐"), Ok(950));
        assert_eq!(sq_wa("2.5", "", ""), Ok(1_000));
        assert_eq!(sq_wa("2", "4", ""), Err(Invalid::new("error.area.parts")));
        assert_eq!(
            sq_wa("2.5", "1", ""),
            Err(Invalid::new("error.area.number"))
        );
    }

    #[test]
    fn damage_is_read_in_rai_however_it_is_typed() {
        for (typed, sq_wa) in [
            ("10", 4_000),
            ("๑๐", 4_000),
            ("10 ไร่", 4_000),
            ("10ไร่", 4_000),
            ("2.5 rai", 1_000),
            ("0.25", 100),
            ("", 0),
            ("  ", 0),
        ] {
            assert_eq!(parse_damaged_rai(typed, 8_000), Ok(sq_wa), "{typed}");
        }
        assert_eq!(rai_decimal(4_000), "10");
        assert_eq!(rai_decimal(1_000), "2.5");
        assert_eq!(rai_decimal(100), "0.25");
        assert_eq!(
            parse_damaged_rai("ten", 8_000).unwrap_err().key,
            "error.area.rai"
        );
        assert_eq!(
            parse_damaged_rai("-3", 8_000).unwrap_err().key,
            "error.area.rai"
        );
        assert_eq!(
            parse_damaged_rai("20.001", 8_000).unwrap_err().key,
            "error.area.rai"
        );
        assert_eq!(
            parse_damaged_rai("21", 8_000).unwrap_err().key,
            "error.area.more_than_planted"
        );
    }

    #[test]
    fn twelve_rai_two_ngan_is_5_000_square_wa() {
        let area = Area::parse_parts("12", "2", "").unwrap();
        assert_eq!(area.sq_wa(), 5_000);
        assert_eq!(area.parts(), (12, 2, 0));
    }

    #[test]
    fn refuses_ngan_over_three_and_negative_numbers() {
        assert_eq!(
            Area::parse_parts("1", "4", "0").unwrap_err().key,
            "error.area.parts"
        );
        assert_eq!(
            Area::parse_parts("-1", "0", "0").unwrap_err().key,
            "error.area.number"
        );
        assert_eq!(
            Area::parse_parts("", "", "").unwrap_err().key,
            "error.area.positive"
        );
    }
}
