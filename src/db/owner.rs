//! The application's own role in the private cluster: it owns its database and everything
//! in it (so migrations run as it), and nothing more: no superuser, so no `COPY ... TO
//! PROGRAM`, no other databases, no new roles. The `postgres` superuser is used only here.
//!
//! A database made by an earlier version belongs to `postgres`; it is handed over on the
//! next start (tables, sequences, types and functions in `public`, then the database).

use anyhow::{Context, bail};
use diesel::{Connection, PgConnection, RunQueryDsl};

use super::cluster::Cluster;

/// Makes sure `role` exists with only the right to log in, and owns database `name` and
/// everything in it; returns the URL to connect as `role`. Blocking.
pub fn owned_database(cluster: &Cluster, role: &str, name: &str) -> anyhow::Result<String> {
    for identifier in [role, name] {
        if identifier.is_empty()
            || !identifier.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            bail!("{identifier:?}: a role or database name here is lower-case letters, digits and _");
        }
    }
    let admin =
        || PgConnection::establish(&cluster.url("postgres")).context("connecting to the private PostgreSQL");
    let mut conn = admin()?;
    diesel::sql_query(format!(
        "do $$ begin
           if not exists (select from pg_roles where rolname = '{role}') then create role {role} login; end if;
         end $$"
    ))
    .execute(&mut conn)?;
    diesel::sql_query(format!(
        "alter role {role} login nosuperuser nocreatedb nocreaterole noreplication nobypassrls"
    ))
    .execute(&mut conn)?;
    let exists = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
        "exists (select from pg_database where datname = '{name}')"
    )))
    .get_result::<bool>(&mut conn)?;
    if !exists {
        diesel::sql_query(format!("create database {name} owner {role}")).execute(&mut conn)?;
        return Ok(cluster.url_as(role, name));
    }
    drop(conn);
    let mut conn = PgConnection::establish(&cluster.url(name))
        .with_context(|| format!("connecting to database {name} as its administrator"))?;
    conn.transaction(|conn| {
        diesel::sql_query(hand_over(role)).execute(conn)?;
        diesel::sql_query(format!("alter database {name} owner to {role}")).execute(conn)
    })?;
    Ok(cluster.url_as(role, name))
}

/// Gives `role` everything in schema `public` that someone else owns. Sequences come after
/// tables, since a table's own sequences follow it and refuse to move alone.
fn hand_over(role: &str) -> String {
    format!(
        "do $$ declare statement text; begin
           for statement in
             select format('alter table %s owner to {role}', c.oid::regclass) from pg_class c
             where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f')
               and c.relowner <> '{role}'::regrole
           loop execute statement; end loop;
           for statement in
             select format('alter sequence %s owner to {role}', c.oid::regclass) from pg_class c
             where c.relnamespace = 'public'::regnamespace and c.relkind = 'S' and c.relowner <> '{role}'::regrole
           loop execute statement; end loop;
           for statement in
             select format('alter type %s owner to {role}', t.oid::regtype) from pg_type t
             where t.typnamespace = 'public'::regnamespace and t.typtype in ('e', 'd', 'r')
               and t.typowner <> '{role}'::regrole
           loop execute statement; end loop;
           for statement in
             select format('alter routine %s owner to {role}', p.oid::regprocedure) from pg_proc p
             where p.pronamespace = 'public'::regnamespace and p.proowner <> '{role}'::regrole
           loop execute statement; end loop;
         end $$"
    )
}
