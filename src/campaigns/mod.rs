//! Campaigns: the TOML files organizers write, their import, and the stored model that
//! pages and letters read. Signatures and letters live in their own modules.

mod cache;
mod file;
mod store;

pub use cache::CampaignCache;
pub use file::{CampaignFile, CampaignStatus, Dispatch, DispatchMode, LetterText, PageText, Target};
pub use store::{Campaign, find_by_id, find_by_slug, import_dir, import_file, list, upsert};
