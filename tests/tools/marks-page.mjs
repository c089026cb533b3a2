// The invisible marks under a real browser (headless /usr/bin/chromium via
// playwright-core), for tests/personalize_marks_test.cc: one browser for all
// pages. Reads a JSON job {pages: [{marked, plain}], excerpts, words, phrases,
// seed} from the file named by argv[2]; prints, per page, lines of a name and
// a value (texts in Base64):
//   same_pixels    a full-page screenshot of the marked page equals the plain one's
//   excerpts       `excerpts` selections of `words` words from random places
//                  of the article text (<main>), as the clipboard gets them
//   marked_text    the selection of all of <main> on the marked page
//   plain_text     the same on the plain page
//   not_found      phrases of the plain page's article text that find-in-page
//                  (window.find) does not find on the marked page
import { launchChromium } from "./browser.mjs";
import fs from "node:fs";

const job = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
let seed = job.seed >>> 0;
const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);

const browser = await launchChromium(["--font-render-hinting=none"]);
const answers = [];
try {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await context.newPage();
  for (const p of job.pages) {
    await page.goto("file://" + p.plain);
    const plainShot = await page.screenshot({ fullPage: true });
    const plainText = await page.evaluate(selectAll);
    // Phrases of four words within a paragraph (find-in-page does not match
    // across blocks), each found on the plain page first.
    const paragraphs = plainText.split(/\n+/).map((p) => p.split(/\s+/).filter((w) => w.length > 0))
      .filter((words) => words.length >= 4);
    const phrases = [];
    for (let i = 0; i < job.phrases && paragraphs.length > 0; ++i) {
      const words = paragraphs[Math.floor(random() * paragraphs.length)];
      const at = Math.floor(random() * (words.length - 3));
      phrases.push(words.slice(at, at + 4).join(" "));
    }
    const notFoundPlain = await page.evaluate(findEach, phrases);
    await page.goto("file://" + p.marked);
    const markedShot = await page.screenshot({ fullPage: true });
    const markedText = await page.evaluate(selectAll);
    const starts = [];
    for (let i = 0; i < job.excerpts; ++i) starts.push(random());
    const excerpts = await page.evaluate(selectExcerpts, { starts, words: job.words });
    const notFound = await page.evaluate(findEach, phrases);
    answers.push({ same_pixels: plainShot.equals(markedShot), excerpts, marked_text: markedText,
                   plain_text: plainText, not_found: notFound.concat(notFoundPlain.map((p) => "(plain page) " + p)),
                   phrases: phrases.length });
  }
} finally {
  await browser.close();
}
const b64 = (text) => Buffer.from(text, "utf8").toString("base64");
for (const a of answers) {
  let lines = `page\nsame_pixels ${a.same_pixels ? 1 : 0}\nphrases ${a.phrases}\n`;
  lines += `marked_text ${b64(a.marked_text)}\nplain_text ${b64(a.plain_text)}\n`;
  for (const e of a.excerpts) lines += `excerpt ${b64(e)}\n`;
  for (const n of a.not_found) lines += `not_found ${b64(n)}\n`;
  process.stdout.write(lines);
}

// In the page: the phrases that find-in-page does not find.
function findEach(list) {
  return list.filter((phrase) => {
    window.getSelection().removeAllRanges();
    return !window.find(phrase, false, false, true);
  });
}

// In the page: the selection of all of <main>, as copied.
function selectAll() {
  const range = document.createRange();
  range.selectNodeContents(document.querySelector("main"));
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return selection.toString();
}

// In the page: for each start (0 to 1), the selection of `words` words of
// <main> from the word that far into its text.
function selectExcerpts({ starts, words }) {
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = "";
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    nodes.push({ node: n, at: text.length });
    text += n.data;
  }
  const blank = (c) => /[\s\u200b\u200c\u200d\u2060]/.test(c);
  const wordStarts = [];
  for (let i = 0; i < text.length; ++i) {
    if (!blank(text[i]) && (i === 0 || blank(text[i - 1]))) wordStarts.push(i);
  }
  const locate = (offset) => {
    let k = nodes.length - 1;
    while (k > 0 && nodes[k].at > offset) --k;
    return [nodes[k].node, offset - nodes[k].at];
  };
  const selection = window.getSelection();
  return starts.map((s) => {
    const first = Math.floor(s * Math.max(1, wordStarts.length - words));
    const last = Math.min(first + words, wordStarts.length - 1);
    let end = wordStarts[last];
    while (end > 0 && blank(text[end - 1])) --end;
    const range = document.createRange();
    range.setStart(...locate(wordStarts[first]));
    range.setEnd(...locate(end));
    selection.removeAllRanges();
    selection.addRange(range);
    return selection.toString();
  });
}
