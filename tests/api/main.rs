//! Integration tests: the real HTTP server on a real port, a real PostgreSQL (a fresh
//! database per test, copied from a migrated template) and a real SMTP server.

mod api;
mod commands;
mod confirming;
mod dashboard;
mod database_wire;
mod default_deny;
mod export;
mod helpers;
mod hostile_input;
mod languages;
mod letters;
mod mail_delivery;
mod organizers;
mod outage;
mod privacy;
mod private_files;
mod signing;
mod zero_config;
