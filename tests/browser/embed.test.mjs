// The form embedded in a partner's page, in Chromium with third-party cookies blocked: a
// page served from another site (http://localhost:PORT, while rallypost is at
// http://127.0.0.1:PORT) frames /c/{slug}/embed with the partner's code and a source; a
// supporter signs inside the frame, confirms from the email, and the export shows the
// signature with the partner and the source. The test proves that no cookie reached the
// framed pages (a SameSite=None cookie for rallypost that a profile allowing third-party
// cookies does send is not sent here), and that a page from a site not in
// `embed_origins` cannot frame the form. Screenshots go to target/browser-artifacts/.
//
//   cargo build --bins --examples && (cd tests/browser && npm ci && npm test)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { ARTIFACTS, ROOT, SLUG, axe, launchProfile, mailTo, startMail, startServer } from "./harness.mjs";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const LIMIT = { timeout: 120_000 };
const EMBED_QUERY = "?via=exile-network&utm_source=partner-site&utm_medium=embed";
let mail, server, partner, stranger;

/** A partner's page on its own port: an article with the campaign's form framed in it. */
async function partnerSite() {
  const site = createServer((req, res) => {
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.end(`<!doctype html><html lang="en"><head><title>Partner news</title></head><body>
<h1>Afghan Exile Network: act now</h1><p>Sign the call below.</p>
<iframe id="petition" src="${server.base}/c/${SLUG}/embed${EMBED_QUERY}" title="Sign the call" width="100%" height="1100" style="border:0"></iframe>
</body></html>`);
  });
  await new Promise((ok) => site.listen(0, "127.0.0.1", ok));
  // Reached as localhost: another site than 127.0.0.1, so rallypost's cookies are third-party there.
  return { origin: `http://localhost:${site.address().port}`, close: () => site.close() };
}

before(async () => {
  partner = await partnerSite();
  stranger = await partnerSite();
  // The shipped campaign, listing this run's partner page as the only site that may frame it.
  const campaigns = mkdtempSync(join(tmpdir(), "rallypost-browser-campaigns-"));
  const shipped = readFileSync(join(ROOT, "campaigns", `${SLUG}.toml`), "utf8");
  const listed = shipped.replace(/^embed_origins = .*$/m, `embed_origins = ["${partner.origin}"]`);
  assert.notEqual(listed, shipped, "the shipped campaign has an embed_origins line");
  writeFileSync(join(campaigns, `${SLUG}.toml`), listed);
  mail = await startMail();
  server = await startServer(mail.url, { campaignsDir: campaigns });
});

after(async () => {
  await server?.stop();
  mail?.stop();
  partner?.close();
  stranger?.close();
});

/** Notes, per URL path of rallypost, whether its requests carried a Cookie header. */
function watchCookies(page) {
  const sent = [];
  page.on("request", async (request) => {
    if (!request.url().startsWith(server.base)) return;
    const headers = await request.allHeaders();
    const inFrame = request.frame() !== page.mainFrame();
    sent.push({ path: new URL(request.url()).pathname, method: request.method(), inFrame, cookie: headers.cookie ?? null });
  });
  return sent;
}

/** A rallypost cookie every request to it would carry, third-party ones included, unless
 * the browser blocks third-party cookies. Set by a page of rallypost's origin (Chromium
 * takes a `Secure` cookie from http://127.0.0.1, a secure context, but not from addCookies). */
async function plantProbe(page) {
  await page.goto(`${server.base}/healthz`);
  await page.evaluate(() => {
    document.cookie = "probe=1; SameSite=None; Secure; Path=/";
  });
  assert.match(await page.evaluate(() => document.cookie), /probe=1/);
}

test("a profile that allows third-party cookies would send rallypost's cookie into the frame", LIMIT, async () => {
  const context = await launchProfile(0);
  const page = context.pages()[0] ?? (await context.newPage());
  await plantProbe(page);
  const sent = watchCookies(page);
  await page.goto(`${partner.origin}/`, { waitUntil: "networkidle" });
  const embed = sent.find((r) => r.path === `/c/${SLUG}/embed` && r.inFrame);
  assert.ok(embed, "the frame loaded the embed");
  assert.match(embed.cookie ?? "", /probe=1/, "so the blocking below is what keeps it out");
  await context.close();
});

test("a supporter signs inside a partner's frame with third-party cookies blocked, and the signature carries the partner and source", LIMIT, async () => {
  const context = await launchProfile(1);
  const page = context.pages()[0] ?? (await context.newPage());
  await page.setViewportSize({ width: 1280, height: 1300 });
  await plantProbe(page);
  // The supporter has been on the campaign's own page before: its CSRF cookie exists too.
  await page.goto(`${server.base}/c/${SLUG}`);
  const sent = watchCookies(page);

  await page.goto(`${partner.origin}/`, { waitUntil: "networkidle" });
  await page.screenshot({ path: join(ARTIFACTS, "embed-partner-page.png"), fullPage: true });
  const frame = page.frameLocator("#petition");
  await frame.locator("#name").fill("Farid Rahimi");
  await frame.locator("#email").fill("farid@example.org");
  await frame.locator("#country").selectOption("AT");
  await frame.locator("#consent").check();
  await frame.locator("#optin").check();
  await page.screenshot({ path: join(ARTIFACTS, "embed-partner-filled.png"), fullPage: true });
  await frame.locator("button[type=submit]").click();
  await frame.locator("h1", { hasText: /check your inbox/i }).waitFor();
  await page.screenshot({ path: join(ARTIFACTS, "embed-partner-thanks.png"), fullPage: true });
  assert.equal(page.url(), `${partner.origin}/`, "the supporter stayed on the partner's page");

  const framed = sent.filter((r) => r.inFrame);
  const paths = framed.map((r) => `${r.method} ${r.path}`);
  assert.ok(paths.includes(`GET /c/${SLUG}/embed`), paths.join(", "));
  assert.ok(paths.includes(`POST /c/${SLUG}/embed`), paths.join(", "));
  assert.ok(paths.includes(`GET /c/${SLUG}/embed/thanks`), paths.join(", "));
  assert.deepEqual(framed.filter((r) => r.cookie !== null), [], "no cookie reached a framed page");

  // The confirmation link opens rallypost itself, top level: first-party, as always.
  const text = await mailTo(mail, "farid@example.org", 0, /\/confirm\//);
  const link = text.match(/http:\/\/127\.0\.0\.1:\d+\/confirm\/[A-Za-z0-9_-]+(\?lang=[A-Za-z-]+)?/)?.[0];
  assert.ok(link, text);
  await page.goto(link);
  await Promise.all([page.waitForLoadState("load"), page.click("form button[type=submit]")]);
  await page.waitForSelector(".share");

  const csv = server.cli(["export", SLUG, "--status", "confirmed"]);
  const [header, ...rows] = csv.trim().split("\n");
  const columns = header.split(",");
  const row = rows.find((r) => r.includes("farid@example.org"))?.split(",");
  assert.ok(row, csv);
  const cell = (name) => row[columns.indexOf(name)];
  assert.equal(cell("partner"), "exile-network");
  assert.equal(cell("source"), "partner-site");
  assert.equal(cell("medium"), "embed");

  // The organizers' dashboard counts it under the partner and the source, and offers the snippet.
  server.cli(["organizer", "add", "lead@example.org", "--password-stdin"], "a long enough password 2026\n");
  await page.goto(`${server.base}/admin/login`);
  await page.fill("#email", "lead@example.org");
  await page.fill("#password", "a long enough password 2026");
  await Promise.all([page.waitForURL(/\/admin$/), page.click("form button[type=submit]")]);
  await page.goto(`${server.base}/admin/c/${SLUG}`);
  const partnerRow = await page.locator("table.partners tr", { hasText: "Afghan Exile Network" }).innerText();
  assert.match(partnerRow, /Afghan Exile Network\s+1\s+1\s+100%\s+1/);
  assert.match(await page.locator("table.sources").innerText(), /partner-site\s+1\s+1\s+100%/);
  assert.match(await page.locator("pre.snippet").last().innerText(), /embed\?via=exile-network/);
  await page.locator("h2", { hasText: "By partner" }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ARTIFACTS, "embed-partner-dashboard.png"), fullPage: true });
  await context.close();
});

test("the embed has no serious accessibility problems in any language", LIMIT, async () => {
  const context = await launchProfile(1);
  const page = context.pages()[0] ?? (await context.newPage());
  for (const lang of ["en", "de", "fa-AF", "ps"]) {
    await page.goto(`${server.base}/c/${SLUG}/embed${EMBED_QUERY}&lang=${lang}`);
    assert.equal(await page.getAttribute("html", "lang"), lang);
    const { serious } = await axe(page, axeSource);
    assert.deepEqual(serious.map((v) => `${v.id}: ${v.help}`), [], `embed in ${lang}`);
  }
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(ARTIFACTS, "embed-phone-ps.png"), fullPage: true });
  await context.close();
});

test("a page from a site not in embed_origins cannot frame the form", LIMIT, async () => {
  const context = await launchProfile(1);
  const page = context.pages()[0] ?? (await context.newPage());
  const refusals = [];
  page.on("console", (m) => /frame-ancestors/.test(m.text()) && refusals.push(m.text()));
  await page.goto(`${stranger.origin}/`, { waitUntil: "networkidle" });
  await page.screenshot({ path: join(ARTIFACTS, "embed-stranger.png"), fullPage: true });

  const frame = page.frames().find((f) => f !== page.mainFrame());
  assert.ok(frame, "the iframe exists");
  assert.equal(await frame.locator("form").count().catch(() => 0), 0, "but shows no form");
  assert.ok(refusals.length > 0, "Chromium says the Content-Security-Policy refused the frame");
  assert.match(refusals[0], new RegExp(partner.origin.replace(/[.:/]/g, "\\$&")), "naming the one site allowed");
  await context.close();
});
