// imprint-bench: Imprint's full build against pandoc on the same generated
// corpus, in the same run, both using every core.
//
//   build/imprint-bench [--issues N] [--pandoc-issues M] [--jobs J] [--dir DIR] [--corpus-only]
//
// Generates N synthetic raw issues (bench/corpus.h), times `imprint build`
// (Markdown, HTML, EPUB, signatures and manifests for each) and a no-op
// rebuild, then times pandoc turning the same issues' Markdown into HTML and
// EPUB (one process per issue and format, J at a time) over the first M
// issues, since pandoc at ~16 issues/s per core would take many minutes over
// the whole corpus. Prints issues/s for each, their ratio, and Imprint's peak
// memory. Not a test: figures, for the README.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bench/corpus.h"

namespace {

namespace fs = std::filesystem;

struct Timed {
  int status = -1;
  double seconds = 0;
  long peak_kb = 0;
};

// Runs argv with `env` added, output to /dev/null; wall time and peak memory.
Timed RunTimed(const std::vector<std::string>& argv, const std::vector<std::string>& env = {}) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::fflush(stdout);  // or the child would write our buffer again
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    for (const std::string& e : env) putenv(const_cast<char*>(e.c_str()));
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    execvp(args[0], args.data());
    _exit(127);
  }
  Timed t;
  struct rusage usage {};
  wait4(pid, &t.status, 0, &usage);
  t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  t.peak_kb = usage.ru_maxrss;
  return t;
}

std::string Arg(int argc, char** argv, const char* name, const char* fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return fallback;
}

bool HaveProgram(const char* name) {
  return RunTimed({"sh", "-c", std::string("command -v ") + name}).status == 0;
}

// pandoc on the first `m` issues of the corpus' Markdown, to HTML and EPUB,
// on `jobs` threads: issues a second.
double PandocRate(const std::string& work, int m, int jobs) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(work + "/corpus/md")) names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  names.resize(m);
  fs::create_directories(work + "/pandoc");
  std::atomic<int> next{0}, failures{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < jobs; ++t) {
    pool.emplace_back([&] {
      for (int i; (i = next++) < m;) {
        const std::string in = work + "/corpus/md/" + names[i] + ".md";
        const std::string out = work + "/pandoc/" + names[i];
        failures += RunTimed({"pandoc", "-s", "-f", "markdown", "-t", "html5", "-o", out + ".html", in}).status != 0;
        failures += RunTimed({"pandoc", "-f", "markdown", "-t", "epub3", "-o", out + ".epub", in}).status != 0;
      }
    });
  }
  for (std::thread& t : pool) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("pandoc md->html+epub: %7.2f s  %8.1f issues/s  (%d issues, %d failures)\n", seconds, m / seconds, m,
              failures.load());
  return m / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  const int issues = std::atoi(Arg(argc, argv, "--issues", "10000").c_str());
  const int pandoc_issues = std::atoi(Arg(argc, argv, "--pandoc-issues", "200").c_str());
  const int jobs = std::atoi(
      Arg(argc, argv, "--jobs", std::to_string(std::max(1u, std::thread::hardware_concurrency())).c_str()).c_str());
  const std::string dir = Arg(argc, argv, "--dir", "");
  const std::string work = dir.empty() ? (fs::temp_directory_path() / ("imprint-bench-" + std::to_string(getpid()))).string() : dir;
  const std::string imprint = (fs::path(argv[0]).parent_path() / "imprint").string();

  fs::remove_all(work);
  std::printf("corpus: generating %d issues in %s\n", issues, work.c_str());
  const uint64_t bytes = imprint::bench::WriteCorpus(work + "/corpus", issues, 1);
  std::printf("corpus: %d issues, %.1f KB each on average; %d jobs on %u cores\n", issues,
              bytes / 1024.0 / issues, jobs, std::thread::hardware_concurrency());
  // --corpus-only: the corpus in DIR/corpus for another script (bench/search).
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--corpus-only") == 0) return 0;
  }

  const std::string keys = "IMPRINT_KEYS=" + work + "/keys";
  RunTimed({imprint, "keys", "init", "--dev"}, {keys});
  const std::vector<std::string> build = {imprint, "build", "--jobs", std::to_string(jobs), "--out",
                                          work + "/out", work + "/corpus/raw"};
  const Timed full = RunTimed(build, {keys});
  if (full.status != 0) {
    std::fprintf(stderr, "imprint build failed (status %d)\n", full.status);
    return 1;
  }
  const Timed noop = RunTimed(build, {keys});
  const double imprint_rate = issues / full.seconds;
  std::printf("imprint full build:   %7.2f s  %8.0f issues/s  peak memory %.0f MB\n", full.seconds,
              imprint_rate, full.peak_kb / 1024.0);
  std::printf("imprint no-op build:  %7.2f s  (%.1f%% of the full build)\n", noop.seconds,
              100.0 * noop.seconds / full.seconds);

  if (!HaveProgram("pandoc")) {
    std::printf("pandoc: not installed (apt-get install pandoc); no comparison\n");
    return 0;
  }
  const double pandoc_rate = PandocRate(work, std::min(pandoc_issues, issues), jobs);
  std::printf("ratio: imprint is %.0fx pandoc's issues/s\n", imprint_rate / pandoc_rate);
  if (dir.empty()) fs::remove_all(work);
  return 0;
}
