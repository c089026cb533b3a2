// What the browser tests share: Debian's Chromium started as this machine
// needs it (headless, no sandbox as root, no background networking, which
// the closed network would refuse), `imprint serve` started on a free port,
// the port read from its first line, and the tally of checks a script prints
// and exits by.
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                       "--disable-background-networking", "--disable-component-update", "--disable-sync",
                       "--disable-dev-shm-usage", "--no-proxy-server"];

// `more`: further Chromium switches (e.g. "--font-render-hinting=none").
export function launchChromium(more = []) {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: [...CHROMIUM_ARGS, ...more] });
}

// Starts `bin` with `args` (which should hold "--port", "0"); resolves to
// { server, port } once it says where it listens, rejects when it exits first
// or says nothing in 10 s.
export async function startServe(bin, args, options) {
  const server = spawn(bin, args, options);
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
  return { server, port };
}

// The checks made so far.
export const tally = { passes: 0, failures: 0 };

// One check: counted, and said on standard error when it fails.
export function check(ok, what) {
  if (ok) { tally.passes++; } else { tally.failures++; console.error("FAILED: " + what); }
}

// A script's run ended by an exception: a failure of its own.
export function fail(error) {
  tally.failures++;
  console.error("FAILED: " + (error.stack || error));
}

// Prints "`what`: N passed, M failed`suffix`"; the exit status to end with.
export function finish(what, suffix = "") {
  console.log(`${what}: ${tally.passes} passed, ${tally.failures} failed${suffix}`);
  return tally.failures === 0 ? 0 : 1;
}
