/// The part of the country a staff member works in. Officers see only households inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AreaScope {
    National,
    Province(String),
    Amphoe(String),
}

impl AreaScope {
    /// Builds the scope from an account's columns; an amphoe scope is the narrower one.
    pub fn from_codes(province: Option<&str>, amphoe: Option<&str>) -> Self {
        match (province, amphoe) {
            (_, Some(amphoe)) => AreaScope::Amphoe(amphoe.to_owned()),
            (Some(province), None) => AreaScope::Province(province.to_owned()),
            (None, None) => AreaScope::National,
        }
    }

    /// Whether a household registered in this amphoe lies inside the scope.
    pub fn contains(&self, amphoe_code: &str) -> bool {
        match self {
            AreaScope::National => true,
            AreaScope::Province(p) => amphoe_code.starts_with(p.as_str()),
            AreaScope::Amphoe(a) => amphoe_code == a,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_province_scope_contains_its_amphoe_only() {
        let surin = AreaScope::Province("32".into());
        assert!(surin.contains("3201"));
        assert!(!surin.contains("3101"));
        assert!(AreaScope::Amphoe("3201".into()).contains("3201"));
        assert!(!AreaScope::Amphoe("3201".into()).contains("3202"));
        assert!(AreaScope::National.contains("5001"));
    }
}
