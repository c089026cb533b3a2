#include "pipeline/base/error.h"

#include <utility>

namespace imprint {

std::string Diagnostic::ToString() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  out += severity == Severity::kError ? ": error: " : ": warning: ";
  out += message;
  return out;
}

namespace {

Diagnostic MakeDiagnostic(Diagnostic::Severity severity, std::string file,
                          int line, std::string message) {
  Diagnostic d;
  d.severity = severity;
  d.file = std::move(file);
  d.line = line;
  d.message = std::move(message);
  return d;
}

}  // namespace

Error::Error(std::string file, int line, std::string message)
    : std::runtime_error(message),
      diagnostic_(MakeDiagnostic(Diagnostic::Severity::kError, std::move(file),
                                 line, std::move(message))) {}

Diagnostic Warning(std::string file, int line, std::string message) {
  return MakeDiagnostic(Diagnostic::Severity::kWarning, std::move(file), line,
                        std::move(message));
}

}  // namespace imprint
