// Diagnostics and the one exception type of the pipeline.
//
// Every problem a user can cause (a bad raw issue, a broken rights file, a
// missing template) is reported as a Diagnostic: the file, the line (0 when
// the problem is with the file as a whole) and what is wrong. Units throw
// imprint::Error carrying one; the build catches it per input, so one bad
// input never stops the others. Third-party exceptions are translated into
// Error at the unit that adapts the library. Plain values; thread-compatible.
#ifndef IMPRINT_PIPELINE_BASE_ERROR_H_
#define IMPRINT_PIPELINE_BASE_ERROR_H_

#include <stdexcept>
#include <string>

namespace imprint {

struct Diagnostic {
  enum class Severity { kWarning, kError };

  Severity severity = Severity::kError;
  std::string file;
  int line = 0;
  std::string message;

  // "FILE:LINE: error: MESSAGE", the form compilers use, so editors and
  // Jenkins' warnings plug-in can jump to the place.
  std::string ToString() const;
};

class Error : public std::runtime_error {
 public:
  Error(std::string file, int line, std::string message);

  const Diagnostic& diagnostic() const { return diagnostic_; }

 private:
  Diagnostic diagnostic_;
};

Diagnostic Warning(std::string file, int line, std::string message);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_BASE_ERROR_H_
