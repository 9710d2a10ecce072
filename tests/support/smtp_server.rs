//! The SMTP server the tests deliver to: real SMTP on a real loopback socket, so the outbox
//! is tested against the same protocol a mail server speaks.
//!
//! `tests/api` runs it inside the test process; the fault scripts and the browser test run it
//! as `target/debug/examples/smtp_server` (`examples/smtp_server.rs`). One implementation for
//! all, and nothing to install beyond Rust.
//!
//! The `mailin` crate parses SMTP and keeps the session's state; the socket loop is here on
//! tokio because `mailin-embedded`, its ready-made server, blocks a thread pool for good: it
//! can neither stop (tests take the server away and bring it back on the same port) nor hold
//! more than its pool's connections (the sender opens several lanes). mailin offers no
//! SMTPUTF8, so an address outside ASCII cannot be delivered here.
//!
//! It keeps each accepted message in memory and, given a directory, also writes it there as
//! `<ns>-<pid>-<n>.eml` with a first line `X-Rcpt-To: a,b`. A reply set with `reply_with`
//! (or, given a directory, the first line of its file `reply`) answers the end of DATA
//! instead, and that message is not kept. `refuse_recipients_with` answers each RCPT.
//!
//! It offers PIPELINING (RFC 2920), as Postfix and the large providers do, unless told not
//! to (`offer_pipelining`): it answers each command in turn as it reads it, which is all a
//! pipelining server must do. It counts the transactions whose RCPT had arrived with their
//! MAIL, in one write (`pipelined`).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use mailin::{Action, Handler, Response, SessionBuilder};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

#[derive(Default)]
pub struct Options {
    /// 0: a free port.
    pub port: u16,
    /// Also write each message here, and read the reply to DATA from `reply` here.
    pub dir: Option<PathBuf>,
    /// Wait this long before answering the end of DATA, so that a message stays in flight.
    pub delay: Duration,
}

/// One message as received: the envelope's sender and recipients and the bytes after DATA.
#[derive(Clone)]
pub struct Received {
    pub from: String,
    pub recipients: Vec<String>,
    pub raw: Vec<u8>,
}

pub struct SmtpServer {
    port: u16,
    shared: Arc<Shared>,
    running: Mutex<Option<Running>>,
}

struct Shared {
    dir: Option<PathBuf>,
    delay: Duration,
    reply: Mutex<Option<String>>,
    rcpt_reply: Mutex<Option<String>>,
    received: Mutex<Vec<Received>>,
    written: AtomicU64,
    pipelining: AtomicBool,
    pipelined: AtomicU64,
}

struct Running {
    stop: oneshot::Sender<()>,
    thread: JoinHandle<()>,
}

impl SmtpServer {
    /// Listens on 127.0.0.1 and accepts connections until `stop` or drop.
    pub fn start(options: Options) -> std::io::Result<SmtpServer> {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, options.port))?;
        let shared = Arc::new(Shared {
            dir: options.dir,
            delay: options.delay,
            reply: Mutex::new(None),
            rcpt_reply: Mutex::new(None),
            received: Mutex::new(Vec::new()),
            written: AtomicU64::new(0),
            pipelining: AtomicBool::new(true),
            pipelined: AtomicU64::new(0),
        });
        let server = SmtpServer { port: listener.local_addr()?.port(), shared, running: Mutex::new(None) };
        server.serve(listener)?;
        Ok(server)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Closes the port and every open connection: clients are refused until `restart`.
    pub fn stop(&self) {
        if let Some(running) = self.running.lock().unwrap().take() {
            let _ = running.stop.send(());
            let _ = running.thread.join();
        }
    }

    /// Listens again on the same port (after `stop`).
    pub fn restart(&self) -> std::io::Result<()> {
        self.stop();
        self.serve(std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, self.port))?)
    }

    /// Answers the end of DATA with `reply` (e.g. "451 4.3.0 try later"); `None` accepts.
    pub fn reply_with(&self, reply: Option<&str>) {
        *self.shared.reply.lock().unwrap() = reply.map(str::to_owned);
    }

    /// Answers every RCPT with `reply` (e.g. "550 5.1.1 no such user"); `None` accepts.
    pub fn refuse_recipients_with(&self, reply: Option<&str>) {
        *self.shared.rcpt_reply.lock().unwrap() = reply.map(str::to_owned);
    }

    /// Whether the EHLO replies of connections opened from now on offer PIPELINING.
    pub fn offer_pipelining(&self, offer: bool) {
        self.shared.pipelining.store(offer, Ordering::Relaxed);
    }

    /// Transactions so far whose MAIL and RCPT arrived in one write.
    pub fn pipelined(&self) -> u64 {
        self.shared.pipelined.load(Ordering::Relaxed)
    }

    /// Every message accepted so far, in the order received.
    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Runs the listener on a thread of its own, so that the server answers whatever the
    /// caller's runtime is doing (a test may block on a child process).
    fn serve(&self, listener: std::net::TcpListener) -> std::io::Result<()> {
        listener.set_nonblocking(true)?;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let (stop, stopped) = oneshot::channel();
        let shared = self.shared.clone();
        let thread = std::thread::spawn(move || {
            runtime.block_on(accept(listener, shared, stopped));
            // Dropping the runtime drops every session task, closing its connection.
            drop(runtime);
        });
        *self.running.lock().unwrap() = Some(Running { stop, thread });
        Ok(())
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn accept(listener: std::net::TcpListener, shared: Arc<Shared>, mut stopped: oneshot::Receiver<()>) {
    let listener = TcpListener::from_std(listener).expect("a listener in a runtime");
    loop {
        tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => {
                if let Ok((stream, peer)) = accepted {
                    tokio::spawn(session(stream, peer, shared.clone()));
                }
            }
        }
    }
}

async fn session(stream: TcpStream, peer: SocketAddr, shared: Arc<Shared>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let delay = shared.delay;
    let mut session =
        SessionBuilder::new("rallypost-test-smtp").build(peer.ip(), Recorder::new(shared.clone()));
    write.write_all(&session.greeting().buffer()?).await?;
    let mut line = Vec::with_capacity(1024);
    let mut in_data = false;
    loop {
        line.clear();
        if read.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        if in_data && line == b".\r\n" && !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let command = if in_data { Vec::new() } else { line.to_ascii_uppercase() };
        if command.starts_with(b"MAIL FROM:") && read.buffer().to_ascii_uppercase().starts_with(b"RCPT TO:") {
            shared.pipelined.fetch_add(1, Ordering::Relaxed);
        }
        let refusal = shared.rcpt_reply.lock().unwrap().clone().filter(|_| command.starts_with(b"RCPT TO:"));
        let response = match refusal {
            Some(reply) => refusal_reply(&reply),
            None => session.process(&line),
        };
        match response.action {
            Action::NoReply => continue,
            Action::Reply | Action::UpgradeTls => {
                let mut reply = response.buffer()?;
                if command.starts_with(b"EHLO")
                    && response.code == 250
                    && shared.pipelining.load(Ordering::Relaxed)
                {
                    reply = offering_pipelining(&reply);
                }
                write.write_all(&reply).await?;
            }
            Action::Close => {
                write.write_all(&response.buffer()?).await?;
                return Ok(());
            }
        }
        in_data = response.code == 354;
    }
}

/// mailin's handler for one connection: collects the message and decides the reply.
struct Recorder {
    shared: Arc<Shared>,
    from: String,
    recipients: Vec<String>,
    data: Vec<u8>,
}

impl Recorder {
    fn new(shared: Arc<Shared>) -> Recorder {
        Recorder { shared, from: String::new(), recipients: Vec::new(), data: Vec::new() }
    }

    /// The reply asked for instead of acceptance, if any.
    fn refusal(&self) -> Option<Response> {
        let asked = self.shared.reply.lock().unwrap().clone().or_else(|| {
            let file = self.shared.dir.as_ref()?.join("reply");
            let text = std::fs::read_to_string(file).ok()?;
            Some(text.lines().next()?.trim().to_owned())
        })?;
        Some(after_data(refusal_reply(&asked)))
    }

    fn write_file(&self, message: &Received) -> std::io::Result<()> {
        let Some(dir) = &self.shared.dir else { return Ok(()) };
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let n = self.shared.written.fetch_add(1, Ordering::Relaxed);
        let name = format!("{nanos}-{}-{n}", std::process::id());
        let partial = dir.join(format!(".{name}"));
        let mut bytes = format!("X-Rcpt-To: {}\r\n", message.recipients.join(",")).into_bytes();
        bytes.extend_from_slice(&message.raw);
        std::fs::write(&partial, bytes)?;
        std::fs::rename(partial, dir.join(format!("{name}.eml")))
    }
}

impl Handler for Recorder {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.from = from.to_owned();
        self.recipients = to.to_vec();
        self.data.clear();
        mailin::response::START_DATA
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(refusal) = self.refusal() {
            return refusal;
        }
        let message = Received {
            from: std::mem::take(&mut self.from),
            recipients: std::mem::take(&mut self.recipients),
            raw: std::mem::take(&mut self.data),
        };
        if self.write_file(&message).is_err() {
            return after_data(mailin::response::INTERNAL_ERROR);
        }
        self.shared.received.lock().unwrap().push(message);
        mailin::response::OK
    }
}

/// A reply such as "550 5.1.1 no such user".
fn refusal_reply(reply: &str) -> Response {
    let (code, text) = reply.split_once(' ').unwrap_or((reply, ""));
    Response::custom(code.parse().unwrap_or(451), text.to_owned())
}

/// mailin's EHLO reply with PIPELINING among its extensions: "250-PIPELINING" after the
/// greeting line (a one-line reply becomes two).
fn offering_pipelining(reply: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(reply);
    let (greeting, rest) = text.split_once("\r\n").unwrap_or((&text, ""));
    let greeting = greeting.replacen("250 ", "250-", 1);
    let rest =
        if rest.is_empty() { "250 PIPELINING\r\n".to_owned() } else { format!("250-PIPELINING\r\n{rest}") };
    format!("{greeting}\r\n{rest}").into_bytes()
}

/// A refusal at the end of DATA that still ends the transaction. mailin keeps a session in
/// its DATA state after an error reply there, so the client's next MAIL would be read as
/// message text; a real server (and aiosmtpd) takes the next transaction.
fn after_data(mut refusal: Response) -> Response {
    refusal.is_error = false;
    refusal
}
