// The manifest: canonical JSON that lists every artifact and parses back.
#define BOOST_TEST_MODULE manifest
#include "pipeline/edition/manifest.h"

#include <boost/test/unit_test.hpp>

#include "pipeline/base/canonical_json.h"
#include "pipeline/base/error.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

BOOST_AUTO_TEST_CASE(canonical_and_round_trips) {
  const Document doc = ReadEdition(SourceDir() + "/samples/archive/prism-v04-i012.txt");
  const std::vector<ManifestArtifact> artifacts = {DescribeArtifact("a.md", "abc"),
                                                   DescribeArtifact("a.html", "")};
  const std::string json = ManifestJson(doc, "prism/v04/i012", artifacts, "ABC123", "ff00");
  BOOST_TEST(Canonicalize(json, "m") == json);  // already canonical
  BOOST_TEST(json.find("\"headlines\":[\"RUSSIA'S REGIONS TEST THE NEW BUDGET RULES\",") != std::string::npos);
  BOOST_TEST(json.find("\"copyright\":\"Copyright (c) 1995-1998 The Jamestown Foundation\"") != std::string::npos);
  BOOST_TEST(json.find("\"date\":\"1998-06-19\"") != std::string::npos);
  const Manifest m = ParseManifest(json, "m");
  BOOST_TEST(m.edition == "prism/v04/i012");
  BOOST_TEST(m.key_id == "ABC123");
  BOOST_TEST(m.inputs_sha256 == "ff00");
  BOOST_REQUIRE_EQUAL(m.artifacts.size(), 2u);
  BOOST_TEST(m.artifacts[0].name == "a.md");
  BOOST_TEST(m.artifacts[0].size == 3u);
  BOOST_TEST(m.artifacts[0].sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// The catalog reads the issue's metadata through ParseManifest (it once
// parsed the manifest's JSON again by itself).
BOOST_AUTO_TEST_CASE(the_issue_metadata_parses_back_for_the_catalog) {
  const Document doc = ReadEdition(SourceDir() + "/samples/archive/prism-v04-i012.txt");
  const std::string json = ManifestJson(doc, "prism/v04/i012", {}, "ABC123", "ff00");
  const Manifest m = ParseManifest(json, "m");
  BOOST_TEST(m.has_issue);
  BOOST_TEST(m.issue.publication == "prism");
  BOOST_TEST(m.issue.publication_name == doc.publication.display_name);
  BOOST_TEST(m.issue.volume == 4);
  BOOST_TEST(m.issue.issue == 12);
  BOOST_TEST(m.issue.date == "1998-06-19");
  BOOST_TEST(m.issue.title == doc.title);
  const std::string head = "{\"artifacts\":[],\"edition\":\"m/v01/i001\",\"format\":\"imprint-manifest/1\","
                           "\"inputs_sha256\":\"\",\"key_id\":\"K\"";
  BOOST_TEST(!ParseManifest(head + "}", "m").has_issue);
  const Manifest undated = ParseManifest(head + ",\"issue\":{\"issue\":1,\"publication\":\"m\",\"publication_name\":\"M\","
                                                "\"title\":\"T\",\"volume\":1}}", "m");
  BOOST_TEST(undated.issue.date.empty());
  // An issue member without its fields is no manifest.
  BOOST_CHECK_THROW(ParseManifest(head + ",\"issue\":{\"publication\":\"m\"}}", "m"), Error);
  BOOST_CHECK_THROW(ParseManifest(head + ",\"issue\":{\"issue\":\"1\",\"publication\":\"m\",\"publication_name\":\"M\","
                                         "\"title\":\"T\",\"volume\":[]}}", "m"), Error);
}

BOOST_AUTO_TEST_CASE(not_a_manifest_is_an_error_naming_the_file) {
  for (const std::string text : {"", "[]", "{\"format\":\"other\"}", "{\"format\":\"imprint-manifest/1\"}"}) {
    try {
      ParseManifest(text, "x/manifest.json");
      BOOST_FAIL("no error for " + text);
    } catch (const Error& e) {
      BOOST_TEST(e.diagnostic().file == "x/manifest.json");
    }
  }
}

}  // namespace
}  // namespace imprint
