// Search at the server (docs/http.md "Search"): the real program serving a
// real archive over real sockets; the index is the one `imprint build` keeps.
// The HTML page, the OPDS feed of the results, the OpenSearch description,
// query strings decoded strictly (percent-escapes on these routes only),
// hostile and non-ASCII queries, and a withdrawn edition gone from results.
// The license gate (issue 16): without a license that reads a publication,
// its editions are matched and quoted only by title and headlines.
#define BOOST_TEST_MODULE search_pages
#include <libxml/parser.h>

#include <filesystem>

#include "pipeline/server/search_pages.h"
#include "tests/served.h"

namespace imprint {
namespace {

using namespace testing;

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

bool WellFormedXml(const std::string& text) {
  xmlDocPtr doc = xmlReadMemory(text.data(), static_cast<int>(text.size()), "feed.xml", nullptr, XML_PARSE_NONET);
  const bool ok = doc != nullptr;
  xmlFreeDoc(doc);
  return ok;
}

BOOST_AUTO_TEST_CASE(the_feed_escapes_what_it_echoes) {
  const std::vector<SearchHit> hits = {{"monitor/v05/i077", "A <b>&amp; \"title\"", "1999-04-20",
                                        {{"]]> <x>", false}, {"&", true}}}};
  const std::string feed = SearchFeedXml("<q> & ]]> \"'", hits);
  BOOST_TEST(WellFormedXml(feed), feed);
  BOOST_TEST(Contains(feed, "<title>Search: &lt;q&gt; &amp; ]]&gt;"), feed);
  BOOST_TEST(Contains(feed, "href=\"/opds/search?q=%3Cq%3E%20%26%20%5D%5D%3E%20%22%27\""), feed);
  BOOST_TEST(Contains(feed, "<updated>1999-04-20T00:00:00Z</updated>"), feed);
  BOOST_TEST(WellFormedXml(SearchFeedXml("", {})));
  BOOST_TEST(WellFormedXml(OpenSearchDescription()));
}

BOOST_AUTO_TEST_CASE(search_page_lists_editions_best_first_with_marked_snippets) {
  Served s;
  const Reply r = s.Get("/search?q=Tajikistan+border", s.ada);
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.headers.at("Content-Type") == "text/html; charset=utf-8");
  BOOST_TEST(Contains(r.body, "href=\"/editions/monitor/v05/i077/monitor-v05-i077.html\""), r.body);
  BOOST_TEST(Contains(r.body, "<mark>Tajikistan</mark>"), r.body);
  BOOST_TEST(Contains(r.body, "value=\"Tajikistan border\""), r.body);
  // The empty form, and a query nothing matches.
  const Reply form = s.Get("/search");
  BOOST_TEST(form.status == 200);
  BOOST_TEST(Contains(form.body, "name=\"q\""));
  BOOST_TEST(!Contains(form.body, "<article"));
  const Reply none = s.Get("/search?q=qqqqzzzz");
  BOOST_TEST(none.status == 200);
  BOOST_TEST(Contains(none.body, "No published edition"), none.body);
}

BOOST_AUTO_TEST_CASE(opds_search_is_an_acquisition_feed_and_opensearch_describes_it) {
  Served s;
  const Reply feed = s.Get("/opds/search?q=Tajikistan", s.ada);
  BOOST_TEST(feed.status == 200);
  BOOST_TEST(feed.headers.at("Content-Type") == kOpdsAcquisitionType);
  BOOST_TEST(WellFormedXml(feed.body), feed.body);
  BOOST_TEST(Contains(feed.body, "<link rel=\"http://opds-spec.org/acquisition\" "
                                 "href=\"/editions/monitor/v05/i077/monitor-v05-i077.epub\" "
                                 "type=\"application/epub+zip\"/>"),
             feed.body);
  BOOST_TEST(Contains(feed.body, "<title>The Monitor, Volume 5, Issue 77</title>"), feed.body);
  const Reply description = s.Get("/opds/opensearch.xml");
  BOOST_TEST(description.status == 200);
  BOOST_TEST(description.headers.at("Content-Type") == "application/opensearchdescription+xml");
  BOOST_TEST(WellFormedXml(description.body));
  BOOST_TEST(Contains(description.body, "template=\"/opds/search?q={searchTerms}\""));
}

BOOST_AUTO_TEST_CASE(query_strings_are_decoded_strictly_and_only_for_search) {
  Served s;
  // Cyrillic, percent-encoded, echoed back as text.
  const Reply cyrillic = s.Get("/search?q=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0");
  BOOST_TEST(cyrillic.status == 200);
  BOOST_TEST(Contains(cyrillic.body, "value=\"Москва\""), cyrillic.body);
  // Markup in a query is text.
  const Reply markup = s.Get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E");
  BOOST_TEST(markup.status == 200);
  BOOST_TEST(!Contains(markup.body, "<script>"));
  BOOST_TEST(Contains(markup.body, "&lt;script&gt;"));
  // FTS5 syntax is words: never an error.
  for (const std::string q : {"%22", "%22%22%22", "NEAR(Tajikistan+border)", "title:Tajikistan", "Tajik*", "%5ETajikistan",
                              "Tajikistan+OR+qqqq", "-", "(", "%27;DROP+TABLE+editions;--"}) {
    BOOST_TEST(s.Get("/search?q=" + q).status == 200, q);
    BOOST_TEST(s.Get("/opds/search?q=" + q).status == 200, q);
  }
  BOOST_TEST(!Contains(s.Get("/search?q=Tajikistan+OR+qqqq").body, "<article"));
  // Malformed: bad escapes, not UTF-8, controls, too long.
  for (const std::string q : {"%", "%4", "%zz", "%FF", "%C0%AF", "%00", "a%0Ab", "%ED%A0%80", "a#b", "a%20b\"c"}) {
    BOOST_TEST(s.RawStatus("GET /search?q=" + q + " HTTP/1.1") == 400, q);
  }
  BOOST_TEST(s.RawStatus("GET /search?q=" + std::string(5000, 'a') + " HTTP/1.1") == 400);
  // Elsewhere, percent-escapes stay malformed.
  BOOST_TEST(s.RawStatus("GET /healthz?q=%41 HTTP/1.1") == 400);
  BOOST_TEST(s.RawStatus("GET /opds/opensearch.xml?q=%41 HTTP/1.1") == 400);
}

BOOST_AUTO_TEST_CASE(a_withdrawn_edition_is_gone_from_search_results) {
  Served s;
  BOOST_TEST(Contains(s.Get("/search?q=Tajikistan", s.ada).body, "monitor/v05/i077"));
  const ProcessResult r = s.Imprint({"withdraw", "monitor/v05/i077", "--notice", "Gone.", "--reason", "Legal.",
                                     "--out", s.dir / "output", "--rights", s.dir / "rights"});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.out + r.err);
  BOOST_TEST(!Contains(s.Get("/search?q=Tajikistan", s.ada).body, "monitor/v05/i077"));
  BOOST_TEST(!Contains(s.Get("/opds/search?q=Tajikistan", s.ada).body, "monitor/v05/i077"));
}

// An index from before the withdrawal put back (or one a failed update left)
// does not list it either: the server drops what its signed catalog withdrew.
BOOST_AUTO_TEST_CASE(a_stale_index_does_not_bring_back_a_withdrawn_edition) {
  Served s;
  const std::string index = s.dir / "output/.imprint/search.db";
  std::filesystem::copy_file(index, s.dir / "stale.db");
  const ProcessResult r = s.Imprint({"withdraw", "monitor/v05/i077", "--notice", "Gone.", "--reason", "Legal.",
                                     "--out", s.dir / "output", "--rights", s.dir / "rights"});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.out + r.err);
  std::filesystem::copy_file(s.dir / "stale.db", index, std::filesystem::copy_options::overwrite_existing);
  BOOST_TEST(!Contains(s.Get("/search?q=Tajikistan", s.ada).body, "monitor/v05/i077"));
  BOOST_TEST(!Contains(s.Get("/opds/search?q=Tajikistan", s.ada).body, "monitor/v05/i077"));
}

// "Rahmonov" is only in the text (the body) of monitor/v05/i077, "Samara"
// only in that of prism/v04/i012; neither title nor headline has them.
const char kMonitorBody[] = "/search?q=Rahmonov";
const char kPrismBody[] = "/search?q=Samara";

BOOST_AUTO_TEST_CASE(search_without_a_license_does_not_match_licensed_text) {
  Served s;
  for (const std::string path : {kMonitorBody, kPrismBody}) {
    BOOST_TEST(!Contains(s.Get(path).body, "<article"), path);
    BOOST_TEST(!Contains(s.Get("/opds" + path).body, "<entry>"), path);
  }
  // A license that does not check out is no license.
  std::string forged = s.ada;
  forged.replace(forged.find("\"tier\":\"individual\""), 24, "\"tier\":\"institutional\"");
  for (const std::string& bad : {forged, std::string("not a license"), s.expired, s.future}) {
    BOOST_TEST(!Contains(s.Get(kMonitorBody, bad).body, "monitor/v05/i077"));
    BOOST_TEST(!Contains(s.Get(std::string("/opds") + kMonitorBody, bad).body, "monitor/v05/i077"));
  }
  BOOST_TEST(!Contains(s.Get(kMonitorBody, "", "Basic " + Base64Encode("ada:guess")).body, "<article"));
}

BOOST_AUTO_TEST_CASE(search_with_a_license_matches_the_text_its_tier_reads) {
  Served s;
  // ada reads the Monitor (individual): its text, marked in the snippet.
  const Reply monitor = s.Get(kMonitorBody, s.ada);
  BOOST_TEST(Contains(monitor.body, "monitor/v05/i077"), monitor.body);
  BOOST_TEST(Contains(monitor.body, "<mark>Rahmonov</mark>"), monitor.body);
  BOOST_TEST(Contains(s.Get(std::string("/opds") + kMonitorBody, s.ada).body, "monitor-v05-i077.epub"));
  // ...not Prism's: a license for another publication is no key to it.
  BOOST_TEST(!Contains(s.Get(kPrismBody, s.ada).body, "<article"));
  BOOST_TEST(!Contains(s.Get(std::string("/opds") + kPrismBody, s.ada).body, "<entry>"));
  const std::string pat = s.Issue("pat", "individual", "prism");
  BOOST_TEST(Contains(s.Get(kPrismBody, pat).body, "prism/v04/i012"));
  BOOST_TEST(!Contains(s.Get(kMonitorBody, pat).body, "<article"));
  BOOST_TEST(!Contains(s.Get(std::string("/opds") + kMonitorBody, pat).body, "<entry>"));
  // bob (syndication) reads both; printer's tier covers the Monitor but may not read it.
  BOOST_TEST(Contains(s.Get(kMonitorBody, s.bob).body, "monitor/v05/i077"));
  BOOST_TEST(Contains(s.Get(kPrismBody, s.bob).body, "prism/v04/i012"));
  BOOST_TEST(!Contains(s.Get(kMonitorBody, s.printer).body, "<article"));
  // The other publications' editions are still found by their headlines.
  const Reply headline = s.Get("/search?q=Kazakhstan+oil", s.ada);
  BOOST_TEST(Contains(headline.body, "prism/v04/i012"), headline.body);
  BOOST_TEST(!Contains(headline.body, "Samara"), headline.body);
  // Answers that differ by credentials are not shared by caches.
  BOOST_TEST(monitor.headers.at("Vary") == "Authorization");
  // A revoked license reads nothing more than the public (the server learns
  // of a revocation at its next audit commit, as the feeds do).
  BOOST_REQUIRE_EQUAL(s.Imprint({"license", "revoke", s.ada.substr(7, 36), "--reason", "test"}).exit_code, 0);
  BOOST_TEST(s.Get("/editions/monitor/v05/i077/monitor-v05-i077.md", s.ada).status == 403);
  BOOST_TEST(!Contains(s.Get(kMonitorBody, s.ada).body, "<article"));
}

BOOST_AUTO_TEST_CASE(search_with_basic_credentials_matches_the_text_its_tier_reads) {
  Served s;
  const std::string id = s.ada.substr(7, 36);
  const ProcessResult r = s.Imprint({"license", "key", id});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::string label = "access key for license " + id + " (shown only now): ";
  const size_t at = r.err.find(label);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, r.err);
  const std::string key = r.err.substr(at + label.size(), 43);
  BOOST_TEST(Contains(s.Get(kMonitorBody, "", "Basic " + Base64Encode(id + ":" + key)).body, "monitor/v05/i077"));
  BOOST_TEST(!Contains(s.Get(kMonitorBody, "", "Basic " + Base64Encode(id + ":" + key + "x")).body, "<article"));
  BOOST_TEST(!Contains(s.Get(kPrismBody, "", "Basic " + Base64Encode(id + ":" + key)).body, "<article"));
}

BOOST_AUTO_TEST_CASE(public_search_quotes_only_titles_and_headlines) {
  Served s;
  // Titles and headlines are public (catalog.json lists them): found, marked.
  const Reply titles = s.Get("/search?q=Monitor");
  BOOST_TEST(Contains(titles.body, "monitor/v05/i077"), titles.body);
  const Reply headline = s.Get("/search?q=Kazakhstan");
  BOOST_TEST(Contains(headline.body, "<mark>KAZAKHSTAN</mark>"), headline.body);
  const Reply feed = s.Get("/opds/search?q=Kazakhstan");
  BOOST_TEST(Contains(feed.body, "prism/v04/i012"), feed.body);
  // No snippet quotes the text: "Monitor" and "Prism" are in their bodies too.
  for (const Reply& r : {titles, s.Get("/opds/search?q=Monitor"), s.Get("/search?q=Prism"), headline, feed,
                         s.Get("/search?q=Prism", s.ada), s.Get("/opds/search?q=Monitor", s.printer)}) {
    for (const char* body_text : {"researched and written", "governors of the Volga", "Jamestown Foundation. It",
                                  "Samara", "troops", "<mark>Prism</mark>"}) {
      BOOST_TEST(!Contains(r.body, body_text), body_text << " in " << r.body);
    }
  }
}

// FTS5 syntax in a query is words: no column filter, NEAR or prefix reaches
// the text without a license.
BOOST_AUTO_TEST_CASE(hostile_queries_do_not_reach_the_text_without_a_license) {
  Served s;
  for (const std::string q : {"body:Rahmonov", "%7Bbody%7D:Rahmonov", "%7Bbody%7D+%3A+Rahmonov", "-+Rahmonov",
                              "texts:Rahmonov", "NEAR(Rahmonov)", "Rahmon*", "Monitor+OR+Rahmonov",
                              "%22+OR+body:Rahmonov+OR+%22", "%29+OR+Rahmonov+OR+%28", "Rahmonov%22)"}) {
    const Reply page = s.Get("/search?q=" + q);
    BOOST_TEST(page.status == 200, q);
    BOOST_TEST(!Contains(page.body, "<article"), q << ": " << page.body);
    const Reply feed = s.Get("/opds/search?q=" + q);
    BOOST_TEST(feed.status == 200, q);
    BOOST_TEST(!Contains(feed.body, "<entry>"), q);
    BOOST_TEST(s.Get("/search?q=" + q, s.ada).status == 200, q);
  }
}

}  // namespace
}  // namespace imprint
