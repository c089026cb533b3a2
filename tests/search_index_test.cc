// The search index (search_index.h) over real output folders that the real
// program builds, with real SQLite FTS5: ranking and snippets, incremental
// syncs (a correction re-indexes, an unchanged edition is not re-read),
// withdrawn and embargoed editions never searchable, a catalog that does not
// check out believed in nothing, hostile and non-ASCII queries.
#define BOOST_TEST_MODULE search_index
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <future>

#include "pipeline/base/crypto.h"
#include "pipeline/base/error.h"
#include "pipeline/search/search_index.h"
#include "pipeline/signing/keystore.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;
namespace fs = std::filesystem;

const std::string kHead = "Publication: Monitor Volume: 5 Issue: 77";

std::string Sample() { return ReadAll(SourceDir() + "/samples/archive/monitor-v05-i077.txt"); }

// The sample as issue `issue` of volume 9, its header followed by `header`
// lines and its first paragraph `paragraph`.
std::string Issue(int issue, const std::string& paragraph, const std::string& header = "") {
  std::string text = Sample();
  BOOST_REQUIRE_EQUAL(text.rfind(kHead, 0), 0u);
  text.replace(0, kHead.size(), "Publication: Monitor Volume: 9 Issue: " + std::to_string(issue) + header +
                                     "\n\n" + paragraph);
  return text;
}

TrustedKeys Trusted() { return Keystore(Keystore::DefaultDir()).Trusted(); }

struct Folder {
  Folder() {
    fs::create_directories(dir / "in");
    CopyTree(SourceDir() + "/rights", dir / "rights");
  }
  void Write(int issue, const std::string& paragraph, const std::string& header = "") {
    WriteAll(dir / ("in/monitor-v09-i" + std::to_string(issue) + ".txt"), Issue(issue, paragraph, header));
  }
  // The build indexes what it published; returns what it said of that.
  std::string Build() {
    const ProcessResult r = RunImprint({"build", "--out", out(), "--rights", dir / "rights", dir / "in"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.out + r.err);
    const size_t at = r.out.find("imprint search: ");
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, r.out);
    return r.out.substr(at, r.out.find(" in ", at) - at);
  }
  // The index removed, so that the next sync starts afresh.
  void Forget() {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(SearchIndexPath(out()) + suffix);
  }
  IndexSync Sync() { return SyncSearchIndex(out(), Trusted()); }
  std::vector<SearchHit> Search(const std::string& query) {
    return SearchEditions(out(), query, 10, SearchScope::AllText());
  }
  std::string out() const { return dir / "out"; }
  TempDir dir;
};

std::vector<std::string> Editions(const std::vector<SearchHit>& hits) {
  std::vector<std::string> editions;
  for (const SearchHit& h : hits) editions.push_back(h.edition);
  return editions;
}

std::string Matched(const SearchHit& hit) {
  std::string matched;
  for (const SnippetPart& p : hit.snippet) {
    if (p.match) matched += "[" + p.text + "]";
  }
  return matched;
}

BOOST_AUTO_TEST_CASE(ranks_editions_by_relevance_with_a_snippet_of_the_match) {
  Folder f;
  f.Write(1, "Zyxwvut was mentioned once in passing.");
  f.Write(2, "Zyxwvut, zyxwvut and again zyxwvut: the zyxwvut affair.");
  f.Write(3, "Nothing to see here.");
  BOOST_TEST(f.Build() == "imprint search: 3 indexed, 0 unchanged, 0 removed");
  f.Forget();
  const IndexSync sync = f.Sync();
  BOOST_TEST(sync.indexed == 3);
  BOOST_TEST(sync.problems.empty());
  const std::vector<SearchHit> hits = f.Search("ZYXWVUT");
  BOOST_TEST(Editions(hits) == (std::vector<std::string>{"monitor/v09/i002", "monitor/v09/i001"}),
             boost::test_tools::per_element());
  BOOST_REQUIRE(!hits.empty());
  BOOST_TEST(hits[0].title == "The Monitor, Volume 9, Issue 2");
  BOOST_TEST(Matched(hits[0]).find("[Zyxwvut]") != std::string::npos, Matched(hits[0]));
  std::string whole;
  for (const SnippetPart& p : hits[1].snippet) whole += p.text;
  BOOST_TEST(whole.find("was mentioned once") != std::string::npos, whole);
  // Every term must match; the footer is not indexed (it is in every issue).
  BOOST_TEST(f.Search("zyxwvut affair").size() == 1u);
  BOOST_TEST(f.Search("Jamestown Foundation").empty());
  BOOST_TEST(Editions(f.Search("Tajikistan")).size() == 3u);
}

std::string Whole(const SearchHit& hit) {
  std::string whole;
  for (const SnippetPart& p : hit.snippet) whole += p.text;
  return whole;
}

// The licensed text is read only within the scope: elsewhere titles and
// headlines are matched, and no snippet comes from the text.
BOOST_AUTO_TEST_CASE(a_scope_reads_only_the_text_of_its_publications) {
  Folder f;
  f.Write(1, "Zyxwvut in the text only.");
  f.Write(2, "Nothing here.");
  f.Build();
  SearchScope monitor, prism;
  monitor.text_publications = {"monitor"};
  prism.text_publications = {"prism"};
  BOOST_TEST(SearchEditions(f.out(), "zyxwvut", 10, SearchScope{}).empty());
  BOOST_TEST(SearchEditions(f.out(), "zyxwvut", 10, prism).empty());
  const std::vector<SearchHit> read = SearchEditions(f.out(), "zyxwvut", 10, monitor);
  BOOST_REQUIRE_EQUAL(read.size(), 1u);
  BOOST_TEST(Matched(read[0]) == "[Zyxwvut]");
  // "Monitor" is in every title and every text ("troops" only in the texts).
  for (const SearchScope& scope : {SearchScope{}, prism}) {
    const std::vector<SearchHit> titles = SearchEditions(f.out(), "Monitor issue", 10, scope);
    BOOST_TEST(titles.size() == 2u);
    for (const SearchHit& hit : titles) BOOST_TEST(Whole(hit).empty(), Whole(hit));  // no headlines: no snippet
  }
  BOOST_TEST(SearchEditions(f.out(), "Monitor troops", 10, SearchScope{}).empty());
  BOOST_TEST(SearchEditions(f.out(), "Monitor troops", 10, monitor).size() == 2u);
}

BOOST_AUTO_TEST_CASE(finds_cyrillic_text_whatever_its_case) {
  Folder f;
  f.Write(1, "Москва объявила о реформе ЖКХ; Ёлкин не согласен.");
  f.Build();
  f.Sync();
  for (const std::string query : {"москва", "МОСКВА", "Москва реформе", "ёлкин"}) {
    const std::vector<SearchHit> hits = f.Search(query);
    BOOST_TEST(Editions(hits) == std::vector<std::string>{"monitor/v09/i001"}, query);
  }
  BOOST_REQUIRE_EQUAL(f.Search("москва").size(), 1u);
  BOOST_TEST(Matched(f.Search("москва")[0]) == "[Москва]");
  BOOST_TEST(f.Search("Петербург").empty());
}

BOOST_AUTO_TEST_CASE(syncs_incrementally_a_correction_reindexes_an_unchanged_edition_is_not_read) {
  Folder f;
  f.Write(1, "The zyxwvut report said oldword.");
  f.Write(2, "Another zyxwvut.");
  BOOST_TEST(f.Build() == "imprint search: 2 indexed, 0 unchanged, 0 removed");
  const IndexSync again = f.Sync();
  BOOST_TEST(again.indexed == 0);
  BOOST_TEST(again.unchanged == 2);
  // A correction: revision 2 of issue 1, whose text no longer says "oldword".
  const std::string sha = Sha256Hex(ReadAll(f.out() + "/monitor/v09/i001/manifest.json"));
  f.Write(1, "The zyxwvut report said newword.", "\nCorrection: 2026-11-29 " + sha + " \"oldword\" now reads \"newword\".");
  BOOST_TEST(f.Build() == "imprint search: 1 indexed, 1 unchanged, 0 removed");
  BOOST_TEST(f.Search("oldword").empty());
  BOOST_TEST(Editions(f.Search("zyxwvut newword")) == std::vector<std::string>{"monitor/v09/i001"});
  // An edition is not read again when unchanged: its Markdown may even be gone.
  fs::remove(f.out() + "/monitor/v09/i002/monitor-v09-i002.md");
  const IndexSync later = f.Sync();
  BOOST_TEST(later.indexed == 0);
  BOOST_TEST(later.problems.empty());
  BOOST_TEST(f.Search("Another zyxwvut").size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_withdrawn_edition_leaves_the_index) {
  Folder f;
  f.Write(1, "Zyxwvut kept.");
  f.Write(2, "Zyxwvut withdrawn.");
  f.Build();
  f.Sync();
  BOOST_TEST(f.Search("zyxwvut").size() == 2u);
  const ProcessResult r = RunImprint({"withdraw", "monitor/v09/i002", "--notice", "Gone.", "--reason", "Legal.",
                                      "--out", f.out(), "--rights", f.dir / "rights"});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.out + r.err);
  BOOST_TEST(r.out.find("imprint search: 0 indexed, 1 unchanged, 1 removed") != std::string::npos, r.out);
  BOOST_TEST(Editions(f.Search("zyxwvut")) == std::vector<std::string>{"monitor/v09/i001"});
  // And a sync afresh does not bring it back.
  f.Forget();
  BOOST_TEST(f.Sync().indexed == 1);
  BOOST_TEST(Editions(f.Search("withdrawn")).empty());
}

BOOST_AUTO_TEST_CASE(an_embargoed_edition_is_not_indexed) {
  Folder f;
  f.Write(1, "Zyxwvut released.");
  f.Write(2, "Zyxwvut secret.", "\nEmbargo: 2099-01-01T00:00:00Z");
  BOOST_TEST(f.Build() == "imprint search: 1 indexed, 0 unchanged, 0 removed");
  BOOST_TEST(fs::exists(f.out() + "/monitor/v09/i002/manifest.json"));
  BOOST_TEST(Editions(f.Search("zyxwvut")) == std::vector<std::string>{"monitor/v09/i001"});
  BOOST_TEST(f.Search("secret").empty());
}

BOOST_AUTO_TEST_CASE(believes_only_a_signed_catalog_and_listed_files) {
  Folder f;
  f.Write(1, "Zyxwvut one.");
  f.Write(2, "Zyxwvut two.");
  f.Build();
  // An altered Markdown artifact is not indexed, and says so.
  const std::string md = f.out() + "/monitor/v09/i002/monitor-v09-i002.md";
  WriteAll(md, ReadAll(md) + "\nplanted words\n");
  f.Forget();
  const IndexSync sync = f.Sync();
  BOOST_TEST(sync.indexed == 1);
  BOOST_REQUIRE_EQUAL(sync.problems.size(), 1u);
  BOOST_TEST(sync.problems[0].find("monitor-v09-i002.md") != std::string::npos, sync.problems[0]);
  BOOST_TEST(f.Search("planted").empty());
  // A catalog whose signature does not check out changes nothing.
  const std::string catalog = f.out() + "/catalog.json";
  WriteAll(catalog, ReadAll(catalog) + " ");
  BOOST_CHECK_THROW(f.Sync(), Error);
  BOOST_TEST(f.Search("zyxwvut").size() == 1u);
}

BOOST_AUTO_TEST_CASE(hostile_queries_are_words_never_fts5_syntax) {
  Folder f;
  f.Write(1, "Zyxwvut near the border, said the title.");
  f.Build();
  f.Sync();
  const std::string ten_kb_quotes(10240, '"');
  std::string ten_kb_words;
  while (ten_kb_words.size() < 10240) ten_kb_words += "zyxwvut ";
  const std::vector<std::string> hostile = {
      "", " ", "\"", "\"\"", "'", "''", "(", ")", "*", "^", ":", "-", "+", "AND", "OR", "NOT", "NEAR",
      "zyxwvut\"", "\"zyxwvut", "zyxwvut*", "^zyxwvut", "title:zyxwvut", "body:zyxwvut", "{title body}:zyxwvut",
      "NEAR(zyxwvut border)", "NEAR(zyxwvut border, 2)", "zyxwvut OR border", "zyxwvut NOT border", "zyxwvut AND",
      "(zyxwvut", "zyxwvut)", "zyxwvut\" OR \"x", "\" OR 1=1 --", "'; DROP TABLE editions; --",
      std::string("zyxwvut\0border", 14), "zyxwvut\x01\x7f", ten_kb_quotes, ten_kb_words};
  for (const std::string& q : hostile) {
    BOOST_CHECK_NO_THROW(f.Search(q));
  }
  // Operators are words: "zyxwvut OR border" needs all three; so does NOT.
  BOOST_TEST(f.Search("zyxwvut OR nothingelse").empty());
  BOOST_TEST(f.Search("zyxwvut NOT qqqqq").empty());
  BOOST_TEST(f.Search("zyxwvut*").size() == 1u);  // the '*' is punctuation to the tokenizer
  BOOST_TEST(f.Search("near border").size() == 1u);
  BOOST_TEST(f.Search(ten_kb_words).size() == 1u);
  BOOST_TEST(f.Search("").empty());
  BOOST_TEST(f.Search(ten_kb_quotes).empty());
  BOOST_TEST(f.Sync().unchanged == 1);  // the index survived them all
}

BOOST_AUTO_TEST_CASE(imprint_search_prints_ranked_editions_with_snippets) {
  Folder f;
  f.Write(1, "Zyxwvut once.");
  f.Write(2, "Zyxwvut, zyxwvut, zyxwvut.");
  f.Build();
  const ProcessResult r = RunImprint({"search", "--out", f.out(), "ZYXWVUT"});
  BOOST_TEST(r.exit_code == 0, r.err);
  const size_t first = r.out.find("1. monitor/v09/i002  The Monitor, Volume 9, Issue 2\n   [Zyxwvut], [zyxwvut]");
  const size_t second = r.out.find("2. monitor/v09/i001  The Monitor, Volume 9, Issue 1\n   [Zyxwvut] once.");
  BOOST_TEST(first != std::string::npos, r.out);
  BOOST_TEST(second != std::string::npos, r.out);
  BOOST_TEST(first < second);
  const ProcessResult none = RunImprint({"search", "--out", f.out(), "\"", "NEAR(x"});
  BOOST_TEST(none.exit_code == 0, none.err);
  BOOST_TEST(none.out == "imprint search: no published edition matches\n");
  BOOST_TEST(RunImprint({"search", "--out", f.out()}).exit_code == 2);
  const ProcessResult missing = RunImprint({"search", "--out", f.dir / "nothing", "x"});
  BOOST_TEST(missing.exit_code == 1);
  BOOST_TEST(missing.err.find("search.db: error: no search index") != std::string::npos, missing.err);
}

BOOST_AUTO_TEST_CASE(a_damaged_index_is_made_afresh) {
  Folder f;
  f.Write(1, "Zyxwvut.");
  f.Build();
  WriteAll(SearchIndexPath(f.out()), std::string(8192, 'x'));
  const ProcessResult r = RunImprint({"catalog", "--out", f.out(), "--rights", f.dir / "rights"});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(r.out.find("imprint search: 1 indexed, 0 unchanged, 0 removed") != std::string::npos, r.out);
  BOOST_TEST(f.Search("zyxwvut").size() == 1u);
}

BOOST_AUTO_TEST_CASE(syncs_at_once_take_turns_and_agree) {
  Folder f;
  for (int i = 1; i <= 6; ++i) f.Write(i, "Zyxwvut " + std::to_string(i) + ".");
  f.Build();
  f.Forget();
  std::vector<std::future<IndexSync>> syncs;
  for (int i = 0; i < 4; ++i) syncs.push_back(std::async(std::launch::async, [&f] { return f.Sync(); }));
  int indexed = 0;
  for (auto& s : syncs) {
    const IndexSync sync = s.get();  // none fails with "database is locked"
    BOOST_TEST(sync.problems.empty());
    indexed += sync.indexed;
  }
  BOOST_TEST(indexed == 6);  // each edition indexed once, by whichever came first
  BOOST_TEST(f.Search("zyxwvut").size() == 6u);
}

BOOST_AUTO_TEST_CASE(searching_without_an_index_is_an_error_naming_it) {
  TempDir dir;
  try {
    SearchEditions(dir.path(), "zyxwvut", 10, SearchScope{});
    BOOST_FAIL("no error");
  } catch (const Error& e) {
    const std::string said = e.diagnostic().ToString();
    BOOST_TEST(said.find("search.db") != std::string::npos, said);
  }
}

}  // namespace
}  // namespace imprint
