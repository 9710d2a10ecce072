//! Where an endorsement stands, as an enum mapped to the `status` column.

use crate::db::text_enum;

text_enum! {
    /// `Pending` until its contact confirms, `Confirmed` until an organizer decides;
    /// only `Approved` ones are published. `Rejected` and `Withdrawn` are final and keep
    /// no contact address.
    pub enum EndorsementStatus {
        Pending = "pending",
        Confirmed = "confirmed",
        Approved = "approved",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
    }
}
