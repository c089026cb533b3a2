#include "tests/support.h"

#include "pipeline/base/crypto.h"
#include "pipeline/edition/document.h"
#include "pipeline/edition/raw_reader.h"
#include "pipeline/edition/rights_policy.h"
#include "pipeline/edition/rights_stage.h"
#include "pipeline/edition/template_set.h"

#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/Zip/ZipArchive.h>
#include <Poco/Zip/ZipStream.h>
#include <stdexcept>
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace imprint::testing {
namespace fs = std::filesystem;

namespace {

std::string Env(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

std::vector<std::string> TextFilesIn(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> EvalTexts(xmlDocPtr doc, const std::string& xpath, bool xhtml) {
  std::vector<std::string> texts;
  if (doc == nullptr) throw std::runtime_error("document does not parse");
  xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
  if (xhtml) {
    xmlXPathRegisterNs(ctx, BAD_CAST "h", BAD_CAST "http://www.w3.org/1999/xhtml");
    xmlXPathRegisterNs(ctx, BAD_CAST "epub", BAD_CAST "http://www.idpf.org/2007/ops");
  }
  xmlXPathObjectPtr result = xmlXPathEvalExpression(BAD_CAST xpath.c_str(), ctx);
  if (result != nullptr && result->nodesetval != nullptr) {
    for (int i = 0; i < result->nodesetval->nodeNr; ++i) {
      xmlChar* text = xmlNodeGetContent(result->nodesetval->nodeTab[i]);
      texts.emplace_back(text ? reinterpret_cast<char*>(text) : "");
      xmlFree(text);
    }
  }
  xmlXPathFreeObject(result);
  xmlXPathFreeContext(ctx);
  xmlFreeDoc(doc);
  return texts;
}

}  // namespace

std::string SourceDir() { return Env("IMPRINT_SOURCE", IMPRINT_SOURCE_DIR); }
std::string TestDataDir() { return Env("IMPRINT_TEST_DATA", SourceDir() + "/tests/data"); }
std::string ImprintBin() { return Env("IMPRINT_BIN", SourceDir() + "/build/imprint"); }

std::vector<std::string> GoodInputs() {
  std::vector<std::string> inputs = TextFilesIn(SourceDir() + "/samples/archive");
  for (const std::string& f : TextFilesIn(TestDataDir() + "/good")) inputs.push_back(f);
  return inputs;
}

std::string Stem(const std::string& path) { return fs::path(path).stem().string(); }

TempDir::TempDir() {
  std::string templ = (fs::temp_directory_path() / "imprint-test-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

ProcessResult Run(const std::string& program, const std::vector<std::string>& args,
                  const std::string& stdin_text) {
  Poco::Pipe in_pipe, out_pipe, err_pipe;
  Poco::ProcessHandle handle = Poco::Process::launch(
      program, Poco::Process::Args(args.begin(), args.end()), &in_pipe, &out_pipe, &err_pipe);
  {
    Poco::PipeOutputStream in(in_pipe);
    in << stdin_text;
    in.close();
  }
  ProcessResult result;
  // Drain stderr on a thread so neither pipe can fill up and block the child.
  std::thread err_reader([&] {
    Poco::PipeInputStream err(err_pipe);
    std::ostringstream text;
    text << err.rdbuf();
    result.err = text.str();
  });
  Poco::PipeInputStream out(out_pipe);
  std::ostringstream text;
  text << out.rdbuf();
  result.out = text.str();
  err_reader.join();
  result.exit_code = handle.wait();
  return result;
}

ProcessResult RunImprint(const std::vector<std::string>& args) {
  return Run(ImprintBin(), args);
}

ProcessResult ImprintWithKeys(const std::string& keys, const std::vector<std::string>& args) {
  std::vector<std::string> all = {"IMPRINT_KEYS=" + keys, ImprintBin()};
  all.insert(all.end(), args.begin(), args.end());
  return Run("/usr/bin/env", all);
}

BoundedResult RunWithin(const std::vector<std::string>& argv, double seconds, long file_bytes) {
  TempDir streams;
  const std::string out_file = streams / "out", err_file = streams / "err";
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    if (file_bytes >= 0) {
      ::signal(SIGXFSZ, SIG_IGN);  // an ignored signal stays ignored across exec
      const rlimit limit{static_cast<rlim_t>(file_bytes), static_cast<rlim_t>(file_bytes)};
      ::setrlimit(RLIMIT_FSIZE, &limit);
    }
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  BoundedResult result;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  result.exit_code = !result.timed_out && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadAll(out_file);
  result.err = ReadAll(err_file);
  return result;
}

int ServedPort(Poco::Pipe& out) {
  Poco::PipeInputStream lines(out);
  std::string line;
  std::getline(lines, line);
  const size_t colon = line.find("127.0.0.1:");
  if (colon == std::string::npos) throw std::runtime_error("the server said: " + line);
  return std::stoi(line.substr(colon + 10));
}

std::string Base64Url(const std::string& text) {
  std::string b = Base64Encode(text);
  for (char& c : b) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!b.empty() && b.back() == '=') b.pop_back();
  return b;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteAll(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::vector<std::string> FilesBelow(const std::string& dir) {
  std::vector<std::string> files;
  if (!fs::exists(dir)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), dir).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void CopyTree(const std::string& from, const std::string& to) {
  fs::copy(from, to, fs::copy_options::recursive);
}

void RemoveAll(const std::string& path) { fs::remove_all(path); }

char FileKind(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return '-';
  if (S_ISREG(st.st_mode)) return 'f';
  if (S_ISDIR(st.st_mode)) return 'd';
  if (S_ISLNK(st.st_mode)) return 'l';
  if (S_ISCHR(st.st_mode)) return 'c';
  if (S_ISBLK(st.st_mode)) return 'b';
  if (S_ISFIFO(st.st_mode)) return 'p';
  if (S_ISSOCK(st.st_mode)) return 's';
  return '?';
}

bool MakeCharDevice(const std::string& path, unsigned major, unsigned minor) {
  return ::mknod(path.c_str(), S_IFCHR | 0666, makedev(major, minor)) == 0;
}

ExpectedIssue LoadExpected(const std::string& stem) {
  std::istringstream in(ReadAll(TestDataDir() + "/expected/" + stem + ".expected"));
  ExpectedIssue e;
  for (std::string line; std::getline(in, line);) {
    const size_t space = line.find(' ');
    const std::string key = line.substr(0, space);
    const std::string value = space == std::string::npos ? "" : line.substr(space + 1);
    if (key == "publication") e.publication = value;
    else if (key == "volume") e.volume = std::stoi(value);
    else if (key == "issue") e.issue = std::stoi(value);
    else if (key == "date") e.date = value;
    else if (key == "warning") e.transcoded = true;
    else if (key == "headline") e.headlines.push_back(value), e.blocks.push_back("# " + value);
    else if (key == "paragraph") e.paragraphs.push_back(value), e.blocks.push_back(value);
    else if (!key.empty()) throw std::runtime_error("unknown key in " + stem + ": " + key);
  }
  return e;
}

const TemplateSet& BundledTemplates() {
  static const TemplateSet templates = TemplateSet::Load(SourceDir() + "/templates");
  return templates;
}

Document ReadEdition(const std::string& input, const std::string& templates_dir) {
  static const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
  const TemplateSet& bundled = BundledTemplates();
  Document doc = ReadRawIssue(ReadAll(input), input);
  if (templates_dir.empty()) {
    ApplyRights(policy, bundled, &doc);
  } else {
    ApplyRights(policy, TemplateSet::Load(templates_dir), &doc);
  }
  return doc;
}

static std::vector<std::string> LegacyFooterParagraphs(const std::string& input) {
  // Raw test files are UTF-8 or Windows-1252; the footer's wording is ASCII.
  std::string text;
  for (const char c : ReadAll(input)) {
    if (c == '\n' && !text.empty() && text.back() == '\r') {
      text.back() = '\n';
    } else {
      text.push_back(c == '\r' ? '\n' : c);
    }
  }
  std::vector<std::string> paragraphs;
  std::istringstream in(text);
  std::string current;
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(" \t") == std::string::npos) {
      if (!current.empty()) paragraphs.push_back(current);
      current.clear();
    } else {
      current += (current.empty() ? "" : " ") + line;
    }
  }
  if (!current.empty()) paragraphs.push_back(current);
  for (size_t i = 0; i < paragraphs.size(); ++i) {
    std::string lower = paragraphs[i];
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.find("is a publication of the jamestown foundation") != std::string::npos) {
      return std::vector<std::string>(paragraphs.begin() + i, paragraphs.end());
    }
  }
  return {};
}

std::vector<std::string> LegacyOnlySentences(const std::string& input,
                                             const std::vector<std::string>& canonical_footer) {
  std::string canonical;
  for (const std::string& p : canonical_footer) canonical += p + " ";
  std::vector<std::string> sentences;
  for (const std::string& paragraph : LegacyFooterParagraphs(input)) {
    size_t start = 0;
    while (start < paragraph.size()) {
      size_t end = paragraph.find(". ", start);
      end = end == std::string::npos ? paragraph.size() : end + 1;
      std::string sentence = paragraph.substr(start, end - start);
      while (!sentence.empty() && sentence.front() == ' ') sentence.erase(0, 1);
      while (!sentence.empty() && (sentence.back() == ' ' || sentence.back() == '\r')) sentence.pop_back();
      if (sentence.size() >= 12 && canonical.find(sentence) == std::string::npos) {
        sentences.push_back(sentence);
      }
      start = end;
    }
  }
  return sentences;
}

void ExpectNoLegacyFooter(const std::string& input, const std::vector<std::string>& canonical_footer,
                          const std::string& text) {
  const auto legacy = LegacyOnlySentences(input, canonical_footer);
  BOOST_TEST(!legacy.empty(), input << " has no legacy footer to look for");
  for (const std::string& sentence : legacy) BOOST_TEST(text.find(sentence) == std::string::npos, sentence);
}

std::vector<std::string> HtmlTexts(const std::string& html, const std::string& xpath) {
  htmlDocPtr doc = htmlReadMemory(html.data(), static_cast<int>(html.size()), nullptr, "UTF-8",
                                  HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
  return EvalTexts(doc, xpath, false);
}

std::vector<std::string> XmlTexts(const std::string& xml, const std::string& xpath) {
  xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, "UTF-8",
                                XML_PARSE_NONET);
  return EvalTexts(doc, xpath, true);
}

std::map<std::string, std::string> Unzip(const std::string& bytes) {
  std::istringstream in(bytes);
  const Poco::Zip::ZipArchive archive(in);
  std::map<std::string, std::string> entries;
  for (auto it = archive.headerBegin(); it != archive.headerEnd(); ++it) {
    std::istringstream again(bytes);
    Poco::Zip::ZipInputStream entry(again, it->second);
    std::string content;
    Poco::StreamCopier::copyToString(entry, content);
    entries[it->first] = content;
  }
  return entries;
}

ProcessResult EpubCheck(const std::vector<std::string>& books) {
  std::vector<std::string> args = {"-cp", "/usr/share/java/epubcheck.jar",
                                   SourceDir() + "/tests/tools/EpubCheckBatch.java"};
  args.insert(args.end(), books.begin(), books.end());
  return Run("/usr/bin/java", args);
}

std::string CollapseSpace(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string StripFrontMatter(const std::string& markdown) {
  if (markdown.rfind("---\n", 0) != 0) return markdown;
  const size_t end = markdown.find("\n---\n", 3);
  return end == std::string::npos ? markdown : markdown.substr(end + 5);
}

std::string RenderGfm(const std::string& markdown) {
  cmark_gfm_core_extensions_ensure_registered();
  cmark_parser* parser = cmark_parser_new(CMARK_OPT_DEFAULT);
  for (const char* name : {"table", "strikethrough", "autolink"}) {
    cmark_parser_attach_syntax_extension(parser, cmark_find_syntax_extension(name));
  }
  cmark_parser_feed(parser, markdown.data(), markdown.size());
  cmark_node* doc = cmark_parser_finish(parser);
  char* html = cmark_render_html(doc, CMARK_OPT_UNSAFE, cmark_parser_get_syntax_extensions(parser));
  std::string out(html);
  free(html);
  cmark_node_free(doc);
  cmark_parser_free(parser);
  return out;
}

std::pair<int, long> ExitAndPeakMemory(const std::string& keys, const std::vector<std::string>& args) {
  std::vector<std::string> all = {"/usr/bin/env", "IMPRINT_KEYS=" + keys, ImprintBin()};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  BOOST_REQUIRE_EQUAL(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  struct rusage usage {};
  BOOST_REQUIRE_EQUAL(wait4(pid, &status, 0, &usage), pid);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, usage.ru_maxrss * 1024L};
}

}  // namespace imprint::testing
