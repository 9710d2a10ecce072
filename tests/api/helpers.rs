//! The test harness, after zero-to-production's `spawn_app` and crates.io's test databases:
//! the application on a free port (`app`), a fresh database per test copied from a migrated
//! template and dropped at the end (`db`), a real SMTP server per test (`mail`),
//! a real IMAP server for the tests that need one (`imap`), and rows
//! written straight into the database (`seed`). Tests import everything from here.

mod app;
mod db;
mod imap;
mod mail;
mod route_rows;
mod seed;

use std::net::TcpListener;
use std::path::{Path, PathBuf};

pub use app::*;
pub use db::*;
pub use imap::*;
pub use mail::*;
pub use route_rows::*;
pub use seed::*;

pub const SLUG: &str = "end-forced-returns";

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A directory under the system's temp dir, removed with everything in it when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
