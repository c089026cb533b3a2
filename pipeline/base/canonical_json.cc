#include "pipeline/base/canonical_json.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "pipeline/base/error.h"
#include "pipeline/base/json_string.h"
#include "pipeline/base/text_decoder.h"

namespace imprint {
namespace {

// UTF-8 to UTF-16 code units, for RFC 8785's member order. A byte that is
// not well-formed UTF-8 (which no parsed JSON name holds) counts as itself.
std::u16string Utf16(const std::string& s) {
  std::u16string out;
  for (size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    size_t len = DecodeUtf8(s, i, &cp);
    if (len == 0) cp = static_cast<unsigned char>(s[i]), len = 1;
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

void Append(const Poco::Dynamic::Var& v, const std::string& file, std::string* out) {
  if (v.isEmpty()) {
    *out += "null";
  } else if (v.type() == typeid(Poco::JSON::Object::Ptr)) {
    const auto object = v.extract<Poco::JSON::Object::Ptr>();
    std::vector<std::string> names;
    object->getNames(names);
    std::sort(names.begin(), names.end(),
              [](const std::string& a, const std::string& b) { return Utf16(a) < Utf16(b); });
    out->push_back('{');
    for (size_t i = 0; i < names.size(); ++i) {
      if (i > 0) out->push_back(',');
      AppendJsonString(names[i], out);
      out->push_back(':');
      Append(object->get(names[i]), file, out);
    }
    out->push_back('}');
  } else if (v.type() == typeid(Poco::JSON::Array::Ptr)) {
    const auto array = v.extract<Poco::JSON::Array::Ptr>();
    out->push_back('[');
    for (unsigned i = 0; i < array->size(); ++i) {
      if (i > 0) out->push_back(',');
      Append(array->get(i), file, out);
    }
    out->push_back(']');
  } else if (v.isBoolean()) {
    *out += v.extract<bool>() ? "true" : "false";
  } else if (v.isString()) {
    AppendJsonString(v.convert<std::string>(), out);
  } else if (v.isInteger()) {
    *out += v.convert<std::string>();
  } else {
    throw Error(file, 0, "canonical JSON: only integers are supported as numbers");
  }
}

// `json` parsed; Poco's exceptions become imprint::Error naming `file`.
Poco::Dynamic::Var Parse(const std::string& json, const std::string& file) {
  try {
    Poco::JSON::Parser parser;
    return parser.parse(json);
  } catch (const Poco::Exception& e) {
    throw Error(file, 0, "not valid JSON: " + e.displayText());
  } catch (const std::exception& e) {
    throw Error(file, 0, std::string("not valid JSON: ") + e.what());
  }
}

}  // namespace

std::string Canonicalize(const std::string& json, const std::string& file) {
  std::string out;
  Append(Parse(json, file), file, &out);
  return out;
}

std::string CanonicalizeWithout(const std::string& json, const std::string& omit, const std::string& file) {
  const Poco::Dynamic::Var value = Parse(json, file);
  if (value.type() != typeid(Poco::JSON::Object::Ptr)) throw Error(file, 0, "not a JSON object");
  Poco::JSON::Object::Ptr object = value.extract<Poco::JSON::Object::Ptr>();
  object->remove(omit);
  std::string out;
  Append(value, file, &out);
  return out;
}

}  // namespace imprint
