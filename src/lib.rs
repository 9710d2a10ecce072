//! rallypost: a backend for advocacy campaigns.

pub mod campaigns;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod crypto;
pub mod db;
pub mod dkim;
pub mod domain;
pub mod export;
pub mod gauges;
pub mod housekeeping;
pub mod i18n;
pub mod ids;
pub mod letters;
pub mod mailings;
pub mod metrics;
pub mod organizers;
pub mod outbox;
pub mod progress;
pub mod reports;
pub mod signatures;
pub mod startup;
pub mod suppressions;
pub mod web;
