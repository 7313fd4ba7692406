//! The closed vocabularies of the registry. Each is stored as its code string and shown through
//! the i18n catalogue under `<prefix>.<code>`.

use super::Invalid;

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $prefix:literal, { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(input: &str) -> Result<Self, Invalid> {
                match input.trim() {
                    $($code => Ok($name::$variant),)+
                    "" => Err(Invalid::new("error.required")),
                    _ => Err(Invalid::new("error.choice")),
                }
            }

            /// The catalogue key of this value's label.
            pub fn label_key(self) -> &'static str {
                match self { $($name::$variant => concat!($prefix, ".", $code)),+ }
            }
        }

        /// As its code, in exports and API answers.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }
    };
}

code_enum!(
    /// What a user may do: farmers see their own household; staff work within an area.
    Role, "role", {
    Farmer = "farmer",
    Officer = "officer",
    Manager = "manager",
    Admin = "admin",
    /// Not a person: a partner agency's system, acting through its API key.
    Partner = "partner",
});

code_enum!(
    /// What a partner's API key may do.
    ApiScope, "api_scope", {
    EntitlementsRead = "entitlements:read",
    CasesRead = "cases:read",
    Payments = "payments",
    RegistryWrite = "registry:write",
});

code_enum!(
    /// Why a farmer's personal data may leave Kaset; each needs the farmer's own consent.
    ConsentPurpose, "consent", {
    /// Partner agencies that serve farmers see their entitlements and case status.
    AgencyServices = "agency_services",
    /// The paying agency (e.g. BAAC) receives who to pay and how much.
    Payment = "payment",
});

code_enum!(
    /// What a farmer asks of their personal data.
    DataRequestKind, "data_requests.kind", {
    Correction = "correction",
    Deletion = "deletion",
});

code_enum!(
    /// Where a personal-data request stands.
    DataRequestStatus, "data_requests.status", {
    Open = "open",
    Done = "done",
    Declined = "declined",
});

code_enum!(Crop, "crop", {
    Rice = "rice",
    Cassava = "cassava",
    Sugarcane = "sugarcane",
    Rubber = "rubber",
    Maize = "maize",
    Fruit = "fruit",
    Vegetables = "vegetables",
});

code_enum!(
    /// Main (wet) season, off-season (dry) crop, or a perennial standing all year.
    Season, "season", {
    Main = "main",
    Off = "off",
    Perennial = "perennial",
});

code_enum!(
    /// The land document held for a plot, from full title deed to none at all.
    LandDocument, "land_document", {
    Chanote = "chanote",
    NorSor3Kor = "ns3k",
    NorSor3 = "ns3",
    SorPorKor401 = "spk401",
    SorKor1 = "sk1",
    PorBorTor5 = "pbt5",
    NoDocument = "none",
});

code_enum!(Tenure, "tenure", {
    Owned = "owned",
    Rented = "rented",
    Alro = "alro",
    Free = "free",
});

code_enum!(Species, "species", {
    Cattle = "cattle",
    Buffalo = "buffalo",
    Pig = "pig",
    Chicken = "chicken",
    Duck = "duck",
    Goat = "goat",
});

code_enum!(MembershipKind, "membership", {
    Cooperative = "cooperative",
    Baac = "baac",
    FarmerGroup = "farmer_group",
    CommunityEnterprise = "community_enterprise",
});

code_enum!(
    /// The kinds of disaster a province declares.
    Hazard, "hazard", {
    Flood = "flood",
    Drought = "drought",
    Storm = "storm",
    Pest = "pest",
    Cold = "cold",
    Fire = "fire",
});

code_enum!(
    /// Why the paying agency could not pay a case; each says the farmer what to fix.
    PaymentFailure, "payment_failure", {
    AccountClosed = "account_closed",
    NameMismatch = "name_mismatch",
    NoAccount = "no_account",
    PromptPayNotLinked = "promptpay_not_linked",
    Other = "other",
});

code_enum!(Relation, "relation", {
    Head = "head",
    Spouse = "spouse",
    Child = "child",
    Parent = "parent",
    Other = "other",
});

code_enum!(
    /// Where an application stands. `Draft` is the farmer's alone; the rest is the case.
    CaseStatus, "case.status", {
    Draft = "draft",
    Submitted = "submitted",
    InfoRequested = "info_requested",
    Appealed = "appealed",
    Approved = "approved",
    Rejected = "rejected",
    Paid = "paid",
    Completed = "completed",
    Withdrawn = "withdrawn",
});

code_enum!(
    /// The reasons an officer picks from when rejecting (with free text beside).
    RejectionReason, "rejection", {
    NotEligible = "not_eligible",
    DocumentsMissing = "documents_missing",
    DataMismatch = "data_mismatch",
    AlreadyReceived = "already_received",
    LateApplication = "late",
    Other = "other",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for crop in Crop::ALL {
            assert_eq!(Crop::parse(crop.code()), Ok(*crop));
        }
        assert_eq!(Crop::parse("opium").unwrap_err().key, "error.choice");
        assert_eq!(Role::Officer.label_key(), "role.officer");
    }
}
