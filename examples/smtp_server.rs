//! The tests' SMTP server as a program, for the fault scripts (`faults/common.py`) and the
//! browser test (`tests/browser/harness.mjs`): prints `ready` once it listens, then runs
//! until killed. `cargo test` builds it; so does `cargo build --example smtp_server`.
//!
//!   target/debug/examples/smtp_server --port 2525 --dir /tmp/mail [--delay 0.5]

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

// The in-process controls (`reply_with`, `received`) serve `tests/api`; here a `reply` file
// in the directory does what `reply_with` does.
#[allow(dead_code)]
#[path = "../tests/support/smtp_server.rs"]
mod smtp_server;

#[derive(Parser)]
struct Args {
    /// Port on 127.0.0.1 (0: any free port, printed after `ready`)
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Where each message is written as an .eml file, and where a `reply` file is read
    #[arg(long)]
    dir: PathBuf,
    /// Seconds to wait before answering the end of DATA
    #[arg(long, default_value_t = 0.0)]
    delay: f64,
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let server = smtp_server::SmtpServer::start(smtp_server::Options {
        port: args.port,
        dir: Some(args.dir),
        delay: Duration::from_secs_f64(args.delay),
    })?;
    println!("ready");
    if args.port == 0 {
        println!("{}", server.port());
    }
    loop {
        std::thread::park();
    }
}
