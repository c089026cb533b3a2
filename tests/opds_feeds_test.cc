// The feeds (docs/http.md "Feeds") over real sockets, from `imprint serve`:
// OPDS 1.2 catalogs that ask for credentials first and offer each license
// the formats its tier may take (every link listed downloads, every format
// left out is refused), paged newest first with RFC 5005 links; the
// Authentication for OPDS document; public Atom feeds; withdrawn editions
// gone from all of them. Referees, each run once over every document: jing
// with the OPDS 1.2 RELAX NG schema and RFC 4287's (tests/data/schemas), and
// Readium's r2-opds-js (tests/tools/opds-referee.cjs), which must find each
// acquisition link.
#define BOOST_TEST_MODULE opds_feeds
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <set>

#include "pipeline/server/feed_catalog.h"
#include "pipeline/server/opds_feeds.h"
#include "tests/served.h"

namespace imprint {
namespace {

using namespace testing;
using Poco::JSON::Object;

constexpr char kAcquisition[] = "rel=\"http://opds-spec.org/acquisition\"";

// 120 issues of The Monitor's volume 9, one a day from 2001-01-01, the
// first with headlines that need escaping.
void WriteCorpus(const std::string& dir) {
  std::filesystem::create_directories(dir);
  for (int i = 1; i <= 120; ++i) {
    char date[16];
    std::snprintf(date, sizeof date, "2001-%02d-%02d", 1 + (i - 1) / 28, 1 + (i - 1) % 28);
    const std::string headline = i == 1 ? "PRICES RISE 5% & <MORE> \"NOW\"" : "HEADLINE NUMBER " + std::to_string(i);
    WriteAll(dir + "/monitor-v09-i" + std::to_string(i) + ".txt",
             "Publication: Monitor Volume: 9 Issue: " + std::to_string(i) + " Date: " + date + "\n\n" + headline +
                 "\n\nThe figure was announced on Friday.\n\nSECOND STORY\n\nMore text.\n");
  }
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = 0; (at = text.find(what, at)) != std::string::npos; at += what.size()) ++n;
  return n;
}

// Runs a referee over `files` in one process.
ProcessResult Jing(const std::string& schema, const std::vector<std::string>& files) {
  std::vector<std::string> args = {"-c", SourceDir() + "/tests/data/schemas/" + schema};
  args.insert(args.end(), files.begin(), files.end());
  return Run("/usr/bin/jing", args);
}

Object::Ptr Readium(const std::vector<std::string>& files) {
  std::vector<std::string> args = {SourceDir() + "/tests/tools/opds-referee.cjs"};
  args.insert(args.end(), files.begin(), files.end());
  const ProcessResult r = Run("/usr/bin/node", args);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  Poco::JSON::Parser parser;
  return parser.parse(r.out).extract<Object::Ptr>();
}

// The acquisition hrefs of a feed as r2-opds-js found them, entry by entry.
std::vector<std::string> Acquisitions(const Object::Ptr& feed) {
  std::vector<std::string> hrefs;
  const auto entries = feed->getArray("entries");
  for (unsigned i = 0; i < entries->size(); ++i) {
    const auto links = entries->getObject(i)->getArray("acquisitions");
    for (unsigned k = 0; k < links->size(); ++k) hrefs.push_back(links->getObject(k)->getValue<std::string>("href"));
  }
  return hrefs;
}

std::string Link(const Object::Ptr& feed, const std::string& rel) {
  const auto links = feed->getArray("links");
  for (unsigned i = 0; i < links->size(); ++i) {
    if (links->getObject(i)->getValue<std::string>("rel") == rel) return links->getObject(i)->getValue<std::string>("href");
  }
  return "";
}

BOOST_AUTO_TEST_CASE(the_model_lists_live_editions_newest_first) {
  auto entry = [](const std::string& pub, int v, int i, const std::string& date, bool withdrawn = false) {
    SnapshotEntry e;
    e.edition = pub + "/v0" + std::to_string(v) + "/i00" + std::to_string(i);
    e.publication = pub;
    e.volume = v;
    e.issue = i;
    e.date = date;
    e.withdrawn = withdrawn;
    return e;
  };
  const FeedModel m = MakeFeedModel({entry("monitor", 1, 1, "1996-01-01"), entry("monitor", 2, 1, ""),
                                     entry("prism", 1, 2, "1996-03-01"), entry("prism", 1, 3, "", true),
                                     entry("monitor", 1, 2, "1996-02-01")},
                                    {"monitor/v01/i001"});
  std::vector<std::string> recent;
  for (const SnapshotEntry& e : m.recent) recent.push_back(e.edition);
  BOOST_TEST(recent == (std::vector<std::string>{"prism/v01/i002", "monitor/v01/i002", "monitor/v02/i001"}),
             boost::test_tools::per_element());
  BOOST_REQUIRE_EQUAL(m.by_publication.at("monitor").size(), 2u);
  BOOST_TEST(m.recent[m.by_publication.at("monitor")[0]].edition == "monitor/v02/i001");  // by volume, issue
  BOOST_TEST(m.newest.at("") == "1996-03-01T00:00:00Z");
  BOOST_TEST(m.newest.at("monitor") == "1996-02-01T00:00:00Z");
}

// Each license's feed of The Monitor, read by Readium's parser: every link
// listed downloads with that license, every format left out is refused.
void ListsOnlyWhatDownloads(Served& s) {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> licenses = {
      {"ada", s.ada}, {"bob", s.bob}, {"printer", s.printer}, {"expired", s.expired}};
  std::vector<std::string> files;
  for (const auto& [name, license] : licenses) {
    const Reply feed = s.Get("/opds/publications/monitor", license);
    BOOST_REQUIRE_EQUAL(feed.status, 200);
    WriteAll(dir / (name + ".xml"), feed.body);
    files.push_back(dir / (name + ".xml"));
  }
  const Object::Ptr found = Readium(files);
  const std::vector<std::string> all = Acquisitions(found->getObject(files[0]));  // ada's: individual reads all
  BOOST_TEST(all.size() == 3u * 3u);  // three editions of The Monitor, three formats
  for (size_t k = 0; k < licenses.size(); ++k) {
    const std::vector<std::string> offered = Acquisitions(found->getObject(files[k]));
    const std::set<std::string> listed(offered.begin(), offered.end());
    for (const std::string& href : all) {
      const int status = s.Get(href, licenses[k].second).status;
      BOOST_TEST((status == 200) == (listed.count(href) > 0), licenses[k].first << " " << href << " " << status);
    }
  }
  BOOST_TEST(Acquisitions(found->getObject(files[2])).empty());  // print-only may not read
  BOOST_TEST(Acquisitions(found->getObject(files[3])).empty());  // expired
}

BOOST_AUTO_TEST_CASE(opds_asks_for_credentials_first_and_offers_only_what_the_tier_may_take) {
  Served s;
  // As KOReader and KyBook do: the catalog without credentials, for the challenge.
  const Reply anonymous = s.Get("/opds");
  BOOST_TEST(anonymous.status == 401);
  BOOST_TEST(anonymous.headers.count("WWW-Authenticate") == 1u);
  BOOST_TEST(s.Get("/opds/publications/monitor").status == 401);
  BOOST_TEST(s.Get("/opds/publications/monitor", "", "License bm90IGEgbGljZW5zZQ").status == 401);
  const Reply auth = s.Get("/opds/auth");  // public: the apps read it to know what to ask
  BOOST_TEST(auth.status == 200);
  BOOST_TEST(auth.headers.at("Content-Type") == "application/opds-authentication+json");
  Poco::JSON::Parser parser;
  const auto doc = parser.parse(auth.body).extract<Object::Ptr>();
  BOOST_TEST(doc->getArray("authentication")->getObject(0)->getValue<std::string>("type") ==
             "http://opds-spec.org/auth/basic");
  const Reply root = s.Get("/opds", s.ada);
  BOOST_TEST(root.status == 200);
  BOOST_TEST(root.headers.at("Content-Type") == "application/atom+xml;profile=opds-catalog;kind=navigation");

  ListsOnlyWhatDownloads(s);
}

// Atom is public, and the same catalog gives the same bytes.
void AtomIsPublicAndTheSame(Served& s, const std::string& as_fetched) {
  const Reply atom_anonymous = s.Get("/feed.atom");
  BOOST_TEST(atom_anonymous.status == 200);
  BOOST_TEST(atom_anonymous.headers.at("Content-Type") == "application/atom+xml");
  BOOST_TEST(atom_anonymous.body == as_fetched);
  BOOST_TEST(Count(atom_anonymous.body, "<entry>") == 50u);
  BOOST_TEST(atom_anonymous.body.find("<updated>2001-05-08T00:00:00Z</updated>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_feed_is_valid_opds_or_atom_paged_newest_first_and_readium_finds_each_link) {
  Served s;
  WriteCorpus(s.dir / "corpus");
  BOOST_REQUIRE_EQUAL(s.Imprint({"build", "--out", s.dir / "output", s.dir / "corpus"}).exit_code, 0);
  TempDir dir;
  std::vector<std::string> opds, atom;
  std::map<std::string, std::string> bodies;  // by file
  auto fetch = [&](const std::string& path, std::vector<std::string>* into) {
    const Reply r = s.Get(path, s.ada);
    BOOST_REQUIRE_MESSAGE(r.status == 200, path << ": " << r.status);
    std::string name = path.substr(1);
    std::replace(name.begin(), name.end(), '/', '_');
    WriteAll(dir / (name + ".xml"), r.body);
    into->push_back(dir / (name + ".xml"));
    bodies[into->back()] = r.body;
  };
  for (const char* path : {"/opds", "/opds/recent", "/opds/recent/page/2", "/opds/recent/page/3",
                           "/opds/publications/monitor", "/opds/publications/monitor/page/2",
                           "/opds/publications/monitor/page/3", "/opds/publications/monitor/v09",
                           "/opds/publications/monitor/v09/page/3", "/opds/publications/monitor/v05",
                           "/opds/publications/prism"}) {
    fetch(path, &opds);
  }
  for (const char* path : {"/feed.atom", "/feed/monitor.atom", "/feed/prism.atom"}) fetch(path, &atom);
  const ProcessResult valid_opds = Jing("opds.rnc", opds);
  BOOST_TEST(valid_opds.exit_code == 0, valid_opds.out + valid_opds.err);
  std::vector<std::string> every = opds;
  every.insert(every.end(), atom.begin(), atom.end());
  const ProcessResult valid_atom = Jing("atom.rnc", every);
  BOOST_TEST(valid_atom.exit_code == 0, valid_atom.out + valid_atom.err);

  const Object::Ptr found = Readium(opds);
  for (const std::string& f : opds) {
    BOOST_TEST(Acquisitions(found->getObject(f)).size() == Count(bodies[f], kAcquisition), f);
  }
  // 123 editions of The Monitor (3 + 120): pages of 50, newest first.
  const Object::Ptr first = found->getObject(opds[4]);
  BOOST_TEST(first->getArray("entries")->size() == 50u);
  BOOST_TEST(first->getArray("entries")->getObject(0)->getValue<std::string>("title") == "The Monitor, Volume 9, Issue 120");
  BOOST_TEST(Link(first, "next") == "/opds/publications/monitor/page/2");
  BOOST_TEST(Link(first, "last") == "/opds/publications/monitor/page/3");
  BOOST_TEST(Link(first, "previous") == "");
  const Object::Ptr last = found->getObject(opds[6]);
  BOOST_TEST(last->getArray("entries")->size() == 23u);
  BOOST_TEST(Link(last, "previous") == "/opds/publications/monitor/page/2");
  BOOST_TEST(Link(last, "next") == "");
  BOOST_TEST(found->getObject(opds[8])->getArray("entries")->size() == 20u);  // volume 9: 120
  BOOST_TEST(found->getObject(opds[9])->getArray("entries")->size() == 1u);   // volume 5: issue 77
  // Headlines are the summary, escaped and read back whole.
  BOOST_TEST(bodies[opds[3]].find("PRICES RISE 5% &amp; &lt;MORE&gt; &quot;NOW&quot;") != std::string::npos);
  for (const char* gone : {"/opds/publications/monitor/page/4", "/opds/publications/nosuch", "/opds/publications/monitor/v07",
                           "/feed/nosuch.atom"}) {
    BOOST_TEST(s.Get(gone, s.ada).status == 404, gone);
  }
  AtomIsPublicAndTheSame(s, bodies[atom[0]]);
}

BOOST_AUTO_TEST_CASE(a_withdrawn_edition_leaves_every_feed) {
  Served s;
  const std::string edition = "monitor/v05/i077";
  BOOST_TEST(s.Get("/feed.atom").body.find("urn:imprint:edition:monitor:v05:i077") != std::string::npos);
  BOOST_TEST(s.Get("/opds/recent", s.ada).body.find("/editions/" + edition) != std::string::npos);
  const ProcessResult w = s.Imprint({"withdraw", edition, "--notice", "Withdrawn.", "--reason", "test",
                                     "--out", s.dir / "output", "--rights", s.dir / "rights"});
  BOOST_REQUIRE_MESSAGE(w.exit_code == 0, w.err);
  for (const char* path : {"/feed.atom", "/feed/monitor.atom", "/opds/recent", "/opds/publications/monitor"}) {
    const Reply r = s.Get(path, s.ada);
    BOOST_TEST(r.status == 200, path);
    BOOST_TEST(r.body.find("v05:i077") == std::string::npos, path);
    BOOST_TEST(r.body.find(edition) == std::string::npos, path);
  }
  BOOST_TEST(s.Get("/opds/publications/monitor/v05", s.ada).status == 404);  // its only issue
}

// Every public list holds released editions only: one under embargo is in no
// feed, OPDS or Atom, while its time has not come.
BOOST_AUTO_TEST_CASE(an_edition_under_embargo_is_in_no_feed) {
  Served s;
  std::filesystem::create_directories(s.dir / "embargoed");
  WriteAll(s.dir / "embargoed/monitor-v05-i090.txt",
           "Publication: Monitor Volume: 5 Issue: 90\nEmbargo: 2099-01-01T06:00:00Z\n\nSECRET HEADLINE\n\nNot yet.\n");
  BOOST_REQUIRE_EQUAL(s.Imprint({"build", "--out", s.dir / "output", s.dir / "embargoed"}).exit_code, 0);
  BOOST_REQUIRE(std::filesystem::exists(s.dir / "output/monitor/v05/i090/manifest.json"));
  for (const char* path : {"/feed.atom", "/feed/monitor.atom", "/opds/recent", "/opds/publications/monitor",
                           "/opds/publications/monitor/v05"}) {
    const Reply r = s.Get(path, s.ada);
    BOOST_TEST(r.status == 200, path);
    BOOST_TEST(r.body.find("SECRET") == std::string::npos, path);
    BOOST_TEST(r.body.find("i090") == std::string::npos, path);
  }
}

// An attacker with write access to the output folder: an older signed
// catalog put back (a rollback) brings no withdrawn edition back, and a
// catalog that does not check out (forged, unsigned) changes no feed.
BOOST_AUTO_TEST_CASE(neither_a_rolled_back_nor_a_forged_catalog_changes_the_feeds) {
  Served s;
  const std::string catalog = s.dir / "output/catalog.json";
  const std::string old_catalog = ReadAll(catalog), old_signature = ReadAll(catalog + ".minisig");
  BOOST_REQUIRE(s.Get("/feed.atom").body.find("monitor:v05:i077") != std::string::npos);
  BOOST_REQUIRE_EQUAL(s.Imprint({"withdraw", "monitor/v05/i077", "--notice", "Withdrawn.", "--reason", "test",
                                 "--out", s.dir / "output", "--rights", s.dir / "rights"}).exit_code, 0);
  const std::string after = s.Get("/feed.atom").body;
  BOOST_REQUIRE(after.find("monitor:v05:i077") == std::string::npos);
  WriteAll(catalog, old_catalog);  // genuinely signed, and older
  WriteAll(catalog + ".minisig", old_signature);
  BOOST_TEST(s.Get("/feed.atom").body.find("monitor:v05:i077") == std::string::npos);
  BOOST_TEST(s.Get("/opds/recent", s.ada).body.find("monitor/v05/i077") == std::string::npos);
  // A forged entry: the bytes no longer match the signature.
  std::string forged = old_catalog;
  const std::string title = "The Monitor, Volume 3, Issue 145";
  BOOST_REQUIRE(forged.find(title) != std::string::npos);
  forged.replace(forged.find(title), title.size(), "FORGED");
  WriteAll(catalog, forged);
  BOOST_TEST(s.Get("/feed.atom").body.find("FORGED") == std::string::npos);
  BOOST_TEST(s.Get("/opds/recent", s.ada).body.find("FORGED") == std::string::npos);
  std::filesystem::remove(catalog + ".minisig");
  BOOST_TEST(s.Get("/feed.atom").status == 200);  // the last good model, still served
}

}  // namespace
}  // namespace imprint
