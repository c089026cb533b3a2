#include "pipeline/server/opds_feeds.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "pipeline/base/edition_layout.h"
#include "pipeline/base/rfc3339.h"
#include "pipeline/base/xml_escape.h"
#include "pipeline/edition/writers.h"
#include "pipeline/server/http_answer.h"

namespace imprint {
namespace {

constexpr char kNavigationType[] = "application/atom+xml;profile=opds-catalog;kind=navigation";
constexpr char kAcquisitionType[] = "application/atom+xml;profile=opds-catalog;kind=acquisition";
constexpr char kAuthType[] = "application/opds-authentication+json";
constexpr char kAtomType[] = "application/atom+xml";
constexpr char kEpoch[] = "1970-01-01T00:00:00Z";

// An Atom date of a catalog date: midnight UTC, or the epoch for none.
std::string AtomTime(const std::string& date) { return IsCalendarDate(date) ? date + "T00:00:00Z" : kEpoch; }

std::string Updated(const SnapshotEntry& e) { return UpdatedTime(e); }

// The newest `updated` of a publication's entries ("" for all), or the epoch.
std::string NewestOf(const FeedModel& model, const std::string& publication) {
  const auto it = model.newest.find(publication);
  return it == model.newest.end() ? kEpoch : it->second;
}

// "urn:imprint:edition:monitor:v05:i077": stable while the edition exists.
std::string EntryId(const SnapshotEntry& e) {
  std::string id = "urn:imprint:edition:" + e.edition;
  std::replace(id.begin(), id.end(), '/', ':');
  return id;
}

std::string Join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

// A small writer of the feeds' XML: elements with escaped text.
class Xml {
 public:
  Xml() { out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"; }
  Xml& Raw(std::string_view s) {
    out_ += s;
    return *this;
  }
  Xml& Text(std::string_view s) {
    AppendXmlEscaped(s, &out_);
    return *this;
  }
  // <name>text</name>
  Xml& Element(const char* name, std::string_view text, const char* attributes = "") {
    out_ += std::string("<") + name + attributes + ">";
    Text(text);
    out_ += std::string("</") + name + ">\n";
    return *this;
  }
  // <link rel=".." type=".." href=".." [title=".."]/>
  Xml& Link(std::string_view rel, std::string_view type, std::string_view href, std::string_view title = "") {
    out_ += "<link rel=\"";
    Text(rel).Raw("\" type=\"").Text(type).Raw("\" href=\"").Text(href).Raw("\"");
    if (!title.empty()) Raw(" title=\"").Text(title).Raw("\"");
    out_ += "/>\n";
    return *this;
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// <feed ...> with what every feed of ours carries.
void OpenFeed(Xml* x, const std::string& id, const std::string& title, const std::string& updated) {
  x->Raw("<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/terms/\""
         " xmlns:opds=\"http://opds-spec.org/2010/catalog\">\n");
  x->Element("id", id).Element("title", title).Element("updated", updated);
  x->Raw("<author>").Element("name", "Imprint").Raw("</author>\n");
}

// The newest `updated` of `indexes` into the model's list, or the epoch.
template <typename Indexes>
std::string Newest(const FeedModel& model, const Indexes& indexes) {
  std::string newest = kEpoch;
  for (size_t i : indexes) newest = std::max(newest, Updated(model.recent[i]));
  return newest;
}

std::vector<size_t> All(const FeedModel& model) {
  std::vector<size_t> all(model.recent.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  return all;
}

// The media type of a format as a feed names it, without parameters.
std::string MediaType(const std::string& format) {
  const Writer* w = FindWriter(format);
  const std::string type = w ? w->mime_type : "application/octet-stream";
  return type.substr(0, type.find(';'));
}

void AcquisitionEntry(Xml* x, const SnapshotEntry& e, const FormatPermits& permits) {
  x->Raw("<entry>\n").Element("title", e.title).Element("id", EntryId(e)).Element("updated", Updated(e));
  x->Raw("<author>").Element("name", e.publication_name).Raw("</author>\n");
  if (IsCalendarDate(e.date)) x->Element("dc:issued", e.date);
  if (!e.headlines.empty()) x->Element("summary", Join(e.headlines, " \xE2\x80\x94 "), " type=\"text\"");
  x->Element("content",
             e.publication_name + ", volume " + std::to_string(e.volume) + ", issue " + std::to_string(e.issue) +
                 (e.date.empty() ? "" : ", " + e.date) + (e.corrected.empty() ? "" : " (corrected " + e.corrected + ")"),
             " type=\"text\"");
  for (const auto& [format, path] : e.files) {
    if (permits && !permits(e.publication, format)) continue;
    x->Link("http://opds-spec.org/acquisition", MediaType(format), "/editions/" + path);
  }
  x->Raw("</entry>\n");
}

// The feed's own path: `base` ("/opds/recent") for page 1, else base/page/N.
std::string PagePath(const std::string& base, size_t page) {
  return page == 1 ? base : base + "/page/" + std::to_string(page);
}

// RFC 5005 paging links of page `page` of `pages`.
void PagingLinks(Xml* x, const std::string& base, size_t page, size_t pages) {
  x->Link("self", kAcquisitionType, PagePath(base, page));
  x->Link("first", kAcquisitionType, PagePath(base, 1));
  x->Link("last", kAcquisitionType, PagePath(base, pages));
  if (page > 1) x->Link("previous", kAcquisitionType, PagePath(base, page - 1));
  if (page < pages) x->Link("next", kAcquisitionType, PagePath(base, page + 1));
}

void CommonLinks(Xml* x) {
  x->Link("start", kNavigationType, "/opds", "Imprint");
  x->Link("http://opds-spec.org/auth/document", kAuthType, "/opds/auth");
}

// What an acquisition route lists: its base path, id, title and entries.
struct Selection {
  std::string base, id, title;
  std::vector<size_t> entries;
  std::vector<int> volumes;  // of a publication's feed: each volume's feed is linked
};

// "/opds/publications/monitor/v05": the volume as the output layout spells it.
std::string VolumePath(const std::string& publication, int volume) {
  const std::string edition = EditionPath(publication, volume, 1);
  return "/opds/publications/" + edition.substr(0, edition.rfind('/'));
}

bool Select(const FeedModel& model, const Route& route, Selection* s) {
  if (route.publication.empty()) {
    *s = {"/opds/recent", "urn:imprint:opds:recent", "Most recent issues", All(model), {}};
    return true;
  }
  const auto list = model.by_publication.find(route.publication);
  if (list == model.by_publication.end()) return false;
  const std::string name = model.names.at(route.publication);
  s->base = "/opds/publications/" + route.publication;
  s->id = "urn:imprint:opds:publications:" + route.publication;
  s->title = name;
  for (size_t i : list->second) {
    const int volume = model.recent[i].volume;
    if (s->volumes.empty() || s->volumes.back() != volume) s->volumes.push_back(volume);
    if (route.volume == 0 || volume == route.volume) s->entries.push_back(i);
  }
  if (route.volume != 0) {
    if (s->entries.empty()) return false;
    s->base = VolumePath(route.publication, route.volume);
    s->id += ":v" + std::to_string(route.volume);
    s->title += ", volume " + std::to_string(route.volume);
    s->volumes.clear();
  }
  return true;
}

// The page of an acquisition feed, or "" when there is no such page.
std::string AcquisitionFeed(const FeedModel& model, const Route& route, const FormatPermits& permits) {
  Selection s;
  if (!Select(model, route, &s)) return "";
  const size_t pages = std::max<size_t>(1, (s.entries.size() + kFeedPageSize - 1) / kFeedPageSize);
  const size_t page = static_cast<size_t>(std::max(1, route.page));
  if (page > pages) return "";
  Xml x;
  OpenFeed(&x, s.id, s.title, route.volume == 0 ? NewestOf(model, route.publication) : Newest(model, s.entries));
  PagingLinks(&x, s.base, page, pages);
  CommonLinks(&x);
  x.Link("up", kNavigationType, "/opds");
  for (int v : s.volumes) {
    x.Link("subsection", kAcquisitionType, VolumePath(route.publication, v), s.title + ", volume " + std::to_string(v));
  }
  const size_t end = std::min(s.entries.size(), page * kFeedPageSize);
  for (size_t i = (page - 1) * kFeedPageSize; i < end; ++i) AcquisitionEntry(&x, model.recent[s.entries[i]], permits);
  x.Raw("</feed>\n");
  return x.Take();
}

std::string AtomFeed(const FeedModel& model, const Route& route) {
  std::vector<size_t> entries;
  if (route.publication.empty()) {
    entries = All(model);
  } else if (const auto list = model.by_publication.find(route.publication); list != model.by_publication.end()) {
    entries = list->second;
  } else {
    return "";
  }
  if (entries.size() > kFeedPageSize) entries.resize(kFeedPageSize);
  const std::string name = route.publication.empty() ? "Imprint" : model.names.at(route.publication);
  Xml x;
  OpenFeed(&x, route.publication.empty() ? "urn:imprint:feed" : "urn:imprint:feed:" + route.publication,
           name + ": new issues", Newest(model, entries));
  x.Link("self", kAtomType, route.publication.empty() ? "/feed.atom" : "/feed/" + route.publication + ".atom");
  x.Link("alternate", "text/html", "/");
  for (size_t i : entries) {
    const SnapshotEntry& e = model.recent[i];
    x.Raw("<entry>\n").Element("title", e.title).Element("id", EntryId(e)).Element("updated", Updated(e));
    if (IsCalendarDate(e.date)) x.Element("published", AtomTime(e.date));
    x.Raw("<author>").Element("name", e.publication_name).Raw("</author>\n");
    if (!e.headlines.empty()) x.Element("summary", Join(e.headlines, " \xE2\x80\x94 "), " type=\"text\"");
    for (const auto& [format, path] : e.files) {
      if (format == "html") x.Link("alternate", "text/html", "/editions/" + path);
    }
    x.Raw("</entry>\n");
  }
  x.Raw("</feed>\n");
  return x.Take();
}

}  // namespace

std::string OpdsNavigationFeed(const FeedModel& model) {
  Xml x;
  OpenFeed(&x, "urn:imprint:opds", "Imprint", NewestOf(model, ""));
  x.Link("self", kNavigationType, "/opds");
  CommonLinks(&x);
  x.Raw("<entry>\n").Element("title", "Most recent issues").Element("id", "urn:imprint:opds:recent");
  x.Element("updated", NewestOf(model, ""));
  x.Element("content", std::to_string(model.recent.size()) + " issues, newest first", " type=\"text\"");
  x.Link("http://opds-spec.org/sort/new", kAcquisitionType, "/opds/recent", "Most recent issues");
  x.Raw("</entry>\n");
  for (const auto& [publication, list] : model.by_publication) {
    const std::string& name = model.names.at(publication);
    x.Raw("<entry>\n").Element("title", name).Element("id", "urn:imprint:opds:publications:" + publication);
    x.Element("updated", NewestOf(model, publication));
    x.Element("content", std::to_string(list.size()) + " issues", " type=\"text\"");
    x.Link("subsection", kAcquisitionType, "/opds/publications/" + publication, name);
    x.Raw("</entry>\n");
  }
  x.Raw("</feed>\n");
  return x.Take();
}

std::string OpdsAuthenticationDocument() {
  return "{\"id\":\"urn:imprint:opds:auth\",\"title\":\"Imprint\","
         "\"description\":\"Your license id and the access key given with it\","
         "\"links\":[{\"rel\":\"start\",\"href\":\"/opds\",\"type\":\"" + std::string(kNavigationType) + "\"}],"
         "\"authentication\":[{\"type\":\"http://opds-spec.org/auth/basic\","
         "\"labels\":{\"login\":\"License id\",\"password\":\"Access key\"}}]}\n";
}

HttpResponse AnswerFeed(const FeedModel& model, const Route& route, const FeedDecision& decide,
                        const FeedChallenge& challenge) {
  if (route.kind == Route::kOpds) {
    AuditRow row;  // never committed: a feed is no copy
    row.reason = "no_license";
    if (!decide) return challenge(row, 401, "send Authorization: License <base64url of your license>");
    const Decision d = decide("", "");  // the signature first, whatever it may take
    row.reason = ToString(d.reason);
    if (IsSignatureFailure(d.reason)) return challenge(row, 401, d.detail);
  }
  std::map<std::pair<std::string, std::string>, bool> memo;  // a tier's answer per publication and format
  const FormatPermits permits = [&](const std::string& publication, const std::string& format) {
    const auto [it, fresh] = memo.emplace(std::make_pair(publication, format), false);
    if (fresh) it->second = decide(publication, format).permit;
    return it->second;
  };
  return AnswerFeed(model, route, permits);
}

HttpResponse AnswerFeed(const FeedModel& model, const Route& route, const FormatPermits& permits) {
  std::string body;
  const char* type = kAcquisitionType;
  if (route.kind == Route::kOpdsAuth) {
    return Answer(200, kAuthType, OpdsAuthenticationDocument());
  } else if (route.kind == Route::kAtom) {
    body = AtomFeed(model, route);
    type = kAtomType;
  } else if (route.page == 0) {
    body = OpdsNavigationFeed(model);
    type = kNavigationType;
  } else {
    body = AcquisitionFeed(model, route, permits);
  }
  if (body.empty()) return Json(404, "{\"error\":\"not_found\"}\n");
  return Answer(200, type, std::move(body));
}

}  // namespace imprint
