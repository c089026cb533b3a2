// A referee for the OPDS feeds (tests/opds_feeds_test.cc): Readium's OPDS 1
// parser, r2-opds-js (what Thorium Reader uses), reads each feed named on the
// command line, and what it found is printed as one JSON document: per file,
// the feed's title, its links (rel and href) and each entry's title and
// acquisition links (href and type). A file it cannot parse is an error
// (exit status 1), named.
"use strict";
const fs = require("fs");
require("reflect-metadata");
const { DOMParser } = require("@xmldom/xmldom");
const { XML } = require("r2-utils-js/dist/es8-es2017/src/_utils/xml-js-mapper");
const { OPDS } = require("r2-opds-js/dist/es8-es2017/src/opds/opds1/opds");
const { initGlobalConverters_OPDS, initGlobalConverters_GENERIC } = require("r2-opds-js/dist/es8-es2017/src/opds/init-globals");

initGlobalConverters_OPDS();
initGlobalConverters_GENERIC();

const links = (list) => (list || []).map((l) => ({ rel: l.Rel || "", href: l.Href || "", type: l.Type || "" }));
const out = {};
for (const file of process.argv.slice(2)) {
  try {
    const dom = new DOMParser().parseFromString(fs.readFileSync(file, "utf8"), "application/xml");
    const feed = XML.deserialize(dom, OPDS);
    out[file] = {
      title: feed.Title || "",
      links: links(feed.Links),
      entries: (feed.Entries || []).map((e) => ({
        title: e.Title || "",
        summary: e.Summary || "",
        acquisitions: links(e.Links).filter((l) => l.rel.startsWith("http://opds-spec.org/acquisition")),
      })),
    };
  } catch (err) {
    console.error(`${file}: r2-opds-js could not parse it: ${err && err.stack ? err.stack : err}`);
    process.exit(1);
  }
}
process.stdout.write(JSON.stringify(out) + "\n");
