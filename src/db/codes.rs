//! The coded columns, read and written as their `domain` enums on both backends. A value the
//! enum does not know is an error naming the column and the value, never a default: a role
//! read as "farmer" or a crop dropped from eligibility would be wrong in silence. The
//! migrations hold the same codes as CHECK constraints, and `tests/schema.rs` checks both
//! backends against `coded_columns()`.

use crate::domain::case::Check;
use crate::domain::one_time_code::CodePurpose;
use crate::domain::{
    CaseStatus, Channel, ConsentPurpose, Crop, DataRequestKind, DataRequestStatus, DeliveryStatus,
    Hazard, LandDocument, MembershipKind, PaymentFailure, Relation, Role, Season, Species, Tenure,
};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::expression::AsExpression;
use diesel::internal::derives::as_expression::Bound;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{Nullable, Text};

/// A stored code that no enum value has: the database was changed outside Kaset's migrations.
#[derive(Debug, thiserror::Error)]
#[error("{column}holds {value:?}, which is not one of its codes")]
pub struct UnknownCode {
    pub column: &'static str,
    pub value: String,
}

macro_rules! stored_as_code {
    ($($ty:ty => [$($column:literal),+]),+ $(,)?) => {$(
        impl<DB: Backend> FromSql<Text, DB> for $ty
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let value = String::from_sql(bytes)?;
                <$ty>::parse(&value).map_err(|_| {
                    Box::new(UnknownCode { column: concat!($($column, " "),+), value }) as Box<_>
                })
            }
        }

        impl<DB: Backend> ToSql<Text, DB> for $ty
        where
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                <str as ToSql<Text, DB>>::to_sql(self.code(), out)
            }
        }

        impl<DB: Backend> Queryable<Text, DB> for $ty
        where
            Self: FromSql<Text, DB>,
        {
            type Row = Self;
            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }

        impl AsExpression<Text> for $ty {
            type Expression = Bound<Text, Self>;
            fn as_expression(self) -> Self::Expression {
                Bound::new(self)
            }
        }

        impl AsExpression<Nullable<Text>> for $ty {
            type Expression = Bound<Nullable<Text>, Self>;
            fn as_expression(self) -> Self::Expression {
                Bound::new(self)
            }
        }

        impl<'a> AsExpression<Text> for &'a $ty {
            type Expression = Bound<Text, Self>;
            fn as_expression(self) -> Self::Expression {
                Bound::new(self)
            }
        }

        impl<'a> AsExpression<Nullable<Text>> for &'a $ty {
            type Expression = Bound<Nullable<Text>, Self>;
            fn as_expression(self) -> Self::Expression {
                Bound::new(self)
            }
        }
    )+

    /// Every coded column and its codes, as the CHECK constraints must hold them.
    pub fn coded_columns() -> Vec<(&'static str, Vec<&'static str>)> {
        vec![$($(($column, <$ty>::ALL.iter().map(|v| v.code()).collect())),+),+]
    }
    };
}

stored_as_code!(
    Role => ["users.role"],
    CaseStatus => ["applications.status"],
    DataRequestKind => ["data_requests.kind"],
    DataRequestStatus => ["data_requests.status"],
    Hazard => ["disasters.hazard"],
    ConsentPurpose => ["consents.purpose", "api_keys.purpose"],
    Relation => ["members.relation"],
    LandDocument => ["plots.land_document"],
    Tenure => ["plots.tenure"],
    Crop => ["plantings.crop"],
    Season => ["plantings.season"],
    Species => ["livestock.species"],
    MembershipKind => ["memberships.kind"],
    PaymentFailure => ["applications.payment_failure"],
    Check => ["case_checks.step"],
    Channel => ["deliveries.channel"],
    DeliveryStatus => ["deliveries.status"],
    CodePurpose => ["one_time_codes.purpose"],
);
