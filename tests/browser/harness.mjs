// What the browser test runs against: the real server binary (zero-config, so it starts
// its own PostgreSQL cluster in a temporary data dir), the real SMTP server the Rust tests
// use (tests/support/smtp_server.rs, as target/debug/examples/smtp_server), and Debian's
// Chromium. Nothing here is a stub.

import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, createWriteStream, existsSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

export const ROOT = resolve(import.meta.dirname, "../..");
export const ARTIFACTS = join(ROOT, "target/browser-artifacts");
export const SLUG = "end-forced-returns";
mkdirSync(ARTIFACTS, { recursive: true });

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
    server.on("error", fail);
  });
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

async function waitFor(what, check, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The tests' SMTP server (cargo build --example smtp_server): each message an .eml file. */
export async function startMail() {
  const dir = mkdtempSync(join(tmpdir(), "rallypost-browser-mail-"));
  const port = await freePort();
  const bin = process.env.RALLYPOST_SMTP_BIN ?? join(ROOT, "target/debug/examples/smtp_server");
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run cargo build --bins --examples first`);
  const child = spawn(bin, ["--port", String(port), "--dir", dir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((ok, fail) => {
    child.stdout.once("data", (d) => (String(d).trim() === "ready" ? ok() : fail(new Error(`SMTP server: ${d}`))));
    child.once("exit", (code) => fail(new Error(`SMTP server exited with ${code}`)));
  });
  return { url: `smtp://127.0.0.1:${port}`, dir, stop: () => child.kill() };
}

/** The real `rallypost serve`, zero-config, in a fresh data dir; `campaignsDir` replaces
 * the shipped campaigns. `cli(args)` runs another rallypost command against the same
 * installation and returns what it printed. */
export async function startServer(smtpUrl, { campaignsDir } = {}) {
  const bin = process.env.RALLYPOST_BIN ?? join(ROOT, "target/debug/rallypost");
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run cargo build first`);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // Run as root, the server starts PostgreSQL as the `postgres` user, which must be
  // able to enter the data dir (mkdtemp makes it 0700).
  const dataDir = mkdtempSync(join(tmpdir(), "rallypost-browser-data-"));
  chmodSync(dataDir, 0o755);
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    RALLYPOST_DATA_DIR: dataDir,
    RALLYPOST_BIND: `127.0.0.1:${port}`,
    RALLYPOST_BASE_URL: base,
    RALLYPOST_SMTP_URL: smtpUrl,
    RALLYPOST_CAMPAIGNS_DIR: campaignsDir ?? join(ROOT, "campaigns"),
    RALLYPOST_SIGN_RATE: "off",
    RALLYPOST_MAIL_FROM: "End forced returns <campaign@rallypost.example>",
  };
  if (process.env.RALLYPOST_BROWSER_DATABASE_URL) env.RALLYPOST_DATABASE_URL = process.env.RALLYPOST_BROWSER_DATABASE_URL;
  const log = createWriteStream(join(ARTIFACTS, "server.log"));
  const child = spawn(bin, ["serve"], { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  child.once("exit", (code) => (exited = code));
  await waitFor("the server to be ready", async () => {
    if (exited !== null) return "exited";
    const r = await fetch(`${base}/readyz`);
    return r.ok;
  }, 120_000)
    .then(() => {
      if (exited !== null) throw new Error(`rallypost serve exited with ${exited}; see ${ARTIFACTS}/server.log`);
    }).catch((e) => {
    child.kill();
    throw e;
  });
  return {
    base,
    cli: (args, input) => execFileSync(bin, args, { env, encoding: "utf8", input }),
    stop: () =>
      new Promise((ok) => {
        if (exited !== null) return ok();
        child.once("exit", ok);
        child.kill("SIGTERM");
      }),
  };
}

const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** Debian's Chromium, never a downloaded browser. */
export function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/** Chromium with a fresh profile whose cookie setting is `cookieControlsMode`, the
 * profile preference behind chrome://settings/cookies: 0 allows third-party cookies,
 * 1 blocks them. (A context from `launchBrowser` is off the record, where Chromium's
 * default already blocks them; a profile says so explicitly, and can say the opposite.) */
export function launchProfile(cookieControlsMode) {
  const dir = mkdtempSync(join(tmpdir(), "rallypost-browser-profile-"));
  mkdirSync(join(dir, "Default"));
  writeFileSync(join(dir, "Default", "Preferences"), JSON.stringify({ profile: { cookie_controls_mode: cookieControlsMode } }));
  return chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
}

function decodeQuotedPrintable(text) {
  const bytes = [];
  const soft = text.replace(/=\r?\n/g, "");
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === "=" && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i], "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** The newest message to `address` sent after `after` (ms) whose text matches `pattern`,
 * waiting for it; returns its decoded text part. */
export async function mailTo(mail, address, after = 0, pattern = /./) {
  return waitFor(`an email to ${address}`, async () => {
    const files = readdirSync(mail.dir).filter((f) => f.endsWith(".eml")).sort();
    for (const file of files.reverse()) {
      const raw = readFileSync(join(mail.dir, file), "latin1");
      if (!raw.startsWith(`X-Rcpt-To: ${address}\r\n`) || Number(file.split("-")[0]) / 1e6 < after) continue;
      const part = raw.split(/Content-Type: text\/plain[^\n]*\n/i)[1]?.split(/\r?\n--/)[0] ?? "";
      const headers = part.match(/^[\s\S]*?\r?\n\r?\n/)?.[0] ?? "";
      const text = part.slice(headers.length);
      // Mostly non-Latin text (Dari, Pashto) is sent base64, the rest quoted-printable.
      const decoded = /^Content-Transfer-Encoding: base64/im.test(headers)
        ? Buffer.from(text.replace(/\s+/g, ""), "base64").toString("utf8")
        : decodeQuotedPrintable(text);
      if (pattern.test(decoded)) return decoded;
    }
    return null;
  }, 20_000);
}

/** axe-core in the page (evaluated over the DevTools protocol, so the page's CSP stays on). */
export async function axe(page, axeSource) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  return { violations: result.violations, serious };
}
