//! Telling the staff: a notice on their page for everyone concerned, and an e-mail, in their
//! own language, to those who gave an address.

use crate::db::users::{self, UserRow};
use crate::db::{notices, DbConn};
use crate::domain::Role;
use crate::i18n::Tr;
use chrono::NaiveDateTime;

/// Whom a piece of news concerns.
#[derive(Clone, Copy)]
pub enum Staff<'a> {
    /// The officers whose area covers this amphoe.
    OfficersOf(&'a str),
    /// The managers whose area covers this amphoe (national ones included).
    ManagersOf(&'a str),
    /// Only the managers of the whole country.
    NationalManagers,
}

impl Staff<'_> {
    fn members(self, conn: &mut DbConn) -> diesel::QueryResult<Vec<UserRow>> {
        match self {
            Staff::OfficersOf(amphoe) => users::staff_covering(conn, Role::Officer, amphoe),
            Staff::ManagersOf(amphoe) => users::staff_covering(conn, Role::Manager, amphoe),
            Staff::NationalManagers => users::national_managers(conn),
        }
    }
}

/// A notice's kind (its catalogue key) and what it is about (a case reference, a request …).
pub struct Notice<'a> {
    pub kind: &'a str,
    pub subject: &'a str,
}

/// Gives each of `staff` the notice, and queues for each who has an e-mail address the mail
/// `write_mail` makes for them (in their language, by `Tr`, to the address given).
pub fn tell_staff(
    conn: &mut DbConn,
    staff: Staff,
    notice: &Notice,
    now: NaiveDateTime,
    mut write_mail: impl FnMut(&mut DbConn, Tr, &str, &UserRow) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    for member in staff.members(conn)? {
        notices::insert(conn, member.id, notice.kind, notice.subject, None, now)?;
        if let Some(email) = &member.email {
            write_mail(conn, Tr::new(member.locale()), email, &member)?;
        }
    }
    Ok(())
}
