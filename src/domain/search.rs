//! What an officer types in the household search, bounded so that no search can hold a
//! database connection for long: a national ID or registry number (digits), or a few words of
//! a person's name.

use super::Invalid;

/// Longer than any Thai name with its surname, and than any number Kaset knows.
pub const MAX_CHARS: usize = 100;
/// A first name and a surname, with room for a title or a middle name.
pub const MAX_WORDS: usize = 4;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HouseholdSearch {
    /// Nothing typed: every household of the area.
    Everything,
    /// A national ID (exact) or the start of a registry number; dashes and spaces dropped.
    Number(String),
    /// Words that must all appear in one person's first name or surname, lower-cased.
    Words(Vec<String>),
}

impl HouseholdSearch {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let input = input.trim();
        if input.chars().count() > MAX_CHARS {
            return Err(Invalid::new("error.search.too_long"));
        }
        let digits: String = input.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
        if digits.is_empty() {
            return Ok(Self::Everything);
        }
        if digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Self::Number(digits));
        }
        let mut words: Vec<String> = Vec::new();
        for word in input.split_whitespace().map(str::to_lowercase) {
            if !words.contains(&word) {
                words.push(word);
            }
        }
        if words.len() > MAX_WORDS {
            return Err(Invalid::new("error.search.too_many_words"));
        }
        Ok(Self::Words(words))
    }
}

/// What an officer types to find cases: the start of a case reference (`KS-2569-0001…`), or
/// what finds a household (a name, a national ID, a registry number).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseSearch {
    Reference(String),
    Household(HouseholdSearch),
}

/// Nothing typed: every case.
impl Default for CaseSearch {
    fn default() -> Self {
        Self::Household(HouseholdSearch::Everything)
    }
}

impl CaseSearch {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let input = input.trim();
        let upper = input.to_uppercase();
        if upper.starts_with("KS-") {
            if upper.len() > 20 || !upper.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(Invalid::new("error.search.reference"));
            }
            return Ok(Self::Reference(upper));
        }
        HouseholdSearch::parse(input).map(Self::Household)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_is_found_by_its_reference_or_its_household() {
        assert_eq!(
            CaseSearch::parse(" ks-2569-000012 "),
            Ok(CaseSearch::Reference("KS-2569-000012".into()))
        );
        assert_eq!(
            CaseSearch::parse("สมชาย"),
            Ok(CaseSearch::Household(HouseholdSearch::Words(vec![
                "สมชาย".into()
            ])))
        );
        assert!(CaseSearch::parse("KS-2569-<script>").is_err());
    }

    #[test]
    fn a_name_a_number_or_nothing() {
        assert_eq!(
            HouseholdSearch::parse("  "),
            Ok(HouseholdSearch::Everything)
        );
        assert_eq!(
            HouseholdSearch::parse("3-3201-00123-45-9"),
            Ok(HouseholdSearch::Number("3320100123459".into()))
        );
        assert_eq!(
            HouseholdSearch::parse("สมชาย  Jaidee สมชาย"),
            Ok(HouseholdSearch::Words(vec![
                "สมชาย".into(),
                "jaidee".into()
            ]))
        );
    }

    #[test]
    fn a_search_of_many_words_or_characters_is_refused_not_run() {
        assert_eq!(
            HouseholdSearch::parse("ab cd ef gh ij").unwrap_err().key,
            "error.search.too_many_words"
        );
        assert_eq!(
            HouseholdSearch::parse(&"ก".repeat(MAX_CHARS + 1))
                .unwrap_err()
                .key,
            "error.search.too_long"
        );
        // The same word many times is one word.
        assert!(HouseholdSearch::parse(&"ab ".repeat(30)).is_ok());
    }
}
