// The download server's router: the shapes of the spec, and nothing else.
#define BOOST_TEST_MODULE http_route
#include "pipeline/server/http_route.h"

#include <boost/test/unit_test.hpp>
#include <random>
#include <regex>

namespace imprint {
namespace {

// The router's grammar as regular expressions: the reference the hand-written
// matcher must agree with, on every input.
Route ReferenceRoute(const std::string& uri) {
  Route r;
  static const std::regex allowed("/[A-Za-z0-9._~!$&'()*+,;=:@/-]*");
  static const std::regex query_allowed("[A-Za-z0-9._~!$&'()*+,;=:@/?-]*");
  static const std::regex dot_segment(".*/\\.(/.*)?");
  const size_t question = uri.find('?');
  const std::string path = uri.substr(0, question);
  const std::string query = question == std::string::npos ? "" : uri.substr(question + 1);
  if (!std::regex_match(path, allowed) || path.find("..") != std::string::npos ||
      path.find("//") != std::string::npos || std::regex_match(path, dot_segment) ||
      !std::regex_match(query, query_allowed)) {
    return r;
  }
  r.kind = Route::kUnknown;
  static const std::regex status("/licenses/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/(status|license|rights)");
  static const std::regex edition(
      "/editions/([a-z0-9]+(?:-[a-z0-9]+)*)/v([0-9]{2,5})/i([0-9]{3,5})/"
      "(([a-z0-9-]+)-v([0-9]{2,5})-i([0-9]{3,5})\\.(md|html|epub))(\\.minisig)?");
  std::smatch m;
  if (path == "/") {
    r.kind = Route::kPage;
  } else if (path == "/healthz") {
    r.kind = Route::kHealth;
  } else if (path == "/keys/imprint.pub") {
    r.kind = Route::kPublicKey;
  } else if (path == "/catalog.json") {
    r.kind = Route::kCatalog;
  } else if (path == "/audit/checkpoint") {
    r.kind = Route::kAuditCheckpoint;
  } else if (std::regex_match(path, m, status)) {
    r.kind = m[2] == "status" ? Route::kStatus : m[2] == "license" ? Route::kLicense : Route::kRights;
    r.license_id = m[1];
  } else if (std::regex_match(path, m, edition)) {
    if (m[5] != m[1] || m[6] != m[2] || m[7] != m[3]) return r;  // kUnknown
    r.kind = Route::kEdition;
    r.edition = {m[1], std::stoi(m[2]), std::stoi(m[3])};
    if (r.edition.volume < 1 || r.edition.issue < 1 ||
        r.edition.Path() != std::string(m[1]) + "/v" + std::string(m[2]) + "/i" + std::string(m[3])) {
      Route unknown;
      unknown.kind = Route::kUnknown;
      return unknown;
    }
    r.file = m[4];
    r.format = m[8];
    r.signature = m[9].matched;
  }
  return r;
}

std::string Describe(const Route& r) {
  return std::to_string(r.kind) + "|" + r.license_id + "|" + r.edition.publication + "|" +
         std::to_string(r.edition.volume) + "|" + std::to_string(r.edition.issue) + "|" + r.file + "|" + r.format +
         "|" + (r.signature ? "sig" : "");
}

BOOST_AUTO_TEST_CASE(the_shapes_of_the_spec) {
  BOOST_TEST(ParseRoute("/").kind == Route::kPage);
  BOOST_TEST(ParseRoute("/healthz").kind == Route::kHealth);
  BOOST_TEST(ParseRoute("/keys/imprint.pub").kind == Route::kPublicKey);
  BOOST_TEST(ParseRoute("/catalog.json").kind == Route::kCatalog);
  BOOST_TEST(ParseRoute("/audit/checkpoint").kind == Route::kAuditCheckpoint);  // the audit log's latest
  const Route status = ParseRoute("/licenses/0b0e7a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b/status");
  BOOST_TEST(status.kind == Route::kStatus);
  BOOST_TEST(status.license_id == "0b0e7a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
  const Route license = ParseRoute("/licenses/0b0e7a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b/license");
  BOOST_TEST(license.kind == Route::kLicense);
  BOOST_TEST(license.license_id == "0b0e7a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
  BOOST_TEST(ParseRoute("/licenses/0b0e7a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b/rights").kind == Route::kRights);
  BOOST_TEST(ParseRoute("/licenses/0b0e7a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b/licenses").kind == Route::kUnknown);
  BOOST_TEST(ParseRoute("/licenses/0b0e7a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b/license/x").kind == Route::kUnknown);
  const Route epub = ParseRoute("/editions/monitor/v05/i077/monitor-v05-i077.epub");
  BOOST_TEST(epub.kind == Route::kEdition);
  BOOST_TEST(epub.edition.Path() == "monitor/v05/i077");
  BOOST_TEST(epub.file == "monitor-v05-i077.epub");
  BOOST_TEST(epub.format == "epub");
  BOOST_TEST(!epub.signature);
  const Route sig = ParseRoute("/editions/russia-review/v123/i4567/russia-review-v123-i4567.md.minisig");
  BOOST_TEST(sig.kind == Route::kEdition);
  BOOST_TEST(sig.signature);
  BOOST_TEST(sig.format == "md");
}

BOOST_AUTO_TEST_CASE(malformed_targets_are_bad) {
  for (const char* uri :
       {"", "healthz", "/keys/../keys/imprint.pub", "/editions/monitor/v05/i077/monitor-v05-i077.md%00",
        "/editions/%2e%2e/x", "/editions//monitor", "http://host/healthz", "/editions/./monitor", "/.",
        "/editions/monitor/v05/i077/.", "/a b", "/caf\xc3\xa9", "/x\x7f", "/x\\y", "/x\"y", "/x<y>",
        "/healthz?x=%41", "/healthz?a b", "*", "/audit/../audit/checkpoint"}) {
    BOOST_TEST(ParseRoute(uri).kind == Route::kBad, uri);
  }
  BOOST_TEST(ParseRoute(std::string("/healthz\0", 9)).kind == Route::kBad);
}

// Issue 12, point 11: /opds, /feed.xml, /index.html answered 400.
BOOST_AUTO_TEST_CASE(unknown_but_well_formed_paths_are_not_found) {
  for (const char* uri :
       {"/opds/", "/feed.xml", "/index.html", "/healthz/", "/editions/monitor/v05/i077/",
        "/editions/monitor/v05/i077/manifest.json", "/editions/monitor/v05/i077/prism-v05-i077.md",
        "/editions/monitor/v05/i077/monitor-v05-i078.md", "/editions/monitor/v5/i077/monitor-v5-i077.md",
        "/editions/monitor/v00/i000/monitor-v00-i000.md", "/editions/monitor/v05/i077/monitor-v05-i077.pdf",
        "/editions/Monitor/v05/i077/Monitor-v05-i077.md", "/licenses/x/status", "/.imprint/state.tsv",
        "/etc/passwd", "/.well-known/x", "/feed.xml?page=2", "/audit", "/audit/", "/audit/checkpoint/",
        "/audit/checkpoints"}) {
    BOOST_TEST(ParseRoute(uri).kind == Route::kUnknown, uri);
  }
  // A query is no part of the route.
  BOOST_TEST(ParseRoute("/editions/monitor/v05/i077/monitor-v05-i077.md?x=1").kind == Route::kEdition);
  BOOST_TEST(ParseRoute("/?from=app").kind == Route::kPage);
}

// Issue 16: the search routes take `q`, percent-encoded; no other route does.
BOOST_AUTO_TEST_CASE(search_routes_decode_their_query_and_only_theirs) {
  const Route search = ParseRoute("/search?q=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0+%22NEAR%22");
  BOOST_TEST(search.kind == Route::kSearch);
  BOOST_TEST(search.query == "Москва \"NEAR\"");
  const Route opds = ParseRoute("/opds/search?q=a%2Bb");
  BOOST_TEST(opds.kind == Route::kOpdsSearch);
  BOOST_TEST(opds.query == "a+b");
  BOOST_TEST(ParseRoute("/search").kind == Route::kSearch);
  BOOST_TEST(ParseRoute("/search").query == "");
  BOOST_TEST(ParseRoute("/opds/opensearch.xml").kind == Route::kOpenSearch);
  for (const char* uri : {"/search?q=%FF", "/search?q=%", "/search?q=%00", "/search?q=a b", "/opds/search?q=%zz",
                          "/opds/opensearch.xml?q=%41", "/search/?q=x", "/search/../search?q=x"}) {
    const Route r = ParseRoute(uri);
    BOOST_TEST((r.kind == Route::kBad || r.kind == Route::kUnknown), uri);
    BOOST_TEST(r.query.empty(), uri);
  }
  BOOST_TEST(ParseRoute("/search?q=" + std::string(5000, 'a')).kind == Route::kBad);
}

BOOST_AUTO_TEST_CASE(the_dashboard_is_admin_with_a_slash_and_nothing_below) {
  BOOST_TEST(ParseRoute("/admin/").kind == Route::kAdmin);
  BOOST_TEST(ParseRoute("/admin/?days=7").kind == Route::kAdmin);  // the handler reads the query
  BOOST_TEST(ParseRoute("/admin/?days=%37").kind == Route::kBad);
  BOOST_TEST(ParseRoute("/admin").kind == Route::kUnknown);
  BOOST_TEST(ParseRoute("/admin/index.html").kind == Route::kUnknown);
  BOOST_TEST(ParseRoute("/Admin/").kind == Route::kUnknown);
  BOOST_TEST(ParseRoute("/admin/../").kind == Route::kBad);
}

// Paths assembled from the grammar's own pieces, most of them near misses.
BOOST_AUTO_TEST_CASE(agrees_with_the_regular_expressions_on_200000_generated_paths) {
  const std::vector<std::string> pieces = {
      "/", "/editions/", "/licenses/", "/status", "monitor", "prism", "russia-review", "a-v12-i123", "-", "--",
      "v", "i", "-v", "-i", "/v", "/i", "05", "5", "077", "77", "00", "000", "123456", "99999", ".", "..",
      ".md", ".html", ".epub", ".pdf", ".minisig", "md", "x", "_", "%2e", "0b0e7a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
      "0B0E7A7E", "abcdef", "/healthz", "/catalog.json", "/keys/imprint.pub", "/audit/checkpoint", "/audit", "checkpoint", std::string("\0", 1), "?", "A",
      "/license", "/rights"};  // new pieces go last: the indices above pick the edition path's parts
  std::mt19937 random(20261128);
  size_t editions = 0;
  for (int n = 0; n < 200000; ++n) {
    std::string uri;
    if (n % 3 == 0) {  // an edition path, well formed or with one piece swapped
      const std::string slug = pieces[4 + random() % 4], v = pieces[16 + random() % 4], i = pieces[18 + random() % 6];
      std::vector<std::string> parts = {"/editions/", slug, "/v", v, "/i", i, "/", slug, "-v", v, "-i", i,
                                        pieces[26 + random() % 5], random() % 2 ? ".minisig" : ""};
      if (random() % 2) parts[random() % parts.size()] = pieces[random() % pieces.size()];
      for (const std::string& p : parts) uri += p;
    } else {
      for (int k = 1 + random() % 8; k > 0; --k) uri += pieces[random() % pieces.size()];
    }
    const Route got = ParseRoute(uri), want = ReferenceRoute(uri);
    if (want.kind == Route::kEdition) ++editions;
    BOOST_TEST_REQUIRE(Describe(got) == Describe(want), uri);
  }
  BOOST_TEST(editions > 1000u);  // the generator does reach the interesting shapes
}

// The feeds' paths (opds_feeds.h): each in one spelling; anything near it is
// no route.
BOOST_AUTO_TEST_CASE(feed_routes_are_matched_in_their_canonical_spelling_only) {
  struct Case {
    const char* uri;
    Route::Kind kind;
    const char* publication;
    int volume, page;
  };
  for (const Case& c : std::vector<Case>{{"/opds", Route::kOpds, "", 0, 0},
                                         {"/opds/auth", Route::kOpdsAuth, "", 0, 0},
                                         {"/opds/recent", Route::kOpds, "", 0, 1},
                                         {"/opds/recent/page/2", Route::kOpds, "", 0, 2},
                                         {"/opds/publications/monitor", Route::kOpds, "monitor", 0, 1},
                                         {"/opds/publications/new-prism/page/99999", Route::kOpds, "new-prism", 0, 99999},
                                         {"/opds/publications/monitor/v05/page/12", Route::kOpds, "monitor", 5, 12},
                                         {"/opds/publications/monitor/v123", Route::kOpds, "monitor", 123, 1},
                                         {"/opds/recent?q=x", Route::kOpds, "", 0, 1},
                                         {"/feed.atom", Route::kAtom, "", 0, 0},
                                         {"/feed/monitor.atom", Route::kAtom, "monitor", 0, 0}}) {
    const Route r = ParseRoute(c.uri);
    BOOST_TEST(r.kind == c.kind, c.uri);
    BOOST_TEST(r.publication == c.publication, c.uri);
    BOOST_TEST(r.volume == c.volume, c.uri);
    BOOST_TEST(r.page == c.page, c.uri);
  }
  for (const char* uri :
       {"/opds/recent/page/0", "/opds/recent/page/01", "/opds/recent/page/", "/opds/recent/page/123456",
        "/opds/recentx", "/opds/recent/", "/opds/publications", "/opds/publications/", "/opds/publications/Monitor",
        "/opds/publications/monitor/v5", "/opds/publications/monitor/v00", "/opds/publications/monitor/v05/",
        "/opds/publications/monitor/page/1/x", "/opds/publications/monitor/v05/i077", "/opds/publications/-x",
        "/opds/auth/", "/feed/.atom", "/feed/monitor.atom/x", "/feed/mon_itor.atom",
        "/feed/monitor/v05.atom", "/feed/", "/feed", "/feed.atom/"}) {
    BOOST_TEST(ParseRoute(uri).kind == Route::kUnknown, uri);
  }
}

}  // namespace
}  // namespace imprint
