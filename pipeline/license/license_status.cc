#include "pipeline/license/license_status.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>
#include <vector>

#include "pipeline/base/error.h"

namespace imprint {
namespace {

std::string StatusMessage(const std::string& status, const License& license) {
  if (status == "revoked") return "The license was revoked by the foundation.";
  if (status == "expired") return "The license expired at " + license.end;
  if (status == "active") return "The license is active.";
  return "The license is valid from " + license.start;
}

Poco::JSON::Array::Ptr PublicEvents(const std::vector<LicenseEvent>& events) {
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
  for (const LicenseEvent& e : events) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("type", e.type);
    o->set("timestamp", FormatTime(e.at));
    o->set("detail", PublicEventDetail(e));
    list->add(o);
  }
  return list;
}

}  // namespace

std::string LicenseStatus(LicenseStore& store, const License& license, int64_t now) {
  if (const auto r = store.FindRevocation(license.id); r && r->at <= now) return "revoked";
  if (now > ParseTime(license.end).value_or(0)) return "expired";
  if (now < ParseTime(license.start).value_or(0)) return "not_yet_valid";
  return "active";
}

std::string PublicEventDetail(const LicenseEvent& event) {
  // A revocation's detail is the operator's reason, often about the
  // subscriber ("leaked copy found on a forum"): private.
  if (event.type == "revoked") return "revoked by the foundation";
  return event.detail;  // "tier T", "until DATE": the license's own public facts
}

std::string LicenseStatusDocument(LicenseStore& store, const std::string& id, int64_t now) {
  const auto stored = store.FindLicense(id);
  if (!stored) throw Error(id, 0, "no such license");
  const std::string status = LicenseStatus(store, stored->license, now);
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("id", id);
  root.set("status", status);
  root.set("message", StatusMessage(status, stored->license));
  const std::vector<LicenseEvent> events = store.Events(id);
  Poco::JSON::Object::Ptr updated = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  // The license document last changed when it was issued or renewed.
  std::string changed = stored->license.issued;
  for (const LicenseEvent& e : events) {
    if (e.type == "renewed") changed = FormatTime(e.at);
  }
  updated->set("license", changed);
  updated->set("status", events.empty() ? stored->license.issued : FormatTime(events.back().at));
  root.set("updated", updated);
  Poco::JSON::Object::Ptr link = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  link->set("rel", "license");
  link->set("href", "/licenses/" + id + "/license");
  link->set("type", kLicenseMediaType);
  Poco::JSON::Array::Ptr links = new Poco::JSON::Array;
  links->add(link);
  root.set("links", links);
  root.set("events", PublicEvents(events));
  std::ostringstream out;
  root.stringify(out, 2);
  return out.str() + "\n";
}

}  // namespace imprint
