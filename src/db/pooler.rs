//! What sits between rallypost and PostgreSQL, and what that forbids on a connection.

/// What `RALLYPOST_DATABASE_URL` reaches: PostgreSQL itself (or a pooler that keeps one
/// server connection per client, like PgBouncer in session mode), or a pooler that hands
/// each transaction to whichever server connection is free (PgBouncer, pgcat or a cloud
/// proxy in transaction mode). Behind the latter nothing may outlive a transaction on
/// the server: no cached prepared statements, no `LISTEN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pooler {
    None,
    Transaction,
}

impl Pooler {
    /// Whether connections may keep named prepared statements across transactions.
    pub fn keeps_prepared_statements(self) -> bool {
        self == Pooler::None
    }

    /// Whether a worker may `LISTEN` for new mail on a connection of its own.
    pub fn allows_listen(self) -> bool {
        self == Pooler::None
    }
}

/// The database a command or server uses: its URL and what stands in front of it.
#[derive(Clone, Debug)]
pub struct Target {
    pub url: String,
    pub pooler: Pooler,
}

impl Target {
    /// PostgreSQL itself, with nothing in between.
    pub fn direct(url: impl Into<String>) -> Target {
        Target { url: url.into(), pooler: Pooler::None }
    }
}
