// Diagnostics read as compilers write them.
#define BOOST_TEST_MODULE error
#include "pipeline/base/error.h"

#include <boost/test/unit_test.hpp>

namespace imprint {
namespace {

BOOST_AUTO_TEST_CASE(file_line_severity_message) {
  BOOST_TEST(Error("a.txt", 3, "bad").diagnostic().ToString() == "a.txt:3: error: bad");
  BOOST_TEST(Error("a.txt", 0, "unreadable").diagnostic().ToString() == "a.txt: error: unreadable");
  BOOST_TEST(Warning("b.txt", 5, "transcoded").ToString() == "b.txt:5: warning: transcoded");
  BOOST_TEST(std::string(Error("f", 1, "what").what()) == "what");
}

}  // namespace
}  // namespace imprint
