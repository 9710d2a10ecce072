// The supporter's path in a real browser: open the campaign, sign (by keyboard, by mouse,
// with JavaScript off), read the confirmation email from the SMTP server, confirm, and see
// the count go up; in English, German, and right to left in Dari and Pashto. axe-core checks
// every page; screenshots at phone and desktop widths go to target/browser-artifacts/, and
// the campaign page's weight is measured in every language the switch offers.
//
//   cargo build --bins --examples && (cd tests/browser && npm ci && npm test)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ARTIFACTS, SLUG, axe, launchBrowser, mailTo, startMail, startServer } from "./harness.mjs";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const started = Date.now();
const figures = { axe: {}, pageWeight: {} };
// What /c/{slug} may transfer, page, script and all, in any language (bytes).
const PAGE_WEIGHT_LIMIT = 15_000;
let mail, server, browser;

before(async () => {
  mail = await startMail();
  server = await startServer(mail.url);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  mail?.stop();
  figures.durationSeconds = (Date.now() - started) / 1000;
  writeFileSync(join(ARTIFACTS, "figures.json"), JSON.stringify(figures, null, 2));
  console.log("\naxe (violations by impact, per page):");
  for (const [name, result] of Object.entries(figures.axe)) console.log(`  ${name.padEnd(28)} ${result}`);
  for (const [lang, { bytes, requests, urls }] of Object.entries(figures.pageWeight)) {
    const ratio = (bytes / PAGE_WEIGHT_LIMIT).toFixed(2);
    console.log(`page weight of /c/${SLUG} in ${lang.padEnd(5)}: ${bytes} bytes transferred in ${requests} requests, ${ratio} of the ${PAGE_WEIGHT_LIMIT}-byte limit (${urls.join(", ")})`);
  }
  console.log(`browser test duration: ${figures.durationSeconds.toFixed(1)} s`);
});

/** Runs axe, records the result, fails on serious or critical violations. */
async function checkAccessibility(page, name) {
  const { violations, serious } = await axe(page, axeSource);
  const byImpact = violations.map((v) => `${v.impact}:${v.id}`).join(", ") || "none";
  figures.axe[name] = byImpact;
  assert.deepEqual(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(" ")})`),
    [],
    `serious accessibility problems on ${name}`,
  );
}

/** The whole page, and for a campaign page also what a phone shows first and the form. */
async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  if (await page.$("form.sign")) {
    await page.screenshot({ path: join(ARTIFACTS, `${name}-first-screen.png`) });
    await page.locator("form.sign").screenshot({ path: join(ARTIFACTS, `${name}-form.png`) });
  }
}

/** Opens `url` with the cache off and counts the bytes transferred until the network is idle. */
async function measuredVisit(context, page, url) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  let bytes = 0;
  const urls = [];
  cdp.on("Network.requestWillBeSent", (e) => urls.push(e.request.url.replace(server.base, "")));
  cdp.on("Network.loadingFinished", (e) => (bytes += e.encodedDataLength));
  await page.goto(url, { waitUntil: "networkidle" });
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: false });
  await cdp.detach();
  return { bytes, requests: urls.length, urls };
}

/** A link from an email: `/confirm/...` or `/withdraw/...`, with the `?lang=` it carries. */
function linkIn(text, kind) {
  const link = text.match(new RegExp(`http://127\\.0\\.0\\.1:\\d+/${kind}/[A-Za-z0-9_-]+(\\?lang=[A-Za-z-]+)?`))?.[0];
  assert.ok(link, `a ${kind} link in:\n${text}`);
  return link;
}

async function confirmedCount() {
  const r = await fetch(`${server.base}/c/${SLUG}/count.json`);
  return (await r.json()).confirmed;
}

/** Signs via the form with the mouse-free path: Tab to each field and type. */
async function signByKeyboard(page, { name, email, country }) {
  for (let i = 0; i < 30 && (await page.evaluate(() => document.activeElement?.id)) !== "name"; i++) {
    await page.keyboard.press("Tab");
  }
  assert.equal(await page.evaluate(() => document.activeElement?.id), "name", "Tab reaches the name field");
  await page.keyboard.type(name);
  await page.keyboard.press("Tab");
  await page.keyboard.type(email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(country);
  assert.equal(await page.$eval("#country", (e) => e.value), "DE", "typing picks the country");
  await page.keyboard.press("Tab"); // postcode
  await page.keyboard.press("Tab"); // comment
  await page.keyboard.type("I know families who fled.");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "consent");
  await page.keyboard.press("Space");
  await page.keyboard.press("Tab"); // anonymous
  assert.equal(await page.evaluate(() => document.activeElement?.id), "anonymous");
  await page.keyboard.press("Tab"); // updates
  await page.keyboard.press("Tab"); // the honeypot is skipped: tabindex=-1
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), "BUTTON");
  await Promise.all([page.waitForURL(/\/thanks/), page.keyboard.press("Enter")]);
}

/** Opens the confirmation link from the email and presses the button. */
async function confirmFromEmail(page, address, sentAfter, shotName) {
  const text = await mailTo(mail, address, sentAfter, /\/confirm\//);
  await page.goto(linkIn(text, "confirm"));
  await checkAccessibility(page, `${shotName}-confirm`);
  await shot(page, `${shotName}-confirm`);
  await Promise.all([page.waitForLoadState("load"), page.click("form button[type=submit]")]);
  await page.waitForSelector(".share");
  await checkAccessibility(page, `${shotName}-confirmed`);
  await shot(page, `${shotName}-confirmed`);
  return text;
}

const LIMIT = { timeout: 120_000 };

test("an English supporter signs by keyboard on a phone, confirms by email, and the count goes up", LIMIT, async () => {
  const context = await browser.newContext({ viewport: PHONE, locale: "en-GB" });
  const page = await context.newPage();
  await page.goto(`${server.base}/c/${SLUG}`, { waitUntil: "networkidle" });
  assert.equal(await page.getAttribute("html", "lang"), "en");
  const before = await confirmedCount();
  assert.equal(await page.textContent("#count"), String(before));
  await checkAccessibility(page, "phone-en-campaign");
  await shot(page, "phone-ltr-campaign");

  // A second tab stays open on the campaign, to see the script refresh its count.
  const watcher = await context.newPage();
  await watcher.goto(`${server.base}/c/${SLUG}`);

  const sentAfter = Date.now();
  await signByKeyboard(page, { name: "Mina Ahmadi", email: "mina@example.org", country: "Germany" });
  assert.match(await page.textContent("h1"), /check your inbox/i);
  await checkAccessibility(page, "phone-en-thanks");
  await shot(page, "phone-ltr-thanks");

  const text = await confirmFromEmail(page, "mina@example.org", sentAfter, "phone-en");
  assert.match(text, /^Hello \u2068Mina Ahmadi\u2069,/);
  assert.match(await page.textContent("h1"), /your signature counts/);
  const shareLinks = await page.$$eval(".share a", (as) => as.map((a) => a.href));
  assert.equal(shareLinks.length, 3, "plain share links");
  for (const href of shareLinks) assert.match(href, /utm_source%3D(whatsapp|telegram|email)/, href);
  assert.match(await page.inputValue("#share-link"), /utm_source=copy/);
  assert.equal(await confirmedCount(), before + 1);

  await page.goto(`${server.base}/c/${SLUG}`);
  assert.equal(await page.textContent("#count"), String(before + 1));
  await page.goto(`${server.base}/`);
  assert.match(await page.textContent("main"), /End forced returns to Afghanistan/);
  await checkAccessibility(page, "phone-en-index");
  await shot(page, "phone-ltr-index");
  // The watcher refreshes when it becomes visible again, as after switching tabs.
  await watcher.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
  await watcher.waitForFunction((n) => document.querySelector("#count").textContent === String(n), before + 1);
  await context.close();
});

test("a German supporter on a desktop gets German pages and email, and the count goes up", LIMIT, async () => {
  const context = await browser.newContext({ viewport: DESKTOP, locale: "de-DE" });
  const page = await context.newPage();
  await page.goto(`${server.base}/c/${SLUG}`);
  assert.equal(await page.getAttribute("html", "lang"), "de", "Accept-Language picks German");
  await checkAccessibility(page, "desktop-de-campaign");
  await shot(page, "desktop-ltr-campaign-de");
  const before = await confirmedCount();

  const sentAfter = Date.now();
  await page.fill("#name", "Jana Weber");
  await page.fill("#email", "jana@example.org");
  await page.selectOption("#country", "AT");
  await page.check("#consent");
  await Promise.all([page.waitForURL(/\/thanks\?lang=de/), page.click("form.sign button[type=submit]")]);
  assert.match(await page.textContent("h1"), /Postfach/);
  await checkAccessibility(page, "desktop-de-thanks");

  const confirmedAt = Date.now();
  const text = await confirmFromEmail(page, "jana@example.org", sentAfter, "desktop-de");
  assert.match(text, /^Hallo \u2068Jana Weber\u2069,/);
  assert.match(await page.textContent("h1"), /Danke, Ihre Unterschrift zählt/);
  assert.equal(await confirmedCount(), before + 1);

  // The receipt carries the withdraw link: one button, and the signature stops counting.
  const receipt = await mailTo(mail, "jana@example.org", confirmedAt, /\/withdraw\//);
  assert.match(receipt, /Ihre Unterschrift ist bestätigt/);
  const withdraw = linkIn(receipt, "withdraw");
  await page.goto(withdraw);
  await checkAccessibility(page, "desktop-de-withdraw");
  await Promise.all([page.waitForLoadState("load"), page.click("form button[type=submit]")]);
  await page.waitForSelector("h1");
  assert.match(await page.textContent("h1"), /zurückgezogen/);
  await checkAccessibility(page, "desktop-de-withdrawn");
  await shot(page, "desktop-ltr-withdrawn-de");
  assert.equal(await confirmedCount(), before);
  await page.goto(withdraw.replace(/withdraw\/.*/, "confirm/no-such-token"));
  await page.click("form button[type=submit]");
  await page.waitForSelector("h1");
  assert.match(await page.textContent("h1"), /funktioniert nicht mehr/);
  await checkAccessibility(page, "desktop-de-invalid-link");

  // The switch: English chosen once is remembered on the next page without ?lang=.
  await page.goto(`${server.base}/c/${SLUG}`);
  await Promise.all([page.waitForURL(/lang=en/), page.click("nav a[hreflang=en]")]);
  await page.goto(`${server.base}/c/${SLUG}/thanks`);
  assert.equal(await page.getAttribute("html", "lang"), "en", "the switch's choice is remembered");
  await context.close();
});

test("with JavaScript off, a mistake is shown, linked to its field, and fixed", LIMIT, async () => {
  // A language without a region: no country is chosen in advance, so leaving it is a mistake.
  const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false, locale: "en" });
  const page = await context.newPage();
  await page.goto(`${server.base}/c/${SLUG}?lang=en`);
  await page.fill("#name", "Farid");
  await page.fill("#email", "farid-at-example.org");
  await page.click("form.sign button[type=submit]");
  await page.waitForSelector("#error-summary");

  assert.equal(await page.evaluate(() => document.activeElement?.id), "error-summary", "focus starts on the summary");
  assert.equal(await page.getAttribute("#error-summary", "role"), "alert", "and it is announced");
  const summary = await page.$$eval("#error-summary a", (as) => as.map((a) => a.getAttribute("href")));
  assert.deepEqual(summary, ["#email", "#country", "#consent"]);
  assert.equal(await page.getAttribute("#email", "aria-invalid"), "true");
  assert.match(await page.getAttribute("#email", "aria-describedby"), /email-error/);
  assert.equal(await page.inputValue("#name"), "Farid", "what was typed is kept");
  await shot(page, "phone-ltr-errors");
  // axe needs JavaScript: it checks the same HTML in a page that runs scripts.
  const checker = await browser.newPage({ viewport: PHONE });
  await checker.setContent(await page.content());
  await checkAccessibility(checker, "phone-en-errors");
  await checker.close();

  await page.click("#error-summary a[href='#email']");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "email", "the link leads to the field");
  await page.fill("#email", "farid@example.org");
  await page.selectOption("#country", "AF");
  await page.check("#consent");
  await Promise.all([page.waitForURL(/\/thanks/), page.click("form.sign button[type=submit]")]);
  assert.match(await page.textContent("h1"), /check your inbox/i);
  await mailTo(mail, "farid@example.org");
  await context.close();
});

/** Right to left: the form's heading starts at the form's right edge. */
async function assertRightToLeft(page) {
  assert.equal(await page.getAttribute("html", "dir"), "rtl");
  const form = await page.$eval("form.sign", (e) => e.getBoundingClientRect().toJSON());
  const heading = await page.$eval("#sign", (e) => {
    const range = document.createRange();
    range.selectNodeContents(e);
    return range.getBoundingClientRect().toJSON();
  });
  assert.ok(form.right - heading.right < 40, `heading hugs the right edge (${form.right} vs ${heading.right})`);
  assert.ok(heading.left - form.left > 40, "and leaves the left side free");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `nothing sticks out sideways (${overflow} px)`);
}

const RTL = [
  {
    lang: "fa-AF", locale: "fa-AF", title: "اخراج اجباری به افغانستان را متوقف کنید", sign: "امضا کنید",
    name: "فرید احمدی", greeting: /^سلام \u2068فرید احمدی\u2069،/, thanks: "لطفاً ایمیل خود را ببینید",
    confirmed: "تشکر، امضای شما شمرده شد", receipt: "تشکر: امضای شما تأیید و شمرده شد.", withdrawn: "امضای شما پس گرفته شد",
  },
  {
    lang: "ps", locale: "ps-AF", title: "افغانستان ته جبري اخراج ودروئ", sign: "لاسلیک کړئ",
    name: "ګل احمد", greeting: /^سلام \u2068ګل احمد\u2069،/, thanks: "مهرباني وکړئ خپل برېښنالیک وګورئ",
    confirmed: "مننه، ستاسو لاسلیک وشمېرل شو", receipt: "مننه: ستاسو لاسلیک تایید او وشمېرل شو.", withdrawn: "ستاسو لاسلیک بېرته واخیستل شو",
  },
];

for (const t of RTL) {
  test(`a ${t.lang} supporter signs, confirms and withdraws on a phone, right to left throughout`, LIMIT, async () => {
    // The browser asks for the language; nobody picks it from the switch.
    const context = await browser.newContext({ viewport: PHONE, locale: t.locale });
    const page = await context.newPage();
    await page.goto(`${server.base}/c/${SLUG}`);
    assert.equal(await page.getAttribute("html", "lang"), t.lang, "Accept-Language picks it");
    assert.equal(await page.textContent("h1"), t.title);
    assert.equal(await page.textContent("form.sign button[type=submit]"), t.sign);
    await assertRightToLeft(page);
    await checkAccessibility(page, `phone-${t.lang}-campaign`);
    await shot(page, `phone-rtl-campaign-${t.lang}`);
    const before = await confirmedCount();
    const email = `${t.lang.toLowerCase()}@example.org`;

    const sentAfter = Date.now();
    await page.fill("#name", t.name);
    await page.fill("#email", email);
    await page.selectOption("#country", "DE");
    await page.check("#consent");
    await Promise.all([page.waitForURL(/\/thanks/), page.click("form.sign button[type=submit]")]);
    assert.equal(await page.textContent("h1"), t.thanks);
    await checkAccessibility(page, `phone-${t.lang}-thanks`);
    await shot(page, `phone-rtl-thanks-${t.lang}`);

    // The email opens in a fresh browser that asks for English, as on another device:
    // the link carries the language.
    const elsewhere = await browser.newContext({ viewport: PHONE, locale: "en-GB" });
    const other = await elsewhere.newPage();
    const confirmedAt = Date.now();
    const text = await confirmFromEmail(other, email, sentAfter, `phone-${t.lang}`);
    assert.match(text, t.greeting);
    assert.equal(await other.getAttribute("html", "dir"), "rtl");
    assert.equal(await other.textContent("h1"), t.confirmed);
    assert.equal(await confirmedCount(), before + 1);

    const receipt = await mailTo(mail, email, confirmedAt, /\/withdraw\//);
    assert.ok(receipt.includes(t.receipt), receipt);
    await other.goto(linkIn(receipt, "withdraw"));
    assert.equal(await other.getAttribute("html", "lang"), t.lang);
    await checkAccessibility(other, `phone-${t.lang}-withdraw`);
    await shot(other, `phone-rtl-withdraw-${t.lang}`);
    await Promise.all([other.waitForLoadState("load"), other.click("form button[type=submit]")]);
    await other.waitForSelector("h1");
    assert.equal(await other.textContent("h1"), t.withdrawn);
    await checkAccessibility(other, `phone-${t.lang}-withdrawn`);
    await shot(other, `phone-rtl-withdrawn-${t.lang}`);
    assert.equal(await confirmedCount(), before);
    await elsewhere.close();
    await context.close();
  });
}

test("Dari and Pashto campaign pages lay out right to left at desktop width", LIMIT, async () => {
  for (const t of RTL) {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await page.goto(`${server.base}/c/${SLUG}?lang=${t.lang}`);
    assert.equal(await page.getAttribute("html", "lang"), t.lang);
    await assertRightToLeft(page);
    await checkAccessibility(page, `desktop-${t.lang}-campaign`);
    await shot(page, `desktop-rtl-campaign-${t.lang}`);
    // The share image the page's preview tags name, kept for a person to look at: the
    // title must be joined and read right to left.
    const image = await page.getAttribute('meta[property="og:image"]', "content");
    const response = await context.request.get(image);
    assert.equal(response.headers()["content-type"], "image/png");
    writeFileSync(join(ARTIFACTS, `share-image-${t.lang}.png`), await response.body());
    await context.close();
  }
});

test(`the campaign page transfers under ${PAGE_WEIGHT_LIMIT} bytes in every language the switch offers`, LIMIT, async () => {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  await page.goto(`${server.base}/c/${SLUG}?lang=en`);
  const langs = await page.$$eval("nav a[hreflang]", (as) => as.map((a) => a.getAttribute("hreflang")));
  assert.deepEqual(langs, ["en", "de", "fa-AF", "ps"]);
  await context.close();
  for (const lang of langs) {
    // A first visit each: no cookies, nothing cached.
    const fresh = await browser.newContext({ viewport: PHONE });
    const visit = await measuredVisit(fresh, await fresh.newPage(), `${server.base}/c/${SLUG}?lang=${lang}`);
    figures.pageWeight[lang] = visit;
    assert.ok(visit.bytes < PAGE_WEIGHT_LIMIT, `${lang}: ${visit.bytes} bytes (${visit.urls.join(", ")})`);
    await fresh.close();
  }
});
