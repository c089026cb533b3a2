// The download server's router: the shapes of the spec, and nothing else.
#define BOOST_TEST_MODULE http_route
#include "pipeline/http_route.h"

#include <boost/test/unit_test.hpp>

namespace imprint {
namespace {

BOOST_AUTO_TEST_CASE(the_shapes_of_the_spec) {
  BOOST_TEST(ParseRoute("/").kind == Route::kPage);
  BOOST_TEST(ParseRoute("/healthz").kind == Route::kHealth);
  BOOST_TEST(ParseRoute("/keys/imprint.pub").kind == Route::kPublicKey);
  BOOST_TEST(ParseRoute("/catalog.json").kind == Route::kCatalog);
  const Route status = ParseRoute("/licenses/0b0e7a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b/status");
  BOOST_TEST(status.kind == Route::kStatus);
  BOOST_TEST(status.license_id == "0b0e7a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
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

BOOST_AUTO_TEST_CASE(everything_else_is_bad) {
  for (const char* uri :
       {"", "healthz", "/healthz/", "/keys/../keys/imprint.pub", "/editions/monitor/v05/i077/",
        "/editions/monitor/v05/i077/manifest.json", "/editions/monitor/v05/i077/prism-v05-i077.md",
        "/editions/monitor/v05/i077/monitor-v05-i078.md", "/editions/monitor/v5/i077/monitor-v5-i077.md",
        "/editions/monitor/v00/i000/monitor-v00-i000.md", "/editions/monitor/v05/i077/monitor-v05-i077.pdf",
        "/editions/monitor/v05/i077/monitor-v05-i077.md%00", "/editions/%2e%2e/x", "/editions//monitor",
        "/editions/Monitor/v05/i077/Monitor-v05-i077.md", "/licenses/x/status", "/index.html", "/.imprint/state.tsv",
        "http://host/healthz", "/editions/monitor/v05/i077/monitor-v05-i077.md?x=1"}) {
    BOOST_TEST(ParseRoute(uri).kind == Route::kBad, uri);
  }
  BOOST_TEST(ParseRoute(std::string("/healthz\0", 9)).kind == Route::kBad);
}

}  // namespace
}  // namespace imprint
