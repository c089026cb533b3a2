// Ace by DAISY on many EPUBs in one process and one browser: for
// tests/epub_accessibility_test.cc. Usage: node ace-batch.cjs OUTDIR EPUB...
// Each book's report (report.json, report.html) goes to OUTDIR/<N>/, N its
// place on the command line from 0; one line per book is printed,
// "EPUB: N violations", then one indented line per violation (impact, rule,
// document). Exit status 0 when Ace checked every book (violations or not:
// the caller reads the reports), 1 when it could not check one.
//
// ace-cli checks one book a run and starts Chromium for each; ace-core's API
// takes the browser runner as an argument, so a runner that launches once
// and closes at the end checks every book for one browser's start-up.
// Needs PUPPETEER_EXECUTABLE_PATH (Debian's /usr/bin/chromium).
"use strict";
const path = require("path");
const winston = require("winston");
const ace = require("@daisy/ace-core");
const runner = require("@daisy/ace-axe-runner-puppeteer");

// Ace logs through winston's default logger; this run prints only its summary.
winston.configure({ transports: [new winston.transports.Console({ silent: true })] });

let launched = null;
const sharedRunner = {
  concurrency: runner.concurrency,
  setTimeout: (ms) => runner.setTimeout(ms),
  launch: () => (launched = launched || runner.launch()),
  close: async () => {},  // closed once, after the last book
  run: (...args) => runner.run(...args),
};

// Every assertion whose outcome is "fail", however deeply Ace nests them.
function violations(node, subject, found) {
  if (Array.isArray(node)) {
    for (const n of node) violations(n, subject, found);
  } else if (node && typeof node === "object") {
    const here = (node["earl:testSubject"] && node["earl:testSubject"].url) || subject;
    const result = node["earl:result"];
    const test = node["earl:test"];
    if (result && test && result["earl:outcome"] === "fail") {
      found.push(`${test["earl:impact"]} ${test["dct:title"]} in ${here}: ${result["dct:description"] || ""}`);
    }
    for (const key of Object.keys(node)) {
      if (key !== "earl:result") violations(node[key], here, found);
    }
  }
  return found;
}

async function main() {
  const [outdir, ...books] = process.argv.slice(2);
  if (!outdir || books.length === 0) {
    console.error("usage: node ace-batch.cjs OUTDIR EPUB...");
    return 1;
  }
  let status = 0;
  try {
    for (let i = 0; i < books.length; ++i) {
      try {
        const [, report] = await ace(books[i], {
          cwd: process.cwd(), outdir: path.join(outdir, String(i)), silent: true, initLogger: false,
        }, sharedRunner);
        const found = violations(report.assertions || [], "package.opf", []);
        console.log(`${books[i]}: ${found.length} violations`);
        for (const v of found) console.log("  " + v);
      } catch (err) {
        console.error(`${books[i]}: Ace could not check it: ${err && err.stack ? err.stack : err}`);
        status = 1;
      }
    }
  } finally {
    if (launched) await runner.close();
  }
  return status;
}

main().then((status) => process.exit(status));
