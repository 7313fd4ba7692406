//! An officer's change to a household's farm record. Each change is stored with its audit
//! entries, then the household is decided again at once, so the farmer's page and notices
//! follow (anything newly due is told by notice and mail).

use crate::db::audit::Actor;
use crate::db::registry::{self, PlantingInput, PlantingRow, PlotInput, PlotRow};
use crate::db::DbConn;
use crate::domain::Species;
use crate::rules::RuleSet;
use crate::services::entitlements::{reevaluate_households, Changes, Notify};
use chrono::NaiveDateTime;

/// One change to one household's record.
pub enum Edit {
    AddPlot(PlotInput),
    UpdatePlot(PlotRow, PlotInput),
    AddPlanting(PlotRow, PlantingInput),
    UpdatePlanting(PlantingRow, PlantingInput),
    RemovePlanting(PlantingRow),
    /// Every species' head count at once; zero removes the species.
    SetLivestock(Vec<(Species, i32)>),
}

/// Who changes what, and how the re-decision tells the farmer.
pub struct Editing<'a> {
    pub rules: &'a RuleSet,
    pub notify: &'a Notify,
    pub actor: &'a Actor,
    pub household_id: i32,
}

pub fn apply(
    conn: &mut DbConn,
    editing: &Editing<'_>,
    edit: &Edit,
    now: NaiveDateTime,
) -> anyhow::Result<Changes> {
    let (actor, household_id) = (editing.actor, editing.household_id);
    match edit {
        Edit::AddPlot(input) => {
            registry::add_plot(conn, actor, household_id, input, now)?;
        }
        Edit::UpdatePlot(plot, input) => registry::update_plot(conn, actor, plot, input, now)?,
        Edit::AddPlanting(plot, input) => {
            registry::add_planting(conn, actor, plot, input, now)?;
        }
        Edit::UpdatePlanting(planting, input) => {
            registry::update_planting(conn, actor, household_id, planting, input, now)?
        }
        Edit::RemovePlanting(planting) => {
            registry::remove_planting(conn, actor, household_id, planting, now)?
        }
        Edit::SetLivestock(counts) => {
            registry::set_livestock(conn, actor, household_id, counts, now)?
        }
    }
    reevaluate_households(conn, editing.rules, &[household_id], now, editing.notify)
}
