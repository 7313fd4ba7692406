//! The JSON the SMS gateway (ANTS) answers a send with and posts its delivery reports in:
//! the same `details` shape. Shared by the sender (`jobs::sms`) and the report hook
//! (`web::hooks`).

use super::delivery::Report;
use serde::Deserialize;

/// The most reports one call may carry (the gateway sends at most 500 numbers per request).
pub const MAX_DETAILS: usize = 500;

/// The gateway's answer, and its delivery reports: the same `details` shape.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Details {
    #[serde(default)]
    pub details: Vec<Detail>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Detail {
    #[serde(default)]
    pub message_id: String,
    #[serde(default)]
    pub status: Status,
}

#[derive(Deserialize, Default)]
pub struct Status {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
}

impl Status {
    /// What the status means for the message: ANTS's general statuses by name.
    pub fn report(&self) -> Report {
        match self.name.to_ascii_uppercase().as_str() {
            "DELIVERED" | "COMPLETED" => Report::Delivered,
            "UNDELIVERED" | "EXPIRED" | "REJECTED" => {
                Report::Undelivered(format!("{} {} {}", self.name, self.code, self.description))
            }
            _ => Report::Pending,
        }
    }
}
