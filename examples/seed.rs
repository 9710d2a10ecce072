//! Writes N encrypted signatures in PostgreSQL's COPY text format to stdout, for the 10M
//! benchmarks (bench/scale.sh pipes it into `psql -c "\copy signatures (...) from stdin"`).
//!
//! The rows are what signing would have stored: ids made from the signing time (UUIDv7),
//! names, addresses, postcodes and comments sealed under `RALLYPOST_DATA_KEY` with the
//! lookup key of each address, spread over 180 days the way a petition grows (a launch,
//! a few surges that decay, a slow tail), 80% confirmed, 18% pending, 2% withdrawn (their
//! personal data erased, as withdrawal does), countries weighted towards the campaign's
//! audience, some through partners. Deterministic: the same N gives the same rows apart
//! from the nonces, so runs compare.
//!
//! ```text
//! SEED_N=10000000 SEED_CAMPAIGN=<uuid> RALLYPOST_DATA_KEY=<64 hex> \
//!     target/release/examples/seed | psql "$URL" -c "\copy signatures ($COLUMNS) from stdin"
//! ```
//! `COLUMNS` is printed by `seed --columns`.

use std::io::{BufWriter, Write};

use chrono::{DateTime, Duration, TimeZone, Utc};
use rallypost::crypto::{DataKeys, Field, parse_key};
use uuid::Uuid;

const COLUMNS: &str = "id, campaign_id, status, email_key, email, name, country, postcode, comment, \
    consent_to_targets, updates_opt_in, language, confirm_token_hash, withdraw_token_hash, signed_at, confirmation_sent_at, \
    confirmed_at, withdrawn_at, key_id, consent_text_sha256, partner_id, partner_opt_in, partner_consent_sha256, utm_source, anonymous";

const COUNTRIES: &[(&str, u32)] = &[
    ("DE", 30),
    ("AT", 14),
    ("AF", 10),
    ("FR", 6),
    ("NL", 5),
    ("SE", 5),
    ("IT", 4),
    ("GB", 4),
    ("IR", 3),
    ("PK", 3),
    ("BE", 3),
    ("CH", 3),
    ("ES", 3),
    ("DK", 2),
    ("PL", 2),
    ("US", 2),
    ("CA", 1),
];
const GIVEN: &[&str] =
    &["Mina", "Anna", "Lukas", "Zahra", "Sophie", "Ahmad", "Fatima", "Jonas", "Marie", "Omid"];
const FAMILY: &[&str] = &["Ahmadi", "Müller", "Rahimi", "Gruber", "Karimi", "Schmidt", "Hosseini", "Wagner"];
const DARI: &[&str] = &["محمد رحیمی", "فرشته احمدی", "مریم کریمی", "ښکلې ځدراڼ"];

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--columns") {
        println!("{COLUMNS}");
        return Ok(());
    }
    let n: u64 = std::env::var("SEED_N")?.parse()?;
    let campaign: Uuid = std::env::var("SEED_CAMPAIGN")?.parse()?;
    let keys =
        DataKeys::new(parse_key(&std::env::var("RALLYPOST_DATA_KEY")?).map_err(anyhow::Error::msg)?, &[]);
    let start = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let mut rng = SplitMix(0x5eed);
    // Signing times in order: the i-th signature's point on the growth curve.
    for i in 0..n {
        let signed_at = start + Duration::milliseconds(curve(i as f64 / n as f64));
        let row = SeedRow::new(i, signed_at, &mut rng);
        row.write(&mut out, campaign, &keys)?;
    }
    out.flush()?;
    Ok(())
}

/// Milliseconds after the start for the signature at `share` (0..1) of all: half in the
/// first 20 days (the launch and its surges), the rest spread over the remaining 160.
fn curve(share: f64) -> i64 {
    let day = 86_400_000.0;
    let days =
        if share < 0.5 { 20.0 * (share / 0.5).powf(1.6) } else { 20.0 + 160.0 * ((share - 0.5) / 0.5) };
    (days * day) as i64
}

struct SeedRow {
    i: u64,
    id: Uuid,
    signed_at: DateTime<Utc>,
    roll: u64,
    country: &'static str,
}

impl SeedRow {
    fn new(i: u64, signed_at: DateTime<Utc>, rng: &mut SplitMix) -> Self {
        let ts = uuid::Timestamp::from_unix(
            uuid::NoContext,
            signed_at.timestamp() as u64,
            signed_at.timestamp_subsec_nanos(),
        );
        let roll = rng.next();
        let total: u32 = COUNTRIES.iter().map(|c| c.1).sum();
        let mut pick = (rng.next() % u64::from(total)) as u32;
        let country = COUNTRIES
            .iter()
            .find(|(_, w)| {
                if pick < *w {
                    return true;
                }
                pick -= w;
                false
            })
            .map_or("DE", |c| c.0);
        SeedRow { i, id: Uuid::new_v7(ts), signed_at, roll, country }
    }

    fn write(&self, out: &mut impl Write, campaign: Uuid, keys: &DataKeys) -> std::io::Result<()> {
        let status = match self.roll % 100 {
            0..80 => "confirmed",
            80..98 => "pending",
            _ => "withdrawn",
        };
        let live = status != "withdrawn";
        let field = |column| Field { column, row: &self.id };
        let email = format!("supporter.{}@example.org", self.i);
        let name = match self.roll % 7 {
            0 | 1 => format!("{} {}", DARI[(self.roll / 7 % 4) as usize], self.i),
            _ => format!(
                "{} {} {}",
                GIVEN[(self.roll / 7 % 10) as usize],
                FAMILY[(self.roll / 70 % 8) as usize],
                self.i
            ),
        };
        let lang = match self.country {
            "AF" | "IR" | "PK" => "fa-AF",
            "DE" | "AT" | "CH" => "de",
            _ => "en",
        };
        let confirmed_at = (status == "confirmed").then(|| self.signed_at + Duration::minutes(4));
        let withdrawn_at = (status == "withdrawn").then(|| self.signed_at + Duration::days(3));
        let partner = match self.roll / 1000 % 10 {
            0..3 => Some("exile-network"),
            _ => None,
        };
        let sealed = |column, text: &str| live.then(|| bytea(&keys.encrypt(field(column), text.as_bytes())));
        // A withdrawn signature keeps no lookup key (NULL).
        let email_key = live.then(|| bytea(&keys.email_lookup(&email)));
        let opted_in = partner.is_some() && self.roll % 2 == 1;
        let fields: [Option<String>; 25] = [
            Some(self.id.to_string()),
            Some(campaign.to_string()),
            Some(status.to_owned()),
            email_key,
            sealed("signatures.email", &email),
            sealed("signatures.name", &name),
            Some(self.country.to_owned()),
            self.roll
                .is_multiple_of(2)
                .then(|| format!("{:05}", self.i % 100_000))
                .and_then(|p| sealed("signatures.postcode", &p)),
            self.roll
                .is_multiple_of(5)
                .then_some("Stop the deportations now")
                .and_then(|c| sealed("signatures.comment", c)),
            Some("t".into()),
            Some(if self.roll.is_multiple_of(3) { "t" } else { "f" }.into()),
            Some(lang.into()),
            // Token digests as signing and confirming store them (`secret::row_digest`): the
            // confirmation link's until withdrawal, the withdrawal link's from confirmation.
            live.then(|| bytea(&token_digest(self.id, 0xc0))),
            (status != "pending").then(|| bytea(&token_digest(self.id, 0x3d))),
            Some(timestamp(self.signed_at)),
            Some(timestamp(self.signed_at)),
            confirmed_at.map(timestamp),
            withdrawn_at.map(timestamp),
            Some(keys.current_id().to_owned()),
            Some("\\\\x9f2c4e1b7a0d3c5e8f6a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6".into()),
            partner.map(str::to_owned),
            Some(if opted_in { "t" } else { "f" }.into()),
            opted_in.then(|| "\\\\x4d1e0b7c2a9f3e5d6c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d".into()),
            match self.roll / 100 % 10 {
                0..3 => Some("newsletter".into()),
                3..5 => Some("whatsapp".into()),
                _ => None,
            },
            Some(if self.roll % 50 == 3 { "t" } else { "f" }.into()),
        ];
        let line: Vec<&str> = fields.iter().map(|f| f.as_deref().unwrap_or("\\N")).collect();
        writeln!(out, "{}", line.join("\t"))
    }
}

/// A stand-in for a token's digest: 16 bytes, unique per row and `kind`, spread like a hash
/// (the unique indexes on them fill as they do in production).
fn token_digest(id: Uuid, kind: u8) -> [u8; 16] {
    let mut state = SplitMix(u64::from_le_bytes(id.as_bytes()[8..].try_into().unwrap()) ^ u64::from(kind));
    let mut out = [0; 16];
    out[..8].copy_from_slice(&state.next().to_le_bytes());
    out[8..].copy_from_slice(&(id.as_u128() as u64 ^ state.next()).to_le_bytes());
    out
}

fn bytea(bytes: &[u8]) -> String {
    format!("\\\\x{}", hex::encode(bytes))
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S%.6f+00").to_string()
}

/// A tiny deterministic generator (SplitMix64): the seed needs spread, not security.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49eb_133b_111b);
        z ^ (z >> 31)
    }
}
