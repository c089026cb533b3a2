#include "pipeline/license/license.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "pipeline/base/canonical_json.h"
#include "pipeline/base/crypto.h"
#include "pipeline/base/error.h"
#include "pipeline/base/text_decoder.h"

namespace imprint {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr char kAlgorithm[] = "Ed25519";

std::string Canonical(const Object::Ptr& o) {
  std::ostringstream json;
  o->stringify(json);
  return Canonicalize(json.str(), "license");
}

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


// RFC 3339 (section 5.6), read by hand: exactly its grammar and ranges, no
// more. Every reader advances *pos past what it took, or fails.

}  // namespace

std::string SignLicense(const License& license, const SigningKey& key) {
  Object::Ptr body = Body(license);
  const std::string signature = key.signer.Sign(Canonical(body));
  Object::Ptr sig = new Object;
  sig->set("algorithm", std::string(kAlgorithm));
  sig->set("key_id", key.key.IdText());
  sig->set("value", Base64Encode(signature));
  body->set("signature", sig);
  return Canonical(body) + "\n";
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
  for (const auto& [name, value] : {std::pair<const char*, const std::string*>{"issued", &l.issued},
                                     {"rights.start", &l.start}, {"rights.end", &l.end}}) {
    // A document's times are full RFC 3339 date-times, as SignLicense writes them.
    if (value->size() <= 10 || !ParseTime(*value)) {
      throw Error(file, 0, std::string("not a license: ") + name + " must be an RFC 3339 date-time, not '" +
                               *value + "'");
    }
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
  std::string canonical;
  try {
    canonical = CanonicalizeWithout(text, "signature", "license");
  } catch (const Error&) {
    return SignatureVerdict::kBad;
  }
  if (!Ed25519Verify(key->key.key, canonical, value)) return SignatureVerdict::kBad;
  return key->status == KeyStatus::kRevoked ? SignatureVerdict::kRevokedKey : SignatureVerdict::kGood;
}

namespace {

// Whether `name` starts or ends with a space of any width, none included
// (U+0020, the no-break, ogham, en to hair, narrow, mathematical and
// ideographic spaces; the zero-width space, word joiner and byte-order mark).
bool HasEdgeSpace(const std::string& name) {
  static const char* const kSpaces[] = {
      " ",            "\xC2\xA0",     "\xE1\x9A\x80", "\xE2\x80\x80", "\xE2\x80\x81", "\xE2\x80\x82",
      "\xE2\x80\x83", "\xE2\x80\x84", "\xE2\x80\x85", "\xE2\x80\x86", "\xE2\x80\x87", "\xE2\x80\x88",
      "\xE2\x80\x89", "\xE2\x80\x8A", "\xE2\x80\x8B", "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE2\x81\xA0",
      "\xE3\x80\x80", "\xEF\xBB\xBF"};
  const std::string_view n = name;
  for (const std::string_view space : kSpaces) {
    if (n.substr(0, space.size()) == space ||
        (n.size() >= space.size() && n.substr(n.size() - space.size()) == space)) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string SubscriberNameProblem(const std::string& name) {
  if (name.empty()) return "it is empty";
  size_t length = 0;
  if (std::string problem = OneLineTextProblem(name, &length); !problem.empty()) return problem;
  if (HasEdgeSpace(name)) return "it starts or ends with a space";
  if (length > kMaxSubscriberName) {
    return "it has " + std::to_string(length) + " characters, more than " + std::to_string(kMaxSubscriberName);
  }
  return "";
}

std::string NewLicenseId() {
  std::string b = RandomBytes(16);
  b[6] = static_cast<char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);
  const std::string hex = Hex(b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) +
         "-" + hex.substr(20);
}

bool IsLicenseId(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace imprint
