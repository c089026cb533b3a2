// Shared helpers of the test programs: where the test data and the built
// program are, temporary folders, running a process, reading the expected
// model of a test input, and reading HTML the way a browser would (libxml2's
// HTML parser) so tests compare text, not markup.
#ifndef IMPRINT_TESTS_SUPPORT_H_
#define IMPRINT_TESTS_SUPPORT_H_

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/special_files.h"

namespace Poco {
class Pipe;
}
namespace imprint {
struct Document;
class TemplateSet;
}
namespace imprint::testing {
using imprint::Document;
using imprint::TemplateSet;

std::string SourceDir();    // the project's root
std::string TestDataDir();  // tests/data
std::string ImprintBin();   // the built program

// Every good test input: samples/archive/*.txt and tests/data/good/*.txt.
std::vector<std::string> GoodInputs();
// "monitor-v05-i077" for ".../monitor-v05-i077.txt".
std::string Stem(const std::string& path);

// A fresh folder under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the imprint program with IMPRINT_KEYS=`keys`, its output to
// /dev/null; its exit status and peak resident memory in bytes (wait4's, for
// this child alone): for the tests that bound what a command may hold.
std::pair<int, long> ExitAndPeakMemory(const std::string& keys, const std::vector<std::string>& args);

// Runs `program` with `args` (no shell), capturing both streams.
ProcessResult Run(const std::string& program, const std::vector<std::string>& args,
                  const std::string& stdin_text = "");
ProcessResult RunImprint(const std::vector<std::string>& args);
// The same with IMPRINT_KEYS naming another keystore.
ProcessResult ImprintWithKeys(const std::string& keys, const std::vector<std::string>& args);

// Runs `argv` (argv[0] the program, no shell) for at most `seconds`, then
// SIGKILLs it: a hang is a failed test, not a stuck suite. `file_bytes` >= 0
// caps the size of any file the program writes (RLIMIT_FSIZE, with SIGXFSZ
// ignored, so a write past it fails with EFBIG as a full disk fails with
// ENOSPC). exit_code is -1 when it was killed (timed_out) or died of a signal.
struct BoundedResult : ProcessResult {
  bool timed_out = false;
};
BoundedResult RunWithin(const std::vector<std::string>& argv, double seconds, long file_bytes = -1);

std::string ReadAll(const std::string& path);
// The port `imprint serve` says it listens on, from the first line of its
// standard output (`out`). Throws std::runtime_error with what it said when
// that line names no port.
int ServedPort(Poco::Pipe& out);
// Base64url without padding (RFC 4648 section 5), as a license travels in
// "Authorization: License ...".
std::string Base64Url(const std::string& text);
void WriteAll(const std::string& path, const std::string& bytes);
// Every regular file below `dir`, relative to it, sorted.
std::vector<std::string> FilesBelow(const std::string& dir);
// Copies a folder tree.
void CopyTree(const std::string& from, const std::string& to);
// Removes a folder tree.
void RemoveAll(const std::string& path);

// Special destinations for the tests of writes to a path a user names.
// What `path` itself is (lstat, links not followed): 'f' regular file,
// 'd' folder, 'l' symbolic link, 'c' character device, 'b' block device,
// 'p' FIFO, 's' socket, '-' nothing there.
char FileKind(const std::string& path);
// Makes a character device node (mknod; needs root) such as a private copy of
// /dev/null (1, 3) or /dev/full (1, 7); false when it cannot. A test tries a
// risky write on its own node before it dares the system's.
bool MakeCharDevice(const std::string& path, unsigned major, unsigned minor);
// What a test input should read as: tests/data/expected/<stem>.expected.
struct ExpectedIssue {
  std::string publication;
  int volume = 0;
  int issue = 0;
  std::string date;
  bool transcoded = false;
  std::vector<std::string> headlines;
  std::vector<std::string> paragraphs;
  // Headlines and paragraphs in order, headlines prefixed "# ".
  std::vector<std::string> blocks;
};
ExpectedIssue LoadExpected(const std::string& stem);

// The bundled templates/, loaded once.
const TemplateSet& BundledTemplates();

// A good input through the reader and the rights stage, with the bundled
// rights/ and templates/ (or `templates_dir`).
Document ReadEdition(const std::string& input, const std::string& templates_dir = "");

// The sentences of a raw file's legacy footer (from the first paragraph that
// says "is a publication of the Jamestown Foundation") that the canonical
// footer does not also say: none of them may appear in an edition.
std::vector<std::string> LegacyOnlySentences(const std::string& input,
                                             const std::vector<std::string>& canonical_footer);
// Checks that an edition's text (as a reader sees it) holds none of them.
void ExpectNoLegacyFooter(const std::string& input, const std::vector<std::string>& canonical_footer,
                          const std::string& text);

// The text content of each element an XPath expression selects in an HTML
// document (e.g. "//main//p"), in document order.
std::vector<std::string> HtmlTexts(const std::string& html, const std::string& xpath);
// The same for an XML (XHTML) document; namespaces bound as h (XHTML).
std::vector<std::string> XmlTexts(const std::string& xml, const std::string& xpath);

// The entries of a zip archive (an EPUB), by name.
std::map<std::string, std::string> Unzip(const std::string& bytes);

// Runs EPUBCheck on all `books` in one JVM (tests/tools/EpubCheckBatch.java).
ProcessResult EpubCheck(const std::vector<std::string>& books);

// Collapses runs of ASCII white space to one space, as HTML rendering does.
std::string CollapseSpace(const std::string& text);

// Markdown without its YAML front matter.
std::string StripFrontMatter(const std::string& markdown);
// Renders GFM with the table, strikethrough and autolink extensions through
// the cmark-gfm library.
std::string RenderGfm(const std::string& markdown);

}  // namespace imprint::testing

#endif  // IMPRINT_TESTS_SUPPORT_H_
