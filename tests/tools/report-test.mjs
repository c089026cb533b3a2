// The rights office's report (`imprint report`) and dashboard (/admin/ on
// `imprint serve`) in headless Chromium (Debian's chromium, driven by
// playwright-core; one browser for the whole run): real downloads and
// denials against a real server, the report file opened from disk and the
// dashboard behind its admin credential, each at desktop (1280) and phone
// (390) widths: no console error, no sideways scrolling, charts drawn with
// their tables, axe-core (WCAG 2.2 AA rules) finding no violation.
// Screenshots are kept in $IMPRINT_SCREENSHOTS (default:
// TMPDIR/imprint-report-screenshots) to look at. Run by ctest.
import { check, fail, finish, launchChromium, startServe } from "./browser.mjs";
import AxeBuilder from "@axe-core/playwright";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const bin = process.env.IMPRINT_BIN;
const source = process.env.IMPRINT_SOURCE;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "imprint-report-"));
const env = { ...process.env, IMPRINT_KEYS: path.join(dir, "keys"), TMPDIR: dir };
const db = "sqlite:" + path.join(dir, "imprint.db");
const out = path.join(dir, "output");
const imprint = (args, input) => execFileSync(bin, args, { env, cwd: dir, encoding: "utf8", input });
const password = "correct horse battery staple";

const shots = process.env.IMPRINT_SCREENSHOTS || path.join(os.tmpdir(), "imprint-report-screenshots");
fs.mkdirSync(shots, { recursive: true });
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
function issue(name, tier, publications, from, until) {
  const file = path.join(dir, name + ".license");
  imprint(["license", "issue", "--subscriber", "s-" + name, "--name", name, "--email", name + "@example.org",
           "--tier", tier, "--publications", publications, "--from", from, "--until", until, "--allow-expired",
           "--out", file, "--db", db]);
  return fs.readFileSync(file, "utf8");
}
const b64url = (text) => Buffer.from(text).toString("base64url");

// The report's own checks, at one width, for the page open in `page`.
async function checkPage(page, name, width, errors) {
  const prefix = `${name} at ${width}px: `;
  check((await page.locator("svg[role=img]").count()) === 5, prefix + "five charts");
  check((await page.locator("main table").count()) >= 7, prefix + "a table beside each chart, and the lists");
  check((await page.locator("svg[role=img] title").first().textContent()).length > 0, prefix + "charts are named");
  check(await page.evaluate((w) => document.documentElement.scrollWidth <= w, width), prefix + "no sideways scrolling");
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                                        "best-practice"]).analyze();
  for (const v of axe.violations) console.error(`${prefix}axe ${v.id}: ${v.help} (${v.nodes.length} nodes)`);
  check(axe.violations.length === 0, prefix + "axe-core finds no violation");
  check(errors.length === 0, prefix + "no console error: " + errors.join("; "));
  await page.screenshot({ path: path.join(shots, `${name}-${width}.png`), fullPage: true });
  await page.screenshot({ path: path.join(shots, `${name}-${width}-top.png`) });
  // Each section alone too, to look at closely.
  for (const id of ["per-day", "by-tier", "by-reason", "top-licenses"]) {
    await page.locator(`section[aria-labelledby=${id}]`).screenshot({ path: path.join(shots, `${name}-${width}-${id}.png`) });
  }
}

async function open(browser, url, width, credentials) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, httpCredentials: credentials,
                                             isMobile: width < 600 });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  const response = await page.goto(url);
  return { context, page, errors, status: response ? response.status() : 0 };
}

let server;
let browser;
try {
  imprint(["build", "--out", out, path.join(source, "samples/archive")]);
  const ada = issue("ada", "individual", "monitor,prism", "2026-01-01", "2099-12-31");
  const bob = issue("bob", "syndication", "monitor", "2026-01-01", "2099-12-31");
  issue("soon", "institutional", "monitor", "2026-01-01", day(12));
  const old = issue("old", "individual", "monitor", "2020-01-01", "2020-12-31");
  imprint(["admin", "passwd", "--db", db], password + "\n");

  let port;
  ({ server, port } = await startServe(bin, ["serve", "--port", "0", "--out", out, "--db", db], { env, cwd: dir }));
  const base = `http://127.0.0.1:${port}`;
  const get = (p, license) => fetch(base + p, { headers: license ? { Authorization: "License " + b64url(license) } : {} });
  const md = "/editions/monitor/v05/i077/monitor-v05-i077.md";
  for (const [p, license, want] of [[md, ada, 200], [md, ada, 200], [md, ada, 200], [md + ".minisig", ada, 200],
                                    ["/editions/prism/v04/i012/prism-v04-i012.epub", ada, 200], [md, bob, 200],
                                    ["/editions/monitor/v05/i077/monitor-v05-i077.epub", bob, 403],
                                    [md, old, 403], [md, null, 401]]) {
    const r = await get(p, license);
    await r.arrayBuffer();
    check(r.status === want, `${p} answered ${r.status}, not ${want}`);
  }
  check((await get("/admin/")).status === 401, "the dashboard without a credential is 401");
  imprint(["report", "--out", path.join(dir, "report.html"), "--db", db]);

  browser = await launchChromium();
  for (const width of [1280, 390]) {
    const file = await open(browser, "file://" + path.join(dir, "report.html"), width);
    await checkPage(file.page, "report", width, file.errors);
    const summary = await file.page.locator("dl.totals dd").allTextContents();
    check(summary[0] === "5" && summary[1] === "3" && summary[2] === "1", "the report counts 5 downloads, 3 denials, 1 signature: " + summary);
    await file.context.close();
    const live = await open(browser, base + "/admin/?days=30", width, { username: "admin", password });
    check(live.status === 200, `the dashboard answers 200 at ${width}px, not ${live.status}`);
    await checkPage(live.page, "dashboard", width, live.errors);
    check((await live.page.locator("dl.totals dd").allTextContents()).join() === summary.join(),
          "the dashboard says the report's figures");
    await live.page.fill("#days", "7");
    await Promise.all([live.page.waitForNavigation(), live.page.click("button[type=submit]")]);
    check(live.page.url().endsWith("/admin/?days=7"), "the form asks for 7 days: " + live.page.url());
    await live.context.close();
  }
} catch (e) {
  fail(e);
} finally {
  if (browser) await browser.close();
  if (server) server.kill("SIGTERM");
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(finish("report and dashboard", ` (screenshots in ${shots})`));
