// The catalog: every edition listed, every link pointing at a file, a page
// the Nu HTML Checker accepts, and sharded builds merged by `imprint catalog`.
#define BOOST_TEST_MODULE catalog
#include "pipeline/edition/catalog.h"
#include "pipeline/edition/snapshot_check.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <filesystem>
#include <set>

#include "pipeline/base/crypto.h"
#include "pipeline/base/file_system.h"
#include "pipeline/base/rfc3339.h"
#include "pipeline/edition/verify.h"
#include "pipeline/signing/keystore.h"
#include "pipeline/signing/minisign.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

std::set<std::string> CatalogEditions(const std::string& out) {
  Poco::JSON::Parser parser;
  const auto root = parser.parse(ReadAll(out + "/catalog.json")).extract<Poco::JSON::Object::Ptr>();
  std::set<std::string> editions;
  const auto list = root->getArray("editions");
  for (unsigned i = 0; i < list->size(); ++i) editions.insert(list->getObject(i)->getValue<std::string>("edition"));
  return editions;
}

std::set<std::string> ManifestEditions(const std::string& out) {
  std::set<std::string> editions;
  for (const std::string& f : FilesBelow(out)) {
    if (f.size() > 14 && f.substr(f.size() - 14) == "/manifest.json") editions.insert(f.substr(0, f.size() - 14));
  }
  return editions;
}

CatalogEntry WithdrawnEntry() {
  CatalogEntry e;
  static_cast<ManifestIssue&>(e) = {"monitor", "The Monitor", 5, 77, "", "The Monitor, Volume 5, Issue 77"};
  e.edition = "monitor/v05/i077";
  e.withdrawn = "2026-11-29";
  e.notice = "Withdrawn <at> the author's request & for \"reasons\".";
  return e;
}

std::vector<std::string> Inputs() {
  return {SourceDir() + "/samples/archive", TestDataDir() + "/good"};
}

// A corrected edition (revision 3) beside one never corrected.
std::vector<CatalogEntry> CorrectedEntries() {
  return {{{"prism", "Prism", 4, 12, "1998-06-19", "Prism, Volume 4, Issue 12"}, "prism/v04/i012", 3,
           std::string(64, 'a'), "2026-11-29", ""},
          {{"prism", "Prism", 4, 13, "1998-06-26", "Prism, Volume 4, Issue 13"}, "prism/v04/i013", 1,
           std::string(64, 'b'), "", ""}};
}

BOOST_AUTO_TEST_CASE(lists_every_edition_with_working_links_and_valid_html) {
  TempDir dir;
  std::vector<std::string> args = {"build", "--out", dir / "out"};
  for (const std::string& i : Inputs()) args.push_back(i);
  BOOST_REQUIRE_EQUAL(RunImprint(args).exit_code, 0);
  const auto editions = ManifestEditions(dir / "out");
  BOOST_TEST(editions.size() == 7u);
  BOOST_TEST((CatalogEditions(dir / "out") == editions));

  const std::string html = ReadAll(dir / "out/index.html");
  const auto links = HtmlTexts(html, "//a/@href");
  int local = 0;
  for (const std::string& href : links) {
    if (href.rfind("https://", 0) == 0) continue;
    if (href.rfind('#', 0) == 0) {  // the skip link: to an element of the page
      BOOST_TEST(HtmlTexts(html, "//*[@id='" + href.substr(1) + "']/@id").size() == 1u, href);
      continue;
    }
    BOOST_TEST(std::filesystem::exists(dir / ("out/" + href)), href);
    ++local;
  }
  BOOST_TEST(local == 7 * 7 + 2);  // 3 formats, 3 signatures, a manifest each; the keys
  BOOST_TEST(html.find("minisign -V -p imprint.pub -m ") != std::string::npos);
  for (const std::string& e : editions) BOOST_TEST(html.find(e + "/manifest.json") != std::string::npos, e);

  // Pages listing corrected editions and a withdrawn one, checked in the same run.
  WriteAll(dir / "corrected-index.html", CatalogHtml(CorrectedEntries(), BundledTemplates()));
  std::vector<CatalogEntry> with_withdrawn = {WithdrawnEntry()};
  WriteAll(dir / "withdrawn.html", CatalogHtml(with_withdrawn, BundledTemplates()));
  const ProcessResult vnu = Run("/usr/bin/java", {"-jar", std::getenv("VNU_JAR"), "--errors-only", dir / "out/index.html",
                                                  dir / "corrected-index.html", dir / "withdrawn.html"});
  BOOST_TEST(vnu.exit_code == 0, vnu.err);
  // Signed like everything else.
  BOOST_TEST(RunImprint({"verify", "--pubkey", dir / "out/keys/imprint.pub", dir / "out/index.html",
                         dir / "out/catalog.json"}).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(shards_cover_every_input_once_and_catalog_merges_them) {
  TempDir dir;
  std::multiset<std::string> built;
  for (int k = 1; k <= 3; ++k) {
    const std::string out = dir / ("shard" + std::to_string(k));
    std::vector<std::string> args = {"build", "--shard", std::to_string(k) + "/3", "--out", out,
                                     "--report", out + ".json"};
    for (const std::string& i : Inputs()) args.push_back(i);
    BOOST_REQUIRE_EQUAL(RunImprint(args).exit_code, 0);
    Poco::JSON::Parser parser;
    const auto inputs = parser.parse(ReadAll(out + ".json")).extract<Poco::JSON::Object::Ptr>()->getArray("inputs");
    for (unsigned i = 0; i < inputs->size(); ++i) built.insert(inputs->getObject(i)->getValue<std::string>("input"));
    // Jenkins gathers the shards' outputs into one folder.
    std::filesystem::copy(out, dir / "merged",
                          std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  }
  BOOST_TEST(built.size() == 7u);
  BOOST_TEST(std::set<std::string>(built.begin(), built.end()).size() == 7u);  // each once

  const ProcessResult r = RunImprint({"catalog", "--out", dir / "merged"});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(CatalogEditions(dir / "merged").size() == 7u);
  BOOST_TEST((CatalogEditions(dir / "merged") == ManifestEditions(dir / "merged")));

  // The same partition on every run.
  std::vector<std::string> again = {"build", "--shard", "2/3", "--out", dir / "again", "--report", dir / "again.json"};
  for (const std::string& i : Inputs()) again.push_back(i);
  BOOST_REQUIRE_EQUAL(RunImprint(again).exit_code, 0);
  BOOST_TEST(ManifestEditions(dir / "again") == ManifestEditions(dir / "shard2"));
}

BOOST_AUTO_TEST_CASE(catalog_files_are_deterministic) {
  const std::vector<CatalogEntry> entries = {
      {{"prism", "Prism", 2, 3, "", "Prism, Volume 2, Issue 3"}, "prism/v02/i003", 1, "", "", ""},
      {{"monitor", "The Monitor", 1, 2, "1995-01-02", "The Monitor, Volume 1, Issue 2"}, "monitor/v01/i002", 1, "", "", ""}};
  std::vector<CatalogEntry> reversed(entries.rbegin(), entries.rend());
  BOOST_TEST(CatalogJson(entries) == CatalogJson(reversed));
  const TemplateSet templates = TemplateSet::Load(SourceDir() + "/templates");
  BOOST_TEST(CatalogHtml(entries, templates) == CatalogHtml(reversed, templates));
  BOOST_TEST(CatalogJson(entries).find("monitor/v01/i002") < CatalogJson(entries).find("prism/v02/i003"));
}

// Found checking issue 12's threat model: after `keys rotate` and `keys
// revoke`, a rebuild left index.html (whose bytes had not changed) with its
// signature by the revoked key, so `imprint verify` failed the output folder
// for good. A page or catalog unchanged but signed by another key is signed
// afresh with the current one.
BOOST_AUTO_TEST_CASE(an_unchanged_catalog_is_signed_again_by_a_new_key) {
  TempDir dir;
  Keystore keystore(dir / "keys");
  keystore.Init(true);
  const std::vector<CatalogEntry> entries = CorrectedEntries();
  const TemplateSet templates = TemplateSet::Load(SourceDir() + "/templates");
  std::filesystem::create_directories(dir / "out");
  WriteCatalog(dir / "out", entries, templates, keystore.LoadSigningKey());
  keystore.Rotate();
  const SigningKey now = keystore.LoadSigningKey();
  WriteCatalog(dir / "out", entries, templates, now);
  for (const char* name : {"index.html", "catalog.json"}) {
    const std::string path = dir / ("out/" + std::string(name));
    BOOST_TEST(VerifyMinisign(ReadAll(path + ".minisig"), ReadAll(path), {now.key}).ok, name);
  }
}

// ---- issue 15: an edition's corrections (docs/editions.md) ---------------

BOOST_AUTO_TEST_CASE(the_page_and_the_json_mark_corrected_editions) {
  const std::string html = CatalogHtml(CorrectedEntries(), BundledTemplates());
  BOOST_TEST(HtmlTexts(html, "//li[@class='catalog-issue']/span[@class='catalog-corrected']") ==
                 std::vector<std::string>{"(Corrected 2026-11-29, revision 3)"}, boost::test_tools::per_element());
  BOOST_TEST(HtmlTexts(html, "//span[@class='catalog-corrected']/time/@datetime") ==
                 std::vector<std::string>{"2026-11-29"}, boost::test_tools::per_element());
  BOOST_TEST(HtmlTexts(html, "//li[@class='catalog-issue']").at(1).find("orrected") == std::string::npos);

  Poco::JSON::Parser parser;
  const auto list = parser.parse(CatalogJson(CorrectedEntries()))
                        .extract<Poco::JSON::Object::Ptr>()->getArray("editions");
  BOOST_TEST(list->getObject(0)->getValue<int>("revision") == 3);
  BOOST_TEST(list->getObject(0)->getValue<std::string>("corrected") == "2026-11-29");
  BOOST_TEST(list->getObject(1)->getValue<int>("revision") == 1);
  BOOST_TEST(!list->getObject(1)->has("corrected"));
}

// Found writing docs/output.md: an edition folder copied under another
// edition's path was listed twice in a signed catalog, and a manifest edited
// by hand was listed as it read. The catalog lists only editions whose
// manifest is signed by a trusted key and names its own folder.
BOOST_AUTO_TEST_CASE(catalog_lists_only_signed_manifests_in_their_own_folders) {
  TempDir dir;
  std::vector<std::string> args = {"build", "--out", dir / "out"};
  for (const std::string& i : Inputs()) args.push_back(i);
  BOOST_REQUIRE_EQUAL(RunImprint(args).exit_code, 0);
  const std::set<std::string> before = ManifestEditions(dir / "out");
  std::filesystem::copy(dir / "out/monitor/v05/i077", dir / "out/monitor/v05/i078",
                        std::filesystem::copy_options::recursive);
  std::string manifest = ReadAll(dir / "out/prism/v04/i012/manifest.json");
  manifest.replace(manifest.find("\"title\":\""), 9, "\"title\":\"Forged: ");
  WriteAll(dir / "out/prism/v04/i012/manifest.json", manifest);
  const ProcessResult r = RunImprint({"catalog", "--out", dir / "out"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find("monitor/v05/i078") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("prism/v04/i012/manifest.json") != std::string::npos, r.err);
  std::vector<std::string> listed;
  Poco::JSON::Parser parser;
  const auto list = parser.parse(ReadAll(dir / "out/catalog.json")).extract<Poco::JSON::Object::Ptr>()->getArray("editions");
  for (unsigned i = 0; i < list->size(); ++i) listed.push_back(list->getObject(i)->getValue<std::string>("edition"));
  BOOST_TEST(std::count(listed.begin(), listed.end(), "monitor/v05/i077") == 1);
  BOOST_TEST(std::count(listed.begin(), listed.end(), "monitor/v05/i078") == 0);
  BOOST_TEST(std::count(listed.begin(), listed.end(), "prism/v04/i012") == 0);
  BOOST_TEST(ReadAll(dir / "out/catalog.json").find("Forged") == std::string::npos);
  BOOST_TEST(listed.size() == before.size() - 1);  // all but the forged one
}

// Regression: a manifest signed by a trusted key but not readable as one (bad
// JSON, a member missing or of the wrong type) let Poco's exception out of
// catalog.cc, reported as "Not found" or "Null pointer". Each is now an
// imprint::Error naming the manifest and what is wrong with it.
BOOST_AUTO_TEST_CASE(signed_but_malformed_manifests_are_named_problems) {
  TempDir dir;
  Keystore keystore(dir / "keys");
  keystore.Init(true);
  const TrustedKeys trusted = LoadTrustedKeys({dir / "keys/keyring.json"});
  const SigningKey key = keystore.LoadSigningKey();
  const std::vector<std::pair<std::string, std::string>> manifests = {
      {"i001", "{\"format\": \"imprint-manifest/1\", \"edition\": "},
      {"i002", "[1, 2, 3]"},
      {"i003", "{\"format\": \"imprint-manifest/1\", \"edition\": \"monitor/v01/i003\", \"key_id\": \"K\", "
               "\"inputs_sha256\": \"\", \"artifacts\": []}"},
      {"i004", "{\"format\": \"imprint-manifest/1\", \"edition\": \"monitor/v01/i004\", \"key_id\": \"K\", "
               "\"inputs_sha256\": \"\", \"artifacts\": [], \"issue\": {\"publication\": \"monitor\", "
               "\"publication_name\": \"M\", \"volume\": \"one\", \"issue\": 4, \"title\": \"T\"}}"}};
  for (const auto& [folder, json] : manifests) {
    const std::string path = dir / ("out/monitor/v01/" + folder + "/manifest.json");
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    WriteAll(path, json);
    WriteAll(path + ".minisig", SignMinisign(key.signer, key.key.id, json,
                                             TrustedComment("manifest.json", "monitor/v01/" + folder, Sha256Hex(json))));
  }
  std::vector<std::string> problems;
  BOOST_TEST(ScanEditions(dir / "out", trusted, &problems).empty());
  BOOST_REQUIRE_EQUAL(problems.size(), 4u);
  std::sort(problems.begin(), problems.end());
  const std::vector<std::string> reasons = {"not valid JSON", "not a JSON object", "no 'issue'", "'volume'"};
  for (size_t i = 0; i < problems.size(); ++i) {
    const std::string path = dir / ("out/monitor/v01/i00" + std::to_string(i + 1) + "/manifest.json");
    BOOST_TEST(problems[i].rfind(path + ": error: not listed: ", 0) == 0, problems[i]);
    BOOST_TEST(problems[i].find(reasons[i]) != std::string::npos, problems[i]);
  }
}

// ---- issue 15: embargoes (docs/editions.md "Embargo") ------------------------

CatalogEntry Embargoed(const std::string& edition, const std::string& embargo) {
  CatalogEntry e;
  e.edition = edition;
  e.embargo = embargo;
  return e;
}

BOOST_AUTO_TEST_CASE(an_edition_under_embargo_is_not_released_until_its_time) {
  const int64_t release = ParseTime("2030-01-01T06:00:00Z").value();
  const std::vector<CatalogEntry> entries = {
      Embargoed("monitor/v05/i077", ""), Embargoed("monitor/v05/i078", "2030-01-01T06:00:00Z"),
      Embargoed("monitor/v05/i079", "2029-12-31T06:00:00Z"),
      // A signed manifest's embargo that is no time keeps the edition back.
      Embargoed("monitor/v05/i080", "soon"), Embargoed("monitor/v05/i081", "2030-01-01T06:00:00")};
  auto released = [&](int64_t now) {
    std::vector<std::string> names;
    for (const CatalogEntry& e : ReleasedEditions(entries, now)) names.push_back(e.edition);
    return names;
  };
  BOOST_TEST(released(release - 86401) == (std::vector<std::string>{"monitor/v05/i077"}));
  BOOST_TEST(released(release - 1) == (std::vector<std::string>{"monitor/v05/i077", "monitor/v05/i079"}));
  BOOST_TEST(released(release) ==
             (std::vector<std::string>{"monitor/v05/i077", "monitor/v05/i078", "monitor/v05/i079"}));
  BOOST_TEST(UnderEmbargo("2030-01-01T06:00:00Z", release - 1));
  BOOST_TEST(!UnderEmbargo("2030-01-01T06:00:00Z", release));
  BOOST_TEST(!UnderEmbargo("", release));
  BOOST_TEST(UnderEmbargo("soon", release));
}

}  // namespace
}  // namespace imprint

namespace imprint {
namespace {
using namespace testing;

// docs/editions.md, "Withdrawal": identity, title and "withdrawn" {date,
// notice}; no files, manifest, digest or revision; on the page the date and
// notice, no link.
BOOST_AUTO_TEST_CASE(withdrawn_editions_are_listed_with_date_and_notice_and_no_files) {
  const CatalogEntry live{
      {"prism", "Prism", 4, 12, "", "Prism 4.12"}, "prism/v04/i012", 2, std::string(64, 'a'), "2026-01-02", ""};
  const std::vector<CatalogEntry> entries = {WithdrawnEntry(), live};
  Poco::JSON::Parser parser;
  const auto root = parser.parse(CatalogJson(entries)).extract<Poco::JSON::Object::Ptr>();
  const auto gone = root->getArray("editions")->getObject(0);
  BOOST_TEST(gone->getValue<std::string>("edition") == "monitor/v05/i077");
  BOOST_TEST(gone->getValue<std::string>("title") == "The Monitor, Volume 5, Issue 77");
  BOOST_TEST(gone->getObject("withdrawn")->getValue<std::string>("date") == "2026-11-29");
  BOOST_TEST(gone->getObject("withdrawn")->getValue<std::string>("notice") == WithdrawnEntry().notice);
  for (const char* absent : {"files", "manifest", "manifest_sha256", "revision", "corrected"}) {
    BOOST_TEST(!gone->has(absent), absent);
  }
  BOOST_TEST(root->getArray("editions")->getObject(1)->has("files"));
  // Read back by the one strict reader of catalog.json (the server's too).
  const auto back = ParseCatalogSnapshot(CatalogJson(entries), "catalog.json");
  BOOST_REQUIRE_EQUAL(back.size(), 2u);
  BOOST_TEST(back[0].edition == "monitor/v05/i077");
  BOOST_TEST(back[0].withdrawn);
  BOOST_TEST(back[0].withdrawn_date == "2026-11-29");
  BOOST_TEST(back[0].notice == WithdrawnEntry().notice);
  BOOST_TEST(!back[1].withdrawn);
  BOOST_CHECK_THROW(ParseCatalogSnapshot("{\"editions\": 3}", "catalog.json"), Error);

  const std::string html = CatalogHtml(entries, TemplateSet::Load(SourceDir() + "/templates"));
  const auto items = HtmlTexts(html, "//li[@class='catalog-issue']");
  BOOST_REQUIRE_EQUAL(items.size(), 2u);
  BOOST_TEST(items[0].find("Withdrawn on 2026-11-29: " + WithdrawnEntry().notice) != std::string::npos, items[0]);
  const auto links = HtmlTexts(html, "//a/@href");
  for (const std::string& href : links) BOOST_TEST(href.find("monitor/v05/i077") == std::string::npos, href);
  BOOST_TEST(html.find("1 editions") != std::string::npos);  // the live ones
}

// A catalog of withdrawn editions alone showed "minisign -V -p imprint.pub -m"
// with no file: the example names a placeholder when no edition is live.
BOOST_AUTO_TEST_CASE(the_example_is_never_empty_when_no_edition_is_live) {
  const std::string page = CatalogHtml({WithdrawnEntry()}, BundledTemplates());
  BOOST_TEST(page.find("-m </pre>") == std::string::npos, page);
  BOOST_TEST(page.find("-m FILE</pre>") != std::string::npos, page);
  BOOST_TEST(CatalogHtml({}, BundledTemplates()).find("-m FILE</pre>") != std::string::npos);
}

// Feeds and the page show an issue's headlines: catalog.json lists them as
// the manifest does, in order, whether the catalog comes from the build's
// state or from the manifests (`imprint catalog`), and the strict reader of
// the server and of verify accepts the entry that carries them.
std::vector<std::string> Strings(const Poco::JSON::Array::Ptr& list) {
  std::vector<std::string> out;
  for (unsigned i = 0; list && i < list->size(); ++i) out.push_back(list->get(i).convert<std::string>());
  return out;
}

std::vector<std::string> CatalogHeadlines(const std::string& out, const std::string& edition) {
  Poco::JSON::Parser parser;
  const auto list = parser.parse(ReadAll(out + "/catalog.json")).extract<Poco::JSON::Object::Ptr>()->getArray("editions");
  for (unsigned i = 0; i < list->size(); ++i) {
    if (list->getObject(i)->getValue<std::string>("edition") == edition) {
      return Strings(list->getObject(i)->getArray("headlines"));
    }
  }
  return {"(no entry)"};
}

BOOST_AUTO_TEST_CASE(catalog_entries_carry_the_manifests_headlines_in_order) {
  TempDir dir;
  BOOST_REQUIRE_EQUAL(RunImprint({"build", "--out", dir / "out", TestDataDir() + "/good/headlines.txt"}).exit_code, 0);
  Poco::JSON::Parser parser;
  const auto manifest = parser.parse(ReadAll(dir / "out/prism/v02/i040/manifest.json")).extract<Poco::JSON::Object::Ptr>();
  const std::vector<std::string> expected = Strings(manifest->getObject("issue")->getArray("headlines"));
  BOOST_REQUIRE(expected.size() >= 3u);
  BOOST_TEST(CatalogHeadlines(dir / "out", "prism/v02/i040") == expected, boost::test_tools::per_element());
  // The page shows them too, under the edition's files.
  BOOST_TEST(HtmlTexts(ReadAll(dir / "out/index.html"), "//ul[@class='catalog-headlines']/li") == expected,
             boost::test_tools::per_element());
  const std::string built = ReadAll(dir / "out/catalog.json");
  BOOST_TEST(ParseCatalogSnapshot(built, "catalog.json").size() == 1u);
  // From the manifests: the same file, byte for byte.
  std::filesystem::remove(dir / "out/.imprint/state.tsv");
  const ProcessResult r = RunImprint({"catalog", "--out", dir / "out"});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  BOOST_TEST(ReadAll(dir / "out/catalog.json") == built);
  // A rebuild from the state (nothing changed) keeps them too.
  BOOST_REQUIRE_EQUAL(RunImprint({"build", "--out", dir / "out", TestDataDir() + "/good/headlines.txt"}).exit_code, 0);
  BOOST_TEST(CatalogHeadlines(dir / "out", "prism/v02/i040") == expected, boost::test_tools::per_element());
}

}  // namespace
}  // namespace imprint
