// End-to-end test of the subscribers' page in headless Chromium (Debian's
// chromium, driven by playwright-core): a real `imprint serve` on 127.0.0.1,
// real licenses pasted into the page, editions listed newest first with only
// the formats the license may take, a copy and its signature downloaded
// through the page, then checked with the stock minisign and `imprint trace`;
// read online; remembered across reloads and forgotten; expired, revoked and
// changed licenses shown plainly; an old file caught up with its renewal; at
// desktop (1280) and phone (390) widths, with screenshots kept in
// $IMPRINT_SCREENSHOTS (default: TMPDIR/imprint-page-screenshots) to look at.
// Run by ctest (tests/CMakeLists.txt).
import { check, fail, finish, launchChromium, startServe } from "./browser.mjs";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const bin = process.env.IMPRINT_BIN;
const source = process.env.IMPRINT_SOURCE;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "imprint-page-"));
const env = { ...process.env, IMPRINT_KEYS: path.join(dir, "keys"), TMPDIR: dir };
const db = "sqlite:" + path.join(dir, "imprint.db");
const out = path.join(dir, "output");
const imprint = (...args) => execFileSync(bin, args, { env, cwd: dir, encoding: "utf8" });

const shots = process.env.IMPRINT_SCREENSHOTS || path.join(os.tmpdir(), "imprint-page-screenshots");
fs.mkdirSync(shots, { recursive: true });
function issue(name, tier, publications, from, until) {
  const file = path.join(dir, name + ".license");
  imprint("license", "issue", "--subscriber", "s-" + name.replace(/\W/g, ""), "--name", name, "--tier", tier, "--publications",
          publications, "--from", from, "--until", until, "--allow-expired", "--out", file, "--db", db);
  return file;
}
const idOf = (file) => JSON.parse(fs.readFileSync(file, "utf8")).id;

let server;
let browser;
try {
  imprint("build", "--out", out, path.join(source, "samples/archive"));
  const licenseFile = issue("Ada Lovelace", "individual", "monitor", "2026-01-01", "2099-12-31");
  const bobFile = issue("Bob", "syndication", "monitor,prism", "2026-01-01", "2099-12-31");
  const oldFile = issue("Old", "individual", "monitor", "2020-01-01", "2020-12-31");
  const revokedFile = issue("Rev", "individual", "monitor", "2026-01-01", "2099-12-31");
  imprint("license", "revoke", idOf(revokedFile), "--reason", "card declined", "--db", db);
  const renewedFile = issue("Ren", "individual", "monitor", "2020-01-01", "2020-12-31");
  imprint("license", "renew", idOf(renewedFile), "--until", "2099-12-31", "--out", path.join(dir, "ren-new.license"),
          "--db", db);

  let port;
  ({ server, port } = await startServe(bin, ["serve", "--port", "0", "--out", out, "--db", db], { env, cwd: dir }));

  browser = await launchChromium();
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));

  await page.goto(`http://127.0.0.1:${port}/`);
  check((await page.title()).includes("your editions"), "the page's title");
  await page.fill("#license", fs.readFileSync(licenseFile, "utf8"));
  await page.click("#show");
  await page.waitForSelector("#editions > li");
  const order = await page.$$eval("#editions > li", (els) => els.map((e) => e.dataset.edition));
  check(order.join(" ") === "monitor/v05/i077 monitor/v03/i145 monitor/v01/i003", "newest first, Monitor only: " + order);
  await page.waitForFunction(() => document.getElementById("status").textContent.includes("editions for"));
  check((await page.textContent("#status")).includes("3 editions for Ada Lovelace"), "the status line");
  check((await page.textContent("#license-state")).includes("Active"), "the license is shown active");
  check((await page.textContent("#opds-user")) === idOf(licenseFile), "the OPDS user name is the license id");
  check((await page.textContent("#opds-url")) === `http://127.0.0.1:${port}/opds`, "the OPDS address");
  await page.screenshot({ path: path.join(shots, "desktop-listed.png"), fullPage: true });

  const saved = {};
  for (const name of ["monitor-v05-i077.epub", "monitor-v05-i077.epub.minisig"]) {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(`button[data-file="${name}"]`)]);
    saved[name] = path.join(dir, "got", download.suggestedFilename());
    await download.saveAs(saved[name]);
    check(download.suggestedFilename() === name, "downloaded as " + name);
  }
  const epub = fs.readFileSync(saved["monitor-v05-i077.epub"]);
  check(epub.subarray(0, 4).toString("latin1") === "PK\x03\x04", "the download is a zip");
  const verified = execFileSync("minisign", ["-V", "-p", path.join(out, "keys/imprint.pub"), "-m",
                                             saved["monitor-v05-i077.epub"]], { encoding: "utf8" });
  check(verified.includes("Signature and comment signature verified"), "minisign verifies the download");
  const traced = imprint("trace", saved["monitor-v05-i077.epub"], "--db", db);
  check(traced.includes("subscriber: Ada Lovelace"), "trace names the licensee: " + traced);
  check((await page.textContent("#status")).includes("Downloaded"), "the page says it downloaded");

  // Read online: the personalised page, in a frame that runs no script.
  await page.click('button[data-read="monitor/v05/i077"]');
  await page.waitForSelector("#reader:not([hidden])");
  const frame = page.frames().find((f) => f !== page.mainFrame());
  await frame.waitForSelector("body");
  check((await frame.textContent("body")).includes("Ada Lovelace"), "the page read online is Ada's copy");
  const tab = await page.getAttribute("#reader-tab", "href");
  check(tab.startsWith("blob:"), "a new tab opens the same copy");
  // Of the page's origin, so it holds the copy only inside a script-less frame.
  const wrapper = await page.evaluate(async (u) => (await fetch(u)).text(), tab);
  check(wrapper.includes('<iframe sandbox=""') && wrapper.includes("Ada Lovelace") && !wrapper.includes("<script"),
        "the new tab's page runs none of the copy's scripts");
  const [popup] = await Promise.all([context.waitForEvent("page"), page.click("#reader-tab")]);
  await popup.waitForLoadState();
  const inner = popup.frames().find((f) => f !== popup.mainFrame());
  check(inner && (await inner.textContent("body")).includes("Ada Lovelace"), "the new tab shows the copy");
  await popup.close();
  await page.screenshot({ path: path.join(shots, "desktop-reading.png"), fullPage: true });

  // Remembered across a reload; forgotten on request.
  await page.reload();
  await page.waitForSelector("#editions > li");
  check((await page.inputValue("#license")).includes(idOf(licenseFile)), "the license is remembered");
  await page.focus("#forget");
  await page.keyboard.press("Enter");  // by keyboard
  check((await page.$$("#editions > li")).length === 0, "forgetting clears the list");
  check(await page.evaluate(() => localStorage.getItem("imprint.license")) === null, "forgotten on the device");
  await page.reload();
  await page.waitForTimeout(300);
  check((await page.inputValue("#license")) === "" && (await page.$$("#editions > li")).length === 0,
        "nothing comes back after a reload");

  // Only what the tier may take: syndication has no EPUB, and both publications.
  const showLicense = async (file) => {
    await page.fill("#license", typeof file === "string" && file.startsWith("{") ? file : fs.readFileSync(file, "utf8"));
    await page.evaluate(() => { document.getElementById("license-state").hidden = true; document.getElementById("status").textContent = ""; });
    await page.focus("#show");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => !document.getElementById("license-state").hidden &&
                                     !document.getElementById("status").textContent.startsWith("Asking"));
  };
  await showLicense(bobFile);
  await page.waitForSelector("#editions > li");
  const bobFiles = await page.$$eval("#editions button[data-file]", (els) => els.map((e) => e.dataset.file));
  check(bobFiles.length > 0 && !bobFiles.some((f) => f.includes(".epub")), "no EPUB for syndication: " + bobFiles);
  check(bobFiles.some((f) => f.startsWith("prism-")), "Prism too for Bob");
  // Each edition with its headlines (catalog.json's, in order).
  const prismHeadlines = await page.$$eval('#editions > li[data-edition="prism/v04/i012"] ul.headlines li',
                                           (els) => els.map((e) => e.textContent));
  check(prismHeadlines.join(" | ") ===
            "RUSSIA'S REGIONS TEST THE NEW BUDGET RULES | UKRAINE: A QUIET WEEK IN THE RADA | KAZAKHSTAN, 1998: OIL AND PATIENCE",
        "the headlines of Prism 4.12, in order: " + prismHeadlines.join(" | "));

  // Expired and revoked: plainly, with the public reason only, and nothing listed.
  await showLicense(oldFile);
  let state = await page.textContent("#license-state");
  check(state.includes("Expired") && state.includes("The license expired at 2020-12-31"), "expired shown: " + state);
  check((await page.$$("#editions > li")).length === 0, "nothing listed for an expired license");
  await page.screenshot({ path: path.join(shots, "desktop-expired.png"), fullPage: true });
  await showLicense(revokedFile);
  state = await page.textContent("#license-state");
  check(state.includes("Revoked") && state.includes("revoked by the foundation"), "revoked shown: " + state);
  check(!(await page.content()).includes("card declined"), "the private reason never reaches the page");
  check((await page.$$("#editions > li")).length === 0, "nothing listed for a revoked license");

  // An old file of a renewed license: the page fetches the current one and keeps it.
  await showLicense(renewedFile);
  await page.waitForSelector("#editions > li");
  const current = fs.readFileSync(path.join(dir, "ren-new.license"), "utf8");
  check((await page.inputValue("#license")) === current, "the renewed license replaces the old in the page");
  check(await page.evaluate(() => localStorage.getItem("imprint.license")) === current, "and on the device");
  check((await page.textContent("#license-state")).includes("Active"), "the renewed license is active");

  // A license changed by hand is not accepted, and says why.
  const text = fs.readFileSync(licenseFile, "utf8").replace('"name":"Ada Lovelace"', '"name":"Eve"');
  await showLicense(text);
  state = await page.textContent("#license-state");
  check(state.includes("Not accepted") && state.includes("bad_signature"), "a changed license is refused: " + state);
  check((await page.$$("#editions > li")).length === 0, "nothing listed for a changed license");

  // The phone: one column, nothing wider than the screen.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const small = await phone.newPage();
  small.on("pageerror", (e) => errors.push(String(e)));
  await small.goto(`http://127.0.0.1:${port}/`);
  await small.fill("#license", fs.readFileSync(bobFile, "utf8"));
  await small.click("#show");
  await small.waitForSelector("#editions > li");
  await small.screenshot({ path: path.join(shots, "phone-listed.png"), fullPage: true });
  check(await small.evaluate(() => document.documentElement.scrollWidth <= 390), "no sideways scrolling on a phone");
  await small.click('button[data-read="monitor/v05/i077"]');
  await small.waitForSelector("#reader:not([hidden])");
  await small.screenshot({ path: path.join(shots, "phone-reading.png") });
  await small.fill("#license", fs.readFileSync(oldFile, "utf8"));
  await small.click("#show");
  await small.waitForFunction(() => document.getElementById("license-state").textContent.includes("Expired"));
  check(await small.evaluate(() => document.getElementById("reader").hidden), "another license's copy is not left open");
  await small.screenshot({ path: path.join(shots, "phone-expired.png"), fullPage: true });
  check(errors.filter((e) => !/40[13]/.test(e)).length === 0, "no errors in the page: " + errors.join("; "));
} catch (e) {
  fail(e);
} finally {
  if (browser) await browser.close();
  if (server) server.kill("SIGTERM");
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(finish("subscribers' page"));
