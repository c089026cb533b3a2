#include "pipeline/license.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Timestamp.h>

#include "pipeline/canonical_json.h"
#include "pipeline/crypto.h"
#include "pipeline/error.h"

namespace imprint {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr char kAlgorithm[] = "Ed25519";

Object::Ptr Body(const License& l) {
  Object::Ptr subscriber = new Object;
  subscriber->set("id", l.subscriber_id);
  subscriber->set("name", l.subscriber_name);
  if (!l.subscriber_email.empty()) subscriber->set("email", l.subscriber_email);
  Array::Ptr publications = new Array;
  for (const std::string& p : l.publications) publications->add(p);
  Object::Ptr rights = new Object;
  rights->set("start", l.start);
  rights->set("end", l.end);
  Object::Ptr body = new Object;
  body->set("id", l.id);
  body->set("issued", l.issued);
  body->set("provider", l.provider);
  body->set("subscriber", subscriber);
  body->set("tier", l.tier);
  body->set("publications", publications);
  body->set("rights", rights);
  return body;
}

Object::Ptr ParseObject(const std::string& text, const std::string& file) {
  try {
    Poco::JSON::Parser parser;
    Object::Ptr o = parser.parse(text).extract<Object::Ptr>();
    if (o.isNull()) throw Error(file, 0, "not a license: a JSON object was expected");
    return o;
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(file, 0, std::string("not a license: not valid JSON (") + e.what() + ")");
  }
}

std::string Field(const Object::Ptr& o, const char* name, const std::string& file) {
  if (!o->has(name) || !o->get(name).isString()) {
    throw Error(file, 0, std::string("not a license: no '") + name + "' string");
  }
  return o->getValue<std::string>(name);
}

Object::Ptr Member(const Object::Ptr& o, const char* name, const std::string& file) {
  Object::Ptr m = o->has(name) ? o->getObject(name) : nullptr;
  if (m.isNull()) throw Error(file, 0, std::string("not a license: no '") + name + "' object");
  return m;
}

}  // namespace

std::string SignLicense(const License& license, const SigningKey& key) {
  Object::Ptr body = Body(license);
  const std::string signature = key.signer.Sign(CanonicalJson(body));
  Object::Ptr sig = new Object;
  sig->set("algorithm", std::string(kAlgorithm));
  sig->set("key_id", key.key.IdText());
  sig->set("value", Base64Encode(signature));
  body->set("signature", sig);
  return CanonicalJson(body) + "\n";
}

License ParseLicense(const std::string& text, const std::string& file) {
  const Object::Ptr o = ParseObject(text, file);
  License l;
  l.id = Field(o, "id", file);
  l.issued = Field(o, "issued", file);
  l.provider = Field(o, "provider", file);
  l.tier = Field(o, "tier", file);
  const Object::Ptr subscriber = Member(o, "subscriber", file);
  l.subscriber_id = Field(subscriber, "id", file);
  l.subscriber_name = Field(subscriber, "name", file);
  l.subscriber_email = subscriber->optValue<std::string>("email", "");
  const Object::Ptr rights = Member(o, "rights", file);
  l.start = Field(rights, "start", file);
  l.end = Field(rights, "end", file);
  if (!ParseTime(l.start) || !ParseTime(l.end)) {
    throw Error(file, 0, "not a license: rights.start and rights.end must be RFC 3339 times");
  }
  const Array::Ptr publications = o->getArray("publications");
  if (publications.isNull()) throw Error(file, 0, "not a license: no 'publications' list");
  for (unsigned i = 0; i < publications->size(); ++i) {
    if (!publications->get(i).isString()) throw Error(file, 0, "not a license: a publication is not a string");
    l.publications.push_back(publications->getElement<std::string>(i));
  }
  if (o->has("signature") && !o->getObject("signature").isNull()) {
    l.key_id = o->getObject("signature")->optValue<std::string>("key_id", "");
  }
  return l;
}

SignatureVerdict VerifyLicense(const std::string& text, const TrustedKeys& trusted) {
  Object::Ptr o;
  try {
    Poco::JSON::Parser parser;
    o = parser.parse(text).extract<Object::Ptr>();
  } catch (const std::exception&) {
    return SignatureVerdict::kBad;
  }
  if (o.isNull() || !o->has("signature")) return SignatureVerdict::kBad;
  const Object::Ptr sig = o->getObject("signature");
  if (sig.isNull() || sig->optValue<std::string>("algorithm", "") != kAlgorithm) return SignatureVerdict::kBad;
  std::string id, value;
  if (!ParseKeyIdText(sig->optValue<std::string>("key_id", ""), &id) ||
      !Base64Decode(sig->optValue<std::string>("value", ""), &value)) {
    return SignatureVerdict::kBad;
  }
  const KeyEntry* key = trusted.Find(id);
  if (key == nullptr) return SignatureVerdict::kUnknownKey;
  o->remove("signature");
  std::string canonical;
  try {
    canonical = CanonicalJson(o);
  } catch (const std::exception&) {
    return SignatureVerdict::kBad;
  }
  if (!Ed25519Verify(key->key.key, canonical, value)) return SignatureVerdict::kBad;
  return key->status == "revoked" ? SignatureVerdict::kRevokedKey : SignatureVerdict::kGood;
}

std::optional<int64_t> ParseTime(const std::string& text, bool end_of_day) {
  Poco::DateTime dt;
  int tz = 0;
  if (text.size() == 10) {
    if (!Poco::DateTimeParser::tryParse("%Y-%m-%d", text, dt, tz) ||
        Poco::DateTimeFormatter::format(dt, "%Y-%m-%d") != text) {
      return std::nullopt;
    }
    const int64_t day = dt.timestamp().epochTime();
    return end_of_day ? day + 86399 : day;
  }
  if (text.size() < 20 || text[10] != 'T' ||
      !Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FORMAT, text, dt, tz)) {
    return std::nullopt;
  }
  return static_cast<int64_t>(dt.timestamp().epochTime()) - tz;
}

std::string FormatTime(int64_t seconds) {
  return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(seconds), "%Y-%m-%dT%H:%M:%SZ");
}

std::string NewLicenseId() {
  std::string b = RandomBytes(16);
  b[6] = static_cast<char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);
  const std::string hex = Hex(b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) +
         "-" + hex.substr(20);
}

}  // namespace imprint
