// End-to-end test of the subscribers' page in headless Chromium (Debian's
// chromium, driven by playwright-core): a real `imprint serve` on 127.0.0.1,
// a real license pasted into the page, editions listed, a copy and its
// signature downloaded through the page, then checked with the stock minisign
// and `imprint trace`. Run by ctest (tests/CMakeLists.txt).
import { chromium } from "playwright-core";
import { execFileSync, spawn } from "node:child_process";
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
let failures = 0;
let passes = 0;
function check(ok, what) {
  if (ok) { passes++; } else { failures++; console.error("FAILED: " + what); }
}

let server;
let browser;
try {
  imprint("build", "--out", out, path.join(source, "samples/archive"));
  const licenseFile = path.join(dir, "ada.license");
  imprint("license", "issue", "--subscriber", "s-1", "--name", "Ada Lovelace", "--tier", "individual",
          "--publications", "monitor", "--from", "2026-01-01", "--until", "2099-12-31", "--out", licenseFile,
          "--db", db);

  server = spawn(bin, ["serve", "--port", "0", "--out", out, "--db", db], { env, cwd: dir });
  const port = await new Promise((resolve, reject) => {
    let text = "";
    server.stdout.on("data", (chunk) => {
      text += chunk;
      const m = text.match(/127\.0\.0\.1:(\d+)\//);
      if (m) resolve(Number(m[1]));
    });
    server.on("exit", (code) => reject(new Error("imprint serve exited with " + code)));
    setTimeout(() => reject(new Error("imprint serve did not start")), 10000);
  });

  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", "--no-proxy-server"],
  });
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));

  await page.goto(`http://127.0.0.1:${port}/`);
  check((await page.title()).includes("your editions"), "the page's title");
  await page.fill("#license", fs.readFileSync(licenseFile, "utf8"));
  await page.click("#show");
  await page.waitForSelector("#editions li");
  const items = await page.$$eval("#editions li", (els) => els.map((e) => e.textContent));
  check(items.length === 3, "three Monitor editions listed, got " + items.length);
  check(items.every((t) => t.includes("The Monitor")), "only the Monitor: " + items.join(" | "));
  check((await page.textContent("#status")).includes("3 editions for Ada Lovelace"), "the status line");

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

  // A license the server refuses shows why.
  const text = fs.readFileSync(licenseFile, "utf8").replace('"name":"Ada Lovelace"', '"name":"Eve"');
  await page.fill("#license", text);
  await page.click("#show");
  await page.waitForSelector("#editions li");
  await page.click('button[data-file="monitor-v05-i077.md"]');
  await page.waitForFunction(() => document.getElementById("status").textContent.includes("Refused"));
  check((await page.textContent("#status")).includes("bad_signature"), "a changed license is refused");
  check(errors.filter((e) => !e.includes("401")).length === 0, "no errors in the page: " + errors.join("; "));
} catch (e) {
  failures++;
  console.error("FAILED: " + (e.stack || e));
} finally {
  if (browser) await browser.close();
  if (server) server.kill("SIGTERM");
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log(`subscribers' page: ${passes} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
