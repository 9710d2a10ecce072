-- Each campaign's Ed25519 key for signing handover packs (src/handover/key.rs): made on
-- first use; the secret half encrypted under the data key named by key_id, bound to the
-- campaign's id, like supporters' fields.
CREATE TABLE handover_keys (
    campaign_id uuid PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
    public_key bytea NOT NULL CHECK (length(public_key) = 32),
    secret_key bytea NOT NULL,
    key_id text NOT NULL,
    created_at timestamptz NOT NULL
);

-- What an export log row was for: a download ('export') or a handover pack ('handover to
-- ID', naming the target). `via` stays how it was asked for (web or cli).
ALTER TABLE export_log ADD COLUMN purpose text NOT NULL DEFAULT 'export';
