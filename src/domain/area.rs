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
    pub fn parse_parts(rai: &str, ngan: &str, wa: &str) -> Result<Self, Invalid> {
        let number = |s: &str| -> Result<i32, Invalid> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(0);
            }
            s.parse::<i32>()
                .ok()
                .filter(|n| *n >= 0)
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

#[cfg(test)]
mod tests {
    use super::*;

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
