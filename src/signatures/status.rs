//! Where a signature stands. Stored as text in `signatures.status` (and in the dashboard's
//! `signature_day_counts`); SQL written out by hand names the same words, since a partial
//! index (`where status = 'confirmed'`) serves only a query that spells its value.

crate::db::text_enum! {
    pub enum SignatureStatus {
        /// Signed, waiting for its owner to confirm; deleted after 30 days.
        Pending = "pending",
        /// Confirmed by its owner: counted, exported, sent to the targets.
        Confirmed = "confirmed",
        /// Withdrawn by its owner: personal data erased, no longer counted.
        Withdrawn = "withdrawn",
    }
}
