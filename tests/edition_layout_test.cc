// The output layout of the editions contract.
#define BOOST_TEST_MODULE edition_layout
#include "pipeline/base/edition_layout.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

namespace imprint {
namespace {

BOOST_AUTO_TEST_CASE(zero_padded_to_two_and_three_digits_at_least) {
  BOOST_TEST(EditionPath("monitor", 5, 77) == "monitor/v05/i077");
  BOOST_TEST(EditionBaseName("monitor", 5, 77) == "monitor-v05-i077");
  BOOST_TEST(EditionPath("prism", 12, 1) == "prism/v12/i001");
  BOOST_TEST(EditionPath("russia-review", 123, 4567) == "russia-review/v123/i4567");
  BOOST_TEST(EditionBaseName("m", 99999, 99999) == "m-v99999-i99999");
}

BOOST_AUTO_TEST_CASE(paths_are_read_back_by_the_same_grammar) {
  const auto p = ParseEditionRef("monitor/v05/i077");
  BOOST_REQUIRE(p.has_value());
  BOOST_TEST(p->publication == "monitor");
  BOOST_TEST(p->volume == 5);
  BOOST_TEST(p->issue == 77);
  BOOST_TEST(ParseEditionRef("russia-review/v5/i77")->issue == 77);  // padding optional
  BOOST_TEST(ParseEditionRef("m/v99999/i99999")->volume == 99999);
  for (const char* bad : {"", "monitor", "monitor/v05", "monitor/v05/i077/", "/monitor/v05/i077", "monitor//v05/i077",
                          "Monitor/v05/i077", "-monitor/v05/i077", "monitor-/v05/i077", "mon--itor/v05/i077",
                          "../v05/i077", "monitor/v00/i001", "monitor/v01/i000", "monitor/v/i001", "monitor/v05/i",
                          "monitor/v123456/i001", "monitor/05/i077", "monitor/v05/077", "monitor/v05/i07x",
                          "monitor/v+5/i077", "monitor/v05/i077 ", "mon itor/v05/i077"}) {
    BOOST_TEST(!ParseEditionRef(bad).has_value(), bad);
  }
  // Long hostile text is refused in linear time.
  BOOST_TEST(!ParseEditionRef(std::string(1000000, 'a') + "/v").has_value());
}

BOOST_AUTO_TEST_CASE(an_edition_ref_spells_its_path_and_base_name) {
  const EditionRef e{"russia-review", 5, 77};
  BOOST_TEST(e.Path() == "russia-review/v05/i077");
  BOOST_TEST(e.BaseName() == "russia-review-v05-i077");
  BOOST_TEST(ParseEditionRef("russia-review/v5/i77")->Path() == "russia-review/v05/i077");
}

BOOST_AUTO_TEST_CASE(the_other_output_paths) {
  BOOST_TEST(std::string(kSignatureSuffix) == ".minisig");
  BOOST_TEST(std::string(kManifestName) == "manifest.json");
  BOOST_TEST(std::string(kPublicKeyPath) == "keys/imprint.pub");
  BOOST_TEST(std::string(kKeyringPath) == "keys/keyring.json");
  BOOST_TEST(std::string(kCatalogJsonName) == "catalog.json");
  BOOST_TEST(std::string(kCatalogPageName) == "index.html");
}

BOOST_AUTO_TEST_CASE(artifact_paths_are_read_by_the_same_grammar) {
  const auto a = ParseArtifactPath("monitor/v05/i077/monitor-v05-i077.epub");
  BOOST_REQUIRE(a.has_value());
  BOOST_TEST(a->edition.Path() == "monitor/v05/i077");
  BOOST_TEST(a->extension == "epub");
  BOOST_TEST(!a->signature);
  BOOST_TEST(a->FileName() == "monitor-v05-i077.epub");
  const auto s = ParseArtifactPath("russia-review/v123/i4567/russia-review-v123-i4567.md.minisig");
  BOOST_REQUIRE(s.has_value());
  BOOST_TEST(s->signature);
  BOOST_TEST(s->extension == "md");
  BOOST_TEST(s->FileName() == "russia-review-v123-i4567.md");
  BOOST_TEST(ParseArtifactPath("m/v99999/i99999/m-v99999-i99999.x").has_value());
}

// Hostile artifact paths: dots, "..", slashes, overlong numbers, NUL, upper
// case, spellings that are not canonical, another edition's file.
BOOST_AUTO_TEST_CASE(base_names_read_back_padded_or_not_and_nothing_else) {
  const auto ref = ParseEditionBaseName("monitor-v05-i077");
  BOOST_REQUIRE(ref.has_value());
  BOOST_TEST(ref->Path() == "monitor/v05/i077");
  BOOST_TEST(ParseEditionBaseName("north-caucasus-v5-i7")->Path() == "north-caucasus/v05/i007");
  BOOST_TEST(ParseEditionBaseName("a-v-i1-v2-i3")->Path() == "a-v-i1/v02/i003");
  for (const std::string& bad : std::vector<std::string>{"", "monitor", "monitor-v05", "-v05-i077", "monitor-v05-i", "monitor-v0-i1",
                                "monitor-v05-i077x", "Monitor-v05-i077", "monitor--v05-i077", "monitor-v123456-i1",
                                "monitor-v05-i077.txt", std::string("monitor-v05-i07\0", 16), "a/b-v1-i1"}) {
    BOOST_TEST(!ParseEditionBaseName(bad).has_value(), bad);
  }
}

BOOST_AUTO_TEST_CASE(hostile_artifact_paths_are_refused) {
  const std::string nul("\0", 1);
  for (const std::string& bad : std::vector<std::string>{
           "", "monitor-v05-i077.md", "/monitor/v05/i077/monitor-v05-i077.md", "monitor/v05/i077/",
           "monitor/v05/i077/monitor-v05-i077", "monitor/v05/i077/monitor-v05-i077.", "monitor/v05/i077/monitor-v05-i077..md",
           "monitor/v05/i077/monitor-v05-i077.md.", "monitor/v05/i077/monitor-v05-i077.md/", "monitor/v05/i077/.md",
           "monitor/v05/i077/monitor-v05-i077.m.d", "monitor/v05/i077/monitor-v05-i077.minisig.md",
           "monitor/v05/i077/monitor-v05-i077..minisig", "monitor/v05/i077/monitor-v05-i077.md.minisig.minisig",
           "monitor/v05/i077/../v05/i077/monitor-v05-i077.md", "monitor/v05/i077/../../../etc/passwd",
           "../v05/i077/monitor-v05-i077.md", "monitor/v05/i077/./monitor-v05-i077.md",
           "monitor/v05/i077//monitor-v05-i077.md", "monitor//v05/i077/monitor-v05-i077.md",
           "monitor/v05/i077/x/monitor-v05-i077.md", "monitor/v5/i77/monitor-v5-i77.md",
           "monitor/v005/i077/monitor-v005-i077.md", "monitor/v05/i0077/monitor-v05-i0077.md",
           "monitor/v123456/i077/monitor-v123456-i077.md", "monitor/v05/i077/monitor-v05-i078.md",
           "monitor/v05/i077/prism-v05-i077.md", "monitor/v00/i077/monitor-v00-i077.md",
           "Monitor/v05/i077/Monitor-v05-i077.md", "monitor/V05/i077/monitor-V05-i077.md",
           "monitor/v05/i077/monitor-v05-i077.MD", "monitor/v05/i077/monitor-v05-i077.md.MINISIG",
           "monitor/v05/i077/monitor-v05-i077.md" + nul, "monitor/v05/i077/monitor-v05-i077" + nul + ".md",
           "monitor" + nul + "/v05/i077/monitor-v05-i077.md", "monitor/v05/i077/monitor-v05-i077.md ",
           "monitor/v05/i077/monitor-v05-i077.md%2eminisig", "monitor/v05/i077/monitor-v05-i077.md\\",
           "monitor/v+5/i077/monitor-v+5-i077.md", "monitor/v05/i077/monitor-v05-i077.md?x"}) {
    BOOST_TEST(!ParseArtifactPath(bad).has_value(), bad);
  }
  // Long hostile text is refused in linear time.
  BOOST_TEST(!ParseArtifactPath(std::string(1000000, '/')).has_value());
  BOOST_TEST(!ParseArtifactPath("monitor/v05/i077/monitor-v05-i077." + std::string(1000000, 'a') + "!").has_value());
  BOOST_TEST(!ParseArtifactPath(std::string(1000000, 'a') + "/v05/i077/x.md").has_value());
}

}  // namespace
}  // namespace imprint
