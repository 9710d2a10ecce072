//! Types that parse supporter input once, at the edge. After parsing, a value of one of
//! these types is known to be valid; nothing downstream checks again.

mod country;
mod email;
mod error;
mod lang;
mod slug;
mod text;
mod website;

pub use country::Country;
pub use email::SupporterEmail;
pub use error::FieldError;
pub use lang::{Lang, accept_language_tags};
pub use slug::{Slug, is_slug_shaped};
pub use text::{Comment, OrganisationName, Postcode, SupporterName, is_direction_control};
pub use website::Website;
