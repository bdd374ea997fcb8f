//! Human and JSON renderings of results, shared by the CLI and the TUI.

mod entry_json;
mod plan;
mod search;

pub use plan::{
    GuardsJson, PlanJson, field_line, guards_json, marker, verification_line, verified_counts, write_apply_json,
    write_apply_summary, write_guards, write_plan_json, write_plan_summary, write_verification,
};
pub use search::{SearchCounts, thousands, write_search_json, write_search_summary};
