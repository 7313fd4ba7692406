//! Accounts: farmers (linked to their household) and staff (with an area scope).

use super::schema::users;
use super::DbConn;
use crate::domain::Role;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Queryable, Clone, Debug)]
pub struct UserRow {
    pub id: i32,
    pub role: Role,
    pub email: Option<String>,
    pub national_id: Option<String>,
    pub display_name: String,
    pub password_hash: String,
    pub household_id: Option<i32>,
    pub scope_province_code: Option<String>,
    pub scope_amphoe_code: Option<String>,
    pub locale: String,
    pub disabled_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// Their mobile number (`0812345678`), from the registry or given at sign-up.
    pub phone: Option<String>,
    /// The channels they want messages by, first choice first (`email,sms`).
    pub channels: String,
    /// Their LINE user id, once they linked LINE.
    pub line_user_id: Option<String>,
}

impl UserRow {
    /// The channels they chose, or e-mail then SMS when the stored list is unreadable.
    pub fn channel_order(&self) -> crate::domain::ChannelOrder {
        crate::domain::ChannelOrder::parse(self.channels.split(',')).unwrap_or_default()
    }

    /// The language the user chose (Thai when the stored code is not one Kaset knows).
    pub fn locale(&self) -> crate::i18n::Locale {
        crate::i18n::Locale::parse(&self.locale).unwrap_or_default()
    }
}

#[derive(Insertable, Debug)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub role: Role,
    pub email: Option<&'a str>,
    pub national_id: Option<&'a str>,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub household_id: Option<i32>,
    pub scope_province_code: Option<&'a str>,
    pub scope_amphoe_code: Option<&'a str>,
    pub locale: &'a str,
    pub phone: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, user: &NewUser<'_>) -> QueryResult<i32> {
    diesel::insert_into(users::table)
        .values(user)
        .returning(users::id)
        .get_result(conn)
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<UserRow>> {
    users::table.find(id).first(conn).optional()
}

/// Looks an account up by what the user typed at login: a national ID or an e-mail address.
pub fn find_by_login(
    conn: &mut DbConn,
    national_id_or_email: &str,
) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(
            users::national_id
                .eq(national_id_or_email)
                .or(users::email.eq(national_id_or_email)),
        )
        .first(conn)
        .optional()
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .first(conn)
        .optional()
}

pub fn national_id_taken(conn: &mut DbConn, national_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(users::national_id.eq(national_id)),
    ))
    .get_result(conn)
}

pub fn email_taken(conn: &mut DbConn, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(users::email.eq(email)),
    ))
    .get_result(conn)
}

pub fn set_password_hash(conn: &mut DbConn, id: i32, hash: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::password_hash.eq(hash))
        .execute(conn)
        .map(|_| ())
}

pub fn set_locale(conn: &mut DbConn, id: i32, locale: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::locale.eq(locale))
        .execute(conn)
        .map(|_| ())
}

pub fn set_channels(conn: &mut DbConn, id: i32, channels: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::channels.eq(channels))
        .execute(conn)
        .map(|_| ())
}

/// Links (or, with `None`, unlinks) the user's LINE account.
pub fn set_line_user_id(conn: &mut DbConn, id: i32, line_user_id: Option<&str>) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::line_user_id.eq(line_user_id))
        .execute(conn)
        .map(|_| ())
}

/// The account a LINE user id is linked to.
pub fn find_by_line_user_id(conn: &mut DbConn, line_user_id: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::line_user_id.eq(line_user_id))
        .first(conn)
        .optional()
}

pub fn set_disabled(conn: &mut DbConn, id: i32, at: Option<NaiveDateTime>) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::disabled_at.eq(at))
        .execute(conn)
        .map(|_| ())
}

/// Staff accounts for the administrator's list, newest first.
pub fn list_staff(conn: &mut DbConn) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(users::role.ne(Role::Farmer.code()))
        .order(users::id.desc())
        .load(conn)
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

/// The active farmer accounts of these households, with their household.
pub fn farmers_of_households(
    conn: &mut DbConn,
    household_ids: &[i32],
) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(users::household_id.eq_any(household_ids))
        .filter(users::disabled_at.is_null())
        .order(users::id)
        .load(conn)
}

/// The active farmer accounts of a household: the people to tell about its entitlements.
pub fn farmers_of_household(conn: &mut DbConn, household_id: i32) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(users::household_id.eq(household_id))
        .filter(users::disabled_at.is_null())
        .load(conn)
}

/// The active staff of `role` responsible for a household of this amphoe: national ones, and
/// those of its province or of the amphoe itself.
pub fn staff_covering(
    conn: &mut DbConn,
    role: Role,
    amphoe_code: &str,
) -> QueryResult<Vec<UserRow>> {
    let staff: Vec<UserRow> = users::table
        .filter(users::role.eq(role))
        .filter(users::disabled_at.is_null())
        .order(users::id)
        .load(conn)?;
    Ok(staff
        .into_iter()
        .filter(|m| {
            crate::domain::AreaScope::from_codes(
                m.scope_province_code.as_deref(),
                m.scope_amphoe_code.as_deref(),
            )
            .contains(amphoe_code)
        })
        .collect())
}

/// Display names by user id.
pub fn names(
    conn: &mut DbConn,
    ids: &[i32],
) -> QueryResult<std::collections::HashMap<i32, String>> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect())
}

/// The active managers of the whole country.
pub fn national_managers(conn: &mut DbConn) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(users::role.eq(Role::Manager))
        .filter(users::disabled_at.is_null())
        .filter(users::scope_province_code.is_null())
        .filter(users::scope_amphoe_code.is_null())
        .load(conn)
}
