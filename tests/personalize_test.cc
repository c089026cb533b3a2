// Personalised copies: the licensee named in the footer and the metadata of
// every format, the same bytes every time, the EPUB still valid under
// EPUBCheck and the HTML under the Nu HTML Checker, prose untouched.
#define BOOST_TEST_MODULE personalize
#include "pipeline/server/personalize.h"

#include <boost/test/unit_test.hpp>

#include "pipeline/edition/document.h"
#include "pipeline/edition/epub_writer.h"
#include "pipeline/base/error.h"
#include "pipeline/edition/html_writer.h"
#include "pipeline/license/license.h"
#include "pipeline/edition/markdown_writer.h"
#include "pipeline/base/zip_writer.h"
#include "pipeline/server/text_marks.h"

#include <chrono>
#include <thread>
#include <utility>
#include <vector>
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

const std::string kId = "0b0e7a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b";
const MarkKey kMarks = MarkKey::FromSecret(std::string(32, 'm'));

Licensee Ada() {
  const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
  return MakeLicensee(policy.tiers.at("individual"), kId, "Ada <Lovelace> & \"Co\"");
}

const std::string kWording = "Licensed to Ada <Lovelace> & \"Co\", license " + kId + ", for personal use.";

BOOST_AUTO_TEST_CASE(wording_comes_from_the_tier_in_rights) {
  BOOST_TEST(Ada().wording == kWording);
  const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
  BOOST_TEST(MakeLicensee(policy.tiers.at("syndication"), kId, "Press").wording.find("footer intact") !=
             std::string::npos);
  // The server's templates, parsed once per tier, word it the same.
  const Watermarks watermarks(policy);
  for (const auto& [id, tier] : policy.tiers) {
    BOOST_TEST(watermarks.Make(id, kId, "Press").wording == MakeLicensee(tier, kId, "Press").wording, id);
  }
}

BOOST_AUTO_TEST_CASE(html_names_the_licensee_in_footer_and_head_and_keeps_the_prose) {
  const std::string input = SourceDir() + "/samples/archive/monitor-v03-i145.txt";
  const std::string base = WriteHtml(ReadEdition(input), BundledTemplates());
  const std::string copy = Personalize("html", base, Ada(), kMarks);
  BOOST_TEST(HtmlTexts(copy, "//footer/p[@class='licensee']") == std::vector<std::string>{kWording},
             boost::test_tools::per_element());
  BOOST_TEST(HtmlTexts(copy, "//meta[@name='dcterms.accessRights']/@content") == std::vector<std::string>{kWording},
             boost::test_tools::per_element());
  // The prose is the same once the invisible marks are taken out (text_marks).
  BOOST_TEST(copy != StripMarks(copy));
  BOOST_TEST(HtmlTexts(StripMarks(copy), "//main//p") == LoadExpected("monitor-v03-i145").paragraphs,
             boost::test_tools::per_element());
  BOOST_TEST(copy == Personalize("html", base, Ada(), kMarks));
  BOOST_TEST(FindLicenseIds("html", copy) == std::vector<std::string>{kId}, boost::test_tools::per_element());
  BOOST_TEST(FindLicenseIds("html", base).empty());
}

BOOST_AUTO_TEST_CASE(markdown_names_the_licensee_in_front_matter_and_last_paragraph) {
  const std::string base = WriteMarkdown(ReadEdition(SourceDir() + "/samples/archive/prism-v04-i012.txt"), BundledTemplates());
  const std::string copy = Personalize("md", base, Ada(), kMarks);
  BOOST_TEST(copy.find("\nlicensee: \"Ada <Lovelace> & \\\"Co\\\"\"\n") != std::string::npos, copy.substr(0, 800));
  BOOST_TEST(copy.find("\nlicense_id: \"" + kId + "\"\n") != std::string::npos);
  const auto paragraphs = HtmlTexts(RenderGfm(StripFrontMatter(copy)), "//body/p");
  BOOST_TEST(paragraphs.back() == kWording);
  BOOST_TEST(FindLicenseIds("md", copy) == std::vector<std::string>{kId}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(epub_keeps_unchanged_entries_and_validates) {
  TempDir dir;
  const std::string base = WriteEpub(ReadEdition(SourceDir() + "/samples/archive/monitor-v05-i077.txt"), BundledTemplates());
  const std::string copy = Personalize("epub", base, Ada(), kMarks);
  BOOST_TEST(copy == Personalize("epub", base, Ada(), kMarks));
  const auto before = ReadZip(base), after = ReadZip(copy);
  BOOST_REQUIRE_EQUAL(before.size(), after.size());
  int recompressed = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    BOOST_TEST(before[i].name == after[i].name);
    recompressed += before[i].compressed != after[i].compressed;
  }
  BOOST_TEST(recompressed == 3);  // the issue's page, the rights page, the package document
  const auto entries = Unzip(copy);
  BOOST_TEST(XmlTexts(entries.at("OEBPS/issue.xhtml"), "//h:footer/h:p[@class='licensee']") ==
                 std::vector<std::string>{kWording}, boost::test_tools::per_element());
  BOOST_TEST(XmlTexts(entries.at("OEBPS/rights.xhtml"), "//h:p[@class='licensee']") ==
                 std::vector<std::string>{kWording}, boost::test_tools::per_element());
  BOOST_TEST(XmlTexts(entries.at("OEBPS/package.opf"), "//*[@property='dcterms:accessRights']") ==
                 std::vector<std::string>{kWording}, boost::test_tools::per_element());
  BOOST_TEST(FindLicenseIds("epub", copy) == std::vector<std::string>{kId}, boost::test_tools::per_element());

  // The referees: EPUBCheck for the book, vnu for the page.
  WriteAll(dir / "copy.epub", copy);
  const ProcessResult check = EpubCheck({dir / "copy.epub"});
  BOOST_TEST(check.exit_code == 0, check.out << check.err);
  WriteAll(dir / "copy.html",
           Personalize("html", WriteHtml(ReadEdition(SourceDir() + "/samples/archive/monitor-v05-i077.txt"), BundledTemplates()), Ada(), kMarks));
  const ProcessResult vnu = Run("/usr/bin/java", {"-jar", std::getenv("VNU_JAR"), "--errors-only", dir / "copy.html"});
  BOOST_TEST(vnu.exit_code == 0, vnu.err);
}

// The server prepares an artifact once and makes every licensee's copy from
// it, on many threads: each copy must be the one made afresh, carrying its
// own license's marks and no other's.
BOOST_AUTO_TEST_CASE(a_prepared_artifact_makes_each_licensees_own_copy_on_any_thread) {
  const Document doc = ReadEdition(SourceDir() + "/samples/archive/monitor-v05-i077.txt");
  const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
  std::vector<Licensee> licensees;
  std::vector<std::string> ids;
  for (int i = 0; i < 8; ++i) {
    ids.push_back("0b0e7a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5" + std::to_string(i));
    licensees.push_back(MakeLicensee(policy.tiers.at("individual"), ids.back(), "Reader " + std::to_string(i)));
  }
  const MarkSuspects suspects(kMarks, ids);
  for (const std::string format : {"md", "html", "epub"}) {
    const std::string base = format == "md" ? WriteMarkdown(doc, BundledTemplates())
                             : format == "html" ? WriteHtml(doc, BundledTemplates())
                                                : WriteEpub(doc, BundledTemplates());
    const PreparedArtifact prepared(format, base, kMarks);
    std::vector<std::string> expected;
    for (const Licensee& who : licensees) expected.push_back(Personalize(format, base, who, kMarks));
    std::vector<std::vector<std::string>> made(4);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < made.size(); ++t) {
      threads.emplace_back([&, t] {
        for (int round = 0; round < 25; ++round) made[t].push_back(prepared.Personalize(licensees[(t + round) % 8]));
      });
    }
    for (std::thread& t : threads) t.join();
    for (size_t t = 0; t < made.size(); ++t) {
      for (size_t round = 0; round < made[t].size(); ++round) {
        BOOST_TEST((made[t][round] == expected[(t + round) % 8]), format << " copy " << round << " of thread " << t);
      }
    }
    for (size_t i = 0; i < licensees.size(); ++i) {
      const std::string text = format == "epub" ? Unzip(expected[i]).at("OEBPS/issue.xhtml") : expected[i];
      const MarkTrace trace = TraceMarks(text, kMarks, suspects);
      BOOST_TEST((trace.outcome == MarkTrace::Outcome::kLicense && trace.licenses[0] == ids[i]), format << " " << i);
    }
  }
}

BOOST_AUTO_TEST_CASE(artifacts_without_a_place_are_errors) {
  BOOST_CHECK_THROW(Personalize("html", "<p>no markers</p>", Ada(), kMarks), Error);
  BOOST_CHECK_THROW(Personalize("md", "no front matter", Ada(), kMarks), Error);
  BOOST_CHECK_THROW(Personalize("epub", "not a zip", Ada(), kMarks), Error);
  BOOST_CHECK_THROW(Personalize("pdf", "", Ada(), kMarks), Error);
}

// ---- issue 12, point 4: a trace reads the id only from its own mark --------

// A keystore, a store and licenses issued through the program.
struct Foundation {
  Foundation() { BOOST_REQUIRE_EQUAL(Imprint({"keys", "init", "--dev"}).exit_code, 0); }
  ProcessResult Imprint(std::vector<std::string> args) {
    if (args[0] == "license" || args[0] == "trace") args.insert(args.end(), {"--db", "sqlite:" + dir / "store.db"});
    return ImprintWithKeys(dir / "keys", args);
  }
  // Issues a license and returns its id.
  std::string Issue(const std::string& subscriber, const std::string& name) {
    const ProcessResult r = Imprint({"license", "issue", "--subscriber", subscriber, "--name", name, "--tier",
                                     "individual", "--publications", "monitor", "--from", "2026-01-01", "--until",
                                     "2026-12-31", "--out", dir / (subscriber + ".license")});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return ParseLicense(ReadAll(dir / (subscriber + ".license")), subscriber).id;
  }
  // `who`'s copy of an edition in `format`, written to FILE.
  std::string Copy(const std::string& format, const std::string& id, const std::string& name, const std::string& file) {
    const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
    const Document doc = ReadEdition(SourceDir() + "/samples/archive/monitor-v05-i077.txt");
    const std::string base = format == "md" ? WriteMarkdown(doc, BundledTemplates())
                             : format == "html" ? WriteHtml(doc, BundledTemplates())
                                                : WriteEpub(doc, BundledTemplates());
    const std::string copy = Personalize(format, base, MakeLicensee(policy.tiers.at("individual"), id, name), kMarks);
    WriteAll(dir / file, copy);
    return dir / file;
  }
  TempDir dir;
};

BOOST_FIXTURE_TEST_CASE(trace_cannot_frame_another_subscriber, Foundation) {
  const std::string ada = Issue("s-ada", "Ada Lovelace");
  const std::string mallory_name = "Mallory license " + ada;
  const std::string mallory = Issue("s-mallory", mallory_name);
  BOOST_REQUIRE(ada.size() == 36 && mallory.size() == 36 && ada != mallory);
  for (const std::string format : {"md", "html", "epub"}) {
    const ProcessResult r = Imprint({"trace", Copy(format, mallory, mallory_name, "mallory." + format)});
    BOOST_TEST(r.exit_code == 0, format << ": " << r.out << r.err);
    BOOST_TEST(r.out.find("license:    " + mallory + "\n") != std::string::npos, format << ": " << r.out);
    BOOST_TEST(r.out.find("subscriber: " + mallory_name + " <") != std::string::npos, format << ": " << r.out);
    BOOST_TEST(r.out.find("license:    " + ada) == std::string::npos, format << ": " << r.out);
    BOOST_TEST(r.out.find("Ada Lovelace") == std::string::npos, format << ": " << r.out);
  }
}

BOOST_FIXTURE_TEST_CASE(trace_says_ambiguous_or_unconfirmed_and_never_names_the_wrong_one, Foundation) {
  const std::string ada = Issue("s-ada", "Ada Lovelace");
  const std::string mallory = Issue("s-mallory", "Mallory");
  // Mallory's copy with Ada's id mark added beside hers.
  std::string html = ReadAll(Copy("html", mallory, "Mallory", "m.html"));
  html.insert(html.find("</head>"), "<!--imprint:license-id " + ada + "-->\n");
  WriteAll(dir / "both.html", html);
  ProcessResult r = Imprint({"trace", dir / "both.html"});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(r.out.rfind("ambiguous", 0) == 0, r.out);
  BOOST_TEST(r.out.find("candidate:  " + ada) != std::string::npos, r.out);
  BOOST_TEST(r.out.find("candidate:  " + mallory) != std::string::npos, r.out);
  BOOST_TEST(r.out.find("subscriber:") == std::string::npos, r.out);
  // Mallory's copy with her id swapped for Ada's, in every format.
  for (const std::string format : {"md", "html", "epub"}) {
    std::string copy = ReadAll(Copy(format, mallory, "Mallory", "m." + format));
    if (format == "epub") {
      const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
      copy = Personalize("epub", WriteEpub(ReadEdition(SourceDir() + "/samples/archive/monitor-v05-i077.txt"),
                                           BundledTemplates()),
                         Licensee{ada, "Mallory",
                                  MakeLicensee(policy.tiers.at("individual"), mallory, "Mallory").wording}, kMarks);
    } else {
      for (size_t at = copy.find(mallory); at != std::string::npos; at = copy.find(mallory, at)) {
        copy.replace(at, 36, ada);
      }
    }
    WriteAll(dir / ("swapped." + format), copy);
    r = Imprint({"trace", dir / ("swapped." + format)});
    BOOST_TEST(r.exit_code == 1, format << ": " << r.out << r.err);
    BOOST_TEST(r.out.rfind("unconfirmed: the copy names license " + ada, 0) == 0, format << ": " << r.out);
    BOOST_TEST(r.out.find("Ada Lovelace") == std::string::npos, format << ": " << r.out);
  }
  // A license the store does not hold is not confirmed either.
  r = Imprint({"trace", Copy("md", NewLicenseId(), "Nobody", "n.md")});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(r.out.find("not in this store") != std::string::npos, r.out);
}

BOOST_FIXTURE_TEST_CASE(trace_survives_pathological_input, Foundation) {
  const std::string run_of_a = "license" + std::string(100000, 'a');
  std::string many;
  for (int i = 0; i < 3000000; ++i) many += "license ";
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"a.md", run_of_a}, {"a.html", run_of_a}, {"many.md", many}, {"many.html", many},
           {"front.md", "---\n" + many + "\n---\n"}, {"a.epub", "PK\x03\x04" + run_of_a}}) {
    WriteAll(dir / name, bytes);
    const auto start = std::chrono::steady_clock::now();
    const ProcessResult r = Imprint({"trace", dir / name});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    BOOST_TEST(r.exit_code == 1, name << ": " << r.exit_code << " " << r.err);
    BOOST_TEST(r.err.find("names no license") != std::string::npos, name << ": " << r.err);
    BOOST_TEST(seconds < 5.0, name << ": " << seconds << " s");
  }
}

// ---- issue 12, point 5: names that would break a copy --------------------

BOOST_AUTO_TEST_CASE(personalize_refuses_a_licensee_it_cannot_render) {
  const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
  const Document doc = ReadEdition(SourceDir() + "/samples/archive/monitor-v05-i077.txt");
  const std::string md = WriteMarkdown(doc, BundledTemplates()), html = WriteHtml(doc, BundledTemplates()),
                    epub = WriteEpub(doc, BundledTemplates());
  // As a license signed before names were checked would carry them.
  for (const std::string& name : {std::string("A\x01" "da"), std::string("A\x0b" "da"), std::string("A\x0c" "da"),
                                  std::string("A\x1b[31mda"), std::string("Ada\nLovelace"), std::string("A\x7f" "da"),
                                  std::string("A\xc2\x85" "da"), std::string("A\xff" "da"), std::string(6500, 'a'),
                                  std::string()}) {
    const Licensee who = MakeLicensee(policy.tiers.at("individual"), kId, name);
    for (const auto& [format, base] : {std::pair<std::string, const std::string*>{"md", &md}, {"html", &html},
                                       {"epub", &epub}}) {
      BOOST_CHECK_THROW(Personalize(format, *base, who, kMarks), Error);
    }
  }
  // A good name with XML's specials still makes well-formed entries.
  for (const auto& [name, text] : Unzip(Personalize("epub", epub, Ada(), kMarks))) {
    if (name.size() > 5 && (name.substr(name.size() - 4) == ".opf" || name.substr(name.size() - 6) == ".xhtml")) {
      BOOST_TEST(!XmlTexts(text, "/*").empty(), name);
    }
  }
}

BOOST_AUTO_TEST_CASE(markdown_keeps_a_name_inline) {
  const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
  const std::string base =
      WriteMarkdown(ReadEdition(SourceDir() + "/samples/archive/prism-v04-i012.txt"), BundledTemplates());
  Tier bare = policy.tiers.at("individual");
  bare.watermark = "{{name}}";  // the name opens the paragraph: where block syntax would start
  for (const Tier& tier : {policy.tiers.at("individual"), bare}) {
    for (const std::string name : {"# Heading", "*x*", "[a](b)", "> quote", "- item", "1. item", "<b>x</b>",
                                   "`code`", "===", "---", "a_b_", "x\\", "&amp;", "<https://e.org>", "[a]: /b",
                                   "ada@example.org", "www.example.org", "https://e.org/x", "~~s~~", "| a | b |",
                                   "![i](x.png)", "<!-- c -->", "\\# not", "1) item", "+ item"}) {
      const Licensee who = MakeLicensee(tier, kId, name);
      const std::string html = RenderGfm(StripFrontMatter(Personalize("md", base, who, kMarks)));
      const auto paragraphs = HtmlTexts(html, "//body/p");
      BOOST_TEST(paragraphs.back() == who.wording,
                 name << " -> " << html.substr(html.size() > 300 ? html.size() - 300 : 0));
      BOOST_TEST(HtmlTexts(html, "//body/p[last()]/*").empty(), name);  // no markup in it
    }
    BOOST_CHECK_THROW(Personalize("md", base, MakeLicensee(tier, kId, "Ada\n# Heading"), kMarks), Error);
    BOOST_CHECK_THROW(Personalize("md", base, MakeLicensee(tier, kId, "    indented"), kMarks), Error);
  }
}

}  // namespace
}  // namespace imprint
