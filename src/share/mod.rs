//! Sharing that previews: what a link to a campaign looks like when someone pastes it into
//! WhatsApp, Telegram or a social network, and the links that invite them to.
//!
//! - `card`: the share image, a 1200x630 PNG with the campaign's title and live count, drawn
//!   from the SVG template `templates/share/card.svg` with resvg. Its fonts are compiled in
//!   (`assets/fonts/`, Noto Sans and Noto Sans Arabic): no system fonts, so the image is the
//!   same on every machine, and Dari and Pashto titles are shaped (letters joined, right to
//!   left) by resvg's text layout.
//! - `images`: the images made so far, one per campaign and language, remade at most every
//!   `FRESH_FOR`; one render at a time per image, however many previews ask at once.
//! - `preview`: the Open Graph and Twitter card tags of a campaign page.
//! - `links`: share links for the thanks and confirmed pages, each naming its channel in
//!   `utm_source` and keeping the partner (`via`) who brought the supporter.
//!
//! What a share image shows is decided here; fetching the count and answering HTTP is the
//! web layer's job.

mod card;
mod images;
mod links;
mod preview;

pub use card::{Card, CardError};
pub use images::{FRESH_FOR, Rendered, ShareImages};
pub use links::{Channel, ShareLinks};
pub use preview::Preview;

/// The share image's size: what Open Graph and Twitter's large card ask for (1.91:1).
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;
