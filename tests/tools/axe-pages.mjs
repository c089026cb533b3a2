// Every HTML page Imprint writes or serves, checked for accessibility in one
// headless Chromium (Debian's chromium, driven by playwright-core) at phone
// (390 px) and desktop (1280 px) widths:
// - axe-core (@axe-core/playwright) with the WCAG 2.0/2.1/2.2 A and AA rules:
//   each violation fails, listed with its rule, impact, target, page and width;
//   axe's best-practice findings are listed apart and do not fail;
// - what axe cannot see: a skip link (a.skip-link) as the first thing Tab
//   reaches, hidden until focused and leading into <main>; a visible focus indicator; `lang` on
//   <html>; headings from one <h1> down without skipping a level; and no
//   sideways scrolling (reflow, WCAG 1.4.10).
// The pages come from JSON files named on the command line (default:
// axe-pages.json beside this script): imprint commands to set up with, the
// server's command line, and the pages, each one line. A page the server
// answers with something other than HTML (the JSON of a 410, a 401) says
// "html": false, and the test checks that it still is not HTML.
// Screenshots go to $IMPRINT_SCREENSHOTS (default TMPDIR/imprint-axe-screenshots),
// one per page and width, and one with the skip link focused. Run by ctest
// (tests/CMakeLists.txt) with IMPRINT_BIN and IMPRINT_SOURCE set.
import { launchChromium, startServe } from "./browser.mjs";
import { AxeBuilder } from "@axe-core/playwright";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const WIDTHS = [{ width: 390, height: 844, isMobile: true, hasTouch: true }, { width: 1280, height: 900 }];

const bin = process.env.IMPRINT_BIN;
const source = process.env.IMPRINT_SOURCE;
const here = path.dirname(fileURLToPath(import.meta.url));
const configs = process.argv.slice(2).length ? process.argv.slice(2) : [path.join(here, "axe-pages.json")];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "imprint-axe-"));
const shots = process.env.IMPRINT_SCREENSHOTS || path.join(os.tmpdir(), "imprint-axe-screenshots");
fs.mkdirSync(shots, { recursive: true });
const places = { source, dir, out: path.join(dir, "output"), db: "sqlite:" + path.join(dir, "imprint.db"),
                 rights: path.join(dir, "rights") };
const fill = (text) => text.replace(/\{(source|dir|out|db|rights)\}/g, (_, k) => places[k]);
const env = { ...process.env, IMPRINT_KEYS: path.join(dir, "keys"), TMPDIR: dir };
// A setup line: an imprint command, or {"args": [...], "input": "..."} for one
// that reads its standard input (imprint admin passwd).
const imprint = (line) => {
  const { args, input } = Array.isArray(line) ? { args: line, input: "" } : line;
  return execFileSync(bin, args.map(fill), { env, cwd: dir, encoding: "utf8", input });
};

const problems = [];      // each a line: what fails the test
const bestPractice = [];  // axe's best-practice findings: reported, not failed
const review = [];        // what axe could not decide (its "incomplete"): reported, not failed
let checked = 0;
let passed = 0;           // axe rules passed, summed over the page views

function base64url(text) { return Buffer.from(text).toString("base64url"); }
function slug(text) { return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, ""); }

// The checks axe does not make, run in the page after a Tab from the top.
async function keyboardAndLayout(page, width) {
  return page.evaluate((width) => {
    const found = [];
    const html = document.documentElement;
    if (!html.getAttribute("lang")) found.push("no lang on <html>");
    // Against the width asked for: on a phone, Chromium widens the layout
    // viewport (and innerWidth) to fit what overflows.
    const wide = Math.max(document.scrollingElement.scrollWidth, window.innerWidth);
    if (wide > width) found.push(`scrolls sideways: ${wide} px wide in ${width} px`);
    const levels = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
                       .filter((h) => h.getClientRects().length > 0).map((h) => Number(h.tagName[1]));
    if (levels.filter((l) => l === 1).length !== 1) found.push(`${levels.filter((l) => l === 1).length} <h1> (one wanted)`);
    levels.forEach((l, i) => {
      if (i > 0 && l > levels[i - 1] + 1) found.push(`heading h${l} follows h${levels[i - 1]}`);
    });
    if (!document.querySelector("main")) found.push("no <main>");
    return found;
  }, width);
}

async function skipLink(page) {
  const found = [];
  const before = await page.evaluate(() => {
    const a = document.querySelector("a.skip-link");
    if (!a) return null;
    const r = a.getBoundingClientRect();
    return { onScreen: r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0 };
  });
  if (!before) found.push("no a.skip-link");
  if (before && before.onScreen) found.push("the skip link shows before it is focused");
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => {
    const a = document.activeElement;
    const r = a.getBoundingClientRect();
    const style = getComputedStyle(a);
    const target = a.hash && document.getElementById(decodeURIComponent(a.hash.slice(1)));
    return {
      skip: a.classList.contains("skip-link"),
      what: a.outerHTML.slice(0, 80),
      onScreen: r.width > 1 && r.height > 1 && r.top >= 0 && r.left >= 0 && r.right <= window.innerWidth,
      outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
      toMain: !!target && (target.tagName === "MAIN" || !!target.closest("main")),
    };
  });
  if (!focused.skip) {
    found.push("the first Tab reaches " + focused.what + ", not the skip link");
  } else {
    if (!focused.onScreen) found.push("the focused skip link is not on screen");
    if (!focused.toMain) found.push("the skip link does not lead into <main>");
  }
  if (!focused.outline) found.push("no visible focus outline (>= 2px) on " + focused.what);
  // The next stop has a focus indicator too (links, buttons, fields).
  await page.keyboard.press("Tab");
  const next = await page.evaluate(() => {
    const a = document.activeElement;
    if (!a || a === document.body) return null;
    const style = getComputedStyle(a);
    return { what: a.outerHTML.slice(0, 80), outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2 };
  });
  if (next && !next.outline) found.push("no visible focus outline (>= 2px) on " + next.what);
  return found;
}

async function checkPage(browser, base, spec, size) {
  const where = `${spec.name} @${size.width}px`;
  const context = await browser.newContext({ viewport: { width: size.width, height: size.height },
                                             isMobile: !!size.isMobile, hasTouch: !!size.hasTouch });
  try {
    const page = await context.newPage();
    const headers = { ...(spec.headers || {}) };
    if (spec.license) headers.Authorization = "License " + base64url(fs.readFileSync(fill(spec.license), "utf8"));
    await page.setExtraHTTPHeaders(headers);
    const url = spec.file ? pathToFileURL(fill(spec.file)).href : base + spec.path;
    if (!spec.file) {
      // Asked first without the browser: a 401 or a download would stop page.goto.
      const answer = await context.request.get(url, { headers, maxRedirects: 0 });
      const type = answer.headers()["content-type"] || "";
      if (answer.status() !== (spec.status || 200)) {
        problems.push(`${where}: answered ${answer.status()}, not ${spec.status || 200}`);
      }
      if (spec.html === false) {
        if (type.startsWith("text/html")) problems.push(`${where}: now answers HTML: check it here (drop "html": false)`);
        return;
      }
      if (!type.startsWith("text/html")) { problems.push(`${where}: answered ${type}, not HTML`); return; }
      if (/attachment/i.test(answer.headers()["content-disposition"] || "")) {
        // A copy is served as a download: shown from the very bytes served, at its own address.
        const body = await answer.body();
        await page.route(url, (route) => route.fulfill({ status: 200, contentType: type, body }));
      }
    }
    await page.goto(url);
    for (const [selector, value] of Object.entries(spec.fill || {})) {
      await page.fill(selector, value.startsWith("@") ? fs.readFileSync(fill(value.slice(1)), "utf8") : value);
    }
    // Then each click in turn, each followed by its wait when one is given.
    const clicks = [].concat(spec.click || []);
    const waits = [].concat(spec.wait || []);
    for (let i = 0; i < Math.max(clicks.length, waits.length); i++) {
      if (clicks[i]) await page.click(clicks[i]);
      if (waits[i]) await page.waitForSelector(waits[i]);
    }
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(shots, `${slug(spec.name)}-${size.width}.png`), fullPage: true });

    // A frame that runs no script (the subscribers' reader) cannot be entered
    // by axe: such a page names it in `exclude`, and its content is a page of its own here.
    let axe = new AxeBuilder({ page }).withTags([...WCAG, "best-practice"]);
    for (const selector of [].concat(spec.exclude || [])) axe = axe.exclude(selector);
    const result = await axe.analyze();
    passed += result.passes.length;
    for (const v of result.violations) {
      const wcag = v.tags.some((t) => WCAG.includes(t));
      for (const node of v.nodes) {
        const line = `${where}: ${v.id} (${v.impact}) at ${node.target.join(" ")}: ${v.help}`;
        (wcag ? problems : bestPractice).push(line);
      }
    }
    for (const v of result.incomplete) {
      for (const node of v.nodes) review.push(`${where}: ${v.id} at ${node.target.join(" ")}: ${v.help}`);
    }
    for (const p of await keyboardAndLayout(page, size.width)) problems.push(`${where}: ${p}`);
    await page.evaluate(() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); });
    await page.mouse.click(1, 1);  // focus starts at the top of the document
    for (const p of await skipLink(page)) problems.push(`${where}: ${p}`);
    await page.keyboard.press("Shift+Tab");
    await page.screenshot({ path: path.join(shots, `${slug(spec.name)}-${size.width}-skip-link.png`) });
    checked++;
  } catch (e) {
    problems.push(`${where}: ${e.stack || e}`);
  } finally {
    await context.close();
  }
}

let server;
let browser;
try {
  const specs = configs.map((file) => JSON.parse(fs.readFileSync(file, "utf8")));
  fs.cpSync(path.join(source, "rights"), places.rights, { recursive: true });
  for (const spec of specs) for (const args of spec.setup || []) imprint(args);
  const serve = specs.map((s) => s.serve).find((s) => s);
  let base = "";
  if (serve) {
    let port;
    ({ server, port } = await startServe(bin, serve.map(fill), { env, cwd: dir }));
    base = `http://127.0.0.1:${port}`;
  }
  browser = await launchChromium();
  for (const spec of specs) {
    for (const page of spec.pages || []) {
      for (const size of WIDTHS) {
        let timer;
        const late = new Promise((resolve) => { timer = setTimeout(resolve, 60000, "late"); });
        if (await Promise.race([checkPage(browser, base, page, size), late]) === "late") {
          throw new Error(`${page.name} @${size.width}px: not checked within 60 s`);
        }
        clearTimeout(timer);
      }
    }
  }
} catch (e) {
  problems.push(String(e.stack || e));
} finally {
  if (browser) await browser.close();
  if (server) server.kill("SIGTERM");
  fs.rmSync(dir, { recursive: true, force: true });
}
if (bestPractice.length) {
  console.log(`axe best-practice findings (not WCAG; reported, not failed): ${bestPractice.length}`);
  for (const line of bestPractice) console.log("  " + line);
}
if (review.length) {
  console.log(`axe could not decide (to look at; not failed): ${review.length}`);
  for (const line of review) console.log("  " + line);
}
for (const line of problems) console.error("FAILED: " + line);
console.log(`accessible pages: ${checked} page views checked (${passed} axe rules passed in all), ${problems.length} problems; ` +
            `screenshots in ${shots}`);
process.exit(problems.length === 0 && checked > 0 ? 0 : 1);
