// The server's answers: every one says nosniff, and the decision JSON keeps a
// detail from breaking out of its string.
#define BOOST_TEST_MODULE http_answer
#include "pipeline/server/http_answer.h"

#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>

namespace imprint {
namespace {

std::string HeaderOf(const HttpResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

BOOST_AUTO_TEST_CASE(answers_carry_their_type_body_and_nosniff) {
  const HttpResponse a = Answer(404, "text/plain", "gone\n");
  BOOST_TEST(a.status == 404);
  BOOST_TEST(a.content_type == "text/plain");
  BOOST_TEST(a.body == "gone\n");
  BOOST_TEST(HeaderOf(a, "X-Content-Type-Options") == "nosniff");
  const HttpResponse j = Json(503, "{}\n");
  BOOST_TEST(j.content_type == "application/json");
  BOOST_TEST(HeaderOf(j, "X-Content-Type-Options") == "nosniff");
}

BOOST_AUTO_TEST_CASE(reason_json_reads_back_with_the_detail_escaped) {
  BOOST_TEST(ReasonJson("deny", "expired", "ended 2026-01-01") ==
             "{\"decision\":\"deny\",\"reason\":\"expired\",\"detail\":\"ended 2026-01-01\"}\n");
  // A detail that tries to close the string and add a member, with a
  // backslash and control characters besides: still one string, read back
  // by a JSON parser, the control characters escaped (the one JSON escaper).
  const std::string hostile = "x\",\"decision\":\"permit\\\n\t\x01y";
  const std::string json = ReasonJson("deny", "bad_signature", hostile);
  Poco::JSON::Parser parser;
  const auto object = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
  BOOST_TEST(object->getValue<std::string>("decision") == "deny");
  BOOST_TEST(object->getValue<std::string>("detail") == hostile);
  BOOST_TEST(json.find('\n') == json.size() - 1, "a raw line break inside the JSON: " << json);
  BOOST_TEST(object->size() == 3u);
}

}  // namespace
}  // namespace imprint
