//! Integration tests: the real HTTP server on a real port, a real PostgreSQL (a fresh
//! database per test, copied from a migrated template) and a real SMTP server.

mod anonymous;
mod api;
mod client_address;
mod closing;
mod commands;
mod confirming;
mod dashboard;
mod database_wire;
mod default_deny;
mod erasure;
mod export;
mod handover;
mod helpers;
mod hostile_input;
mod https_cookies;
mod known_browsers;
mod languages;
mod letters;
mod mail_delivery;
mod mailings;
mod metrics;
mod organizer_commands;
mod organizers;
mod outage;
mod partners;
mod privacy;
mod private_files;
mod reminders;
mod request_bodies;
mod signing;
mod waking;
mod webhooks;
mod xlsx_export;
mod zero_config;
