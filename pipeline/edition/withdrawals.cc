#include "pipeline/edition/withdrawals.h"

#include <algorithm>
#include <filesystem>

#include "pipeline/base/edition_layout.h"
#include "pipeline/base/error.h"
#include "pipeline/base/file_system.h"
#include "pipeline/base/rfc3339.h"
#include "pipeline/base/text_decoder.h"
#include "pipeline/base/xml_escape.h"
#include "pipeline/edition/xml_tree.h"

namespace imprint {
namespace {

constexpr char kNamespace[] = "urn:jamestown:imprint:withdrawals:1";

// What the schema cannot say: a canonical edition, a real date, one line.
Withdrawal Read(const XmlElement& e, const std::string& path) {
  Withdrawal w{e.Attr("edition"), e.Attr("date"), e.Attr("title"), "", "", e.line};
  const XmlElement* notice = e.Child("notice");
  const XmlElement* reason = e.Child("reason");
  w.notice = notice ? notice->text : "";
  w.reason = reason ? reason->text : "";
  w.embargo = e.Attr("embargo");
  const auto ref = ParseEditionRef(w.edition);
  if (!ref || ref->Path() != w.edition) {
    throw Error(path, e.line, "'" + w.edition + "' is not an edition as imprint spells it (monitor/v05/i077)");
  }
  if (!IsCalendarDate(w.date)) throw Error(path, e.line, "'" + w.date + "' is not a calendar date");
  if (!w.embargo.empty() && (!ParseTime(w.embargo) || FormatTime(*ParseTime(w.embargo)) != w.embargo)) {
    throw Error(path, e.line, "the embargo '" + w.embargo + "' is not a UTC time such as 2030-01-01T06:00:00Z");
  }
  size_t length = 0;
  if (std::string why = OneLineTextProblem(w.title, &length); !why.empty()) {
    throw Error(path, e.line, "the title: " + why);
  }
  if (std::string why = WithdrawalTextProblem(w.notice); !why.empty()) {
    throw Error(path, notice ? notice->line : e.line, "the notice: " + why);
  }
  if (std::string why = WithdrawalTextProblem(w.reason); !why.empty()) {
    throw Error(path, reason ? reason->line : e.line, "the reason: " + why);
  }
  return w;
}

}  // namespace

const Withdrawal* Withdrawals::Find(const std::string& edition) const {
  auto it = std::lower_bound(list.begin(), list.end(), edition,
                             [](const Withdrawal& w, const std::string& e) { return w.edition < e; });
  return it != list.end() && it->edition == edition ? &*it : nullptr;
}

void Withdrawals::Add(Withdrawal w) {
  auto it = std::lower_bound(list.begin(), list.end(), w.edition,
                             [](const Withdrawal& x, const std::string& e) { return x.edition < e; });
  list.insert(it, std::move(w));
}

Withdrawals LoadWithdrawals(const std::string& rights_dir) {
  const std::string path = rights_dir + "/" + kWithdrawalsName;
  std::error_code ec;
  if (std::filesystem::symlink_status(path, ec).type() == std::filesystem::file_type::not_found) return {};
  const XmlElement root = LoadValidatedXml(path, rights_dir + "/withdrawals.rng");
  Withdrawals withdrawals;
  for (const XmlElement& e : root.children) {
    Withdrawal w = Read(e, path);
    if (const Withdrawal* first = withdrawals.Find(w.edition)) {
      throw Error(path, w.line, w.edition + " is withdrawn twice (first on line " + std::to_string(first->line) + ")");
    }
    withdrawals.Add(std::move(w));
  }
  return withdrawals;
}

std::string WithdrawalsXml(const Withdrawals& withdrawals) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<!-- Withdrawn editions (docs/editions.md, \"Withdrawal\"); written by `imprint withdraw`, validated against "
      "withdrawals.rng. -->\n";
  out += std::string("<withdrawals xmlns=\"") + kNamespace + "\">\n";
  for (const Withdrawal& w : withdrawals.list) {
    out += "  <withdrawal edition=\"" + XmlEscaped(w.edition) + "\" date=\"" + XmlEscaped(w.date) + "\" title=\"" +
           XmlEscaped(w.title) + "\"" + (w.embargo.empty() ? "" : " embargo=\"" + XmlEscaped(w.embargo) + "\"") + ">\n";
    out += "    <notice>" + XmlEscaped(w.notice) + "</notice>\n";
    out += "    <reason>" + XmlEscaped(w.reason) + "</reason>\n";
    out += "  </withdrawal>\n";
  }
  return out + "</withdrawals>\n";
}

void SaveWithdrawals(const std::string& rights_dir, const Withdrawals& withdrawals) {
  WriteFileAtomic(rights_dir + "/" + kWithdrawalsName, WithdrawalsXml(withdrawals));
}

std::string WithdrawalTextProblem(const std::string& text) {
  if (text.find_first_not_of(' ') == std::string::npos) return "it is empty";
  size_t length = 0;
  std::string why = OneLineTextProblem(text, &length);
  if (!why.empty()) return why;
  if (length > kMaxWithdrawalText) {
    return std::to_string(length) + " characters, more than " + std::to_string(kMaxWithdrawalText);
  }
  return "";
}

std::vector<CatalogEntry> WithdrawnEntries(const Withdrawals& withdrawals, const RightsPolicy& policy) {
  std::vector<CatalogEntry> entries;
  for (const Withdrawal& w : withdrawals.list) {
    const auto ref = ParseEditionRef(w.edition);  // checked on load
    CatalogEntry e;
    e.publication = ref->publication;
    const PolicyPublication* pub = policy.FindPublication(ref->publication);
    e.publication_name = pub ? pub->name : ref->publication;
    e.volume = ref->volume;
    e.issue = ref->issue;
    e.title = w.title;
    e.edition = w.edition;
    e.withdrawn = w.date;
    e.notice = w.notice;
    e.embargo = w.embargo;  // ReleasedEditions() holds it back until then
    entries.push_back(std::move(e));
  }
  return entries;
}

void ApplyWithdrawals(const Withdrawals& withdrawals, const RightsPolicy& policy,
                      std::vector<CatalogEntry>* entries) {
  entries->erase(std::remove_if(entries->begin(), entries->end(),
                                [&](const CatalogEntry& e) { return withdrawals.Find(e.edition) != nullptr; }),
                 entries->end());
  for (CatalogEntry& e : WithdrawnEntries(withdrawals, policy)) entries->push_back(std::move(e));
}

}  // namespace imprint
