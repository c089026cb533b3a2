// The keystore on a real folder: permissions, refusal to overwrite, rotation
// and revocation.
#define BOOST_TEST_MODULE keystore
#include "pipeline/signing/keystore.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "pipeline/base/error.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

mode_t Mode(const std::string& path) {
  struct stat st;
  BOOST_REQUIRE(stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

BOOST_AUTO_TEST_CASE(init_makes_owner_only_files_and_refuses_to_overwrite) {
  TempDir dir;
  Keystore keystore(dir / "keys");
  const KeyEntry key = keystore.Init(false);
  BOOST_TEST(Mode(dir / "keys") == 0700u);
  BOOST_TEST(Mode(dir / ("keys/" + key.key.IdText() + ".key")) == 0600u);
  BOOST_TEST(Mode(dir / "keys/keyring.json") == 0600u);
  BOOST_CHECK_THROW(keystore.Init(false), Error);
  const SigningKey signing = keystore.LoadSigningKey();
  BOOST_TEST(signing.key.id == key.key.id);
  BOOST_TEST(signing.signer.public_key() == key.key.key);
}

BOOST_AUTO_TEST_CASE(secret_readable_by_others_is_refused) {
  TempDir dir;
  Keystore keystore(dir.path());
  const KeyEntry key = keystore.Init(false);
  chmod((dir / (key.key.IdText() + ".key")).c_str(), 0644);
  BOOST_CHECK_THROW(keystore.LoadSigningKey(), Error);
}

BOOST_AUTO_TEST_CASE(rotation_keeps_old_public_keys_and_drops_old_secrets) {
  TempDir dir;
  Keystore keystore(dir.path());
  const KeyEntry first = keystore.Init(true);
  const KeyEntry second = keystore.Rotate();
  const auto keys = keystore.Keys();
  BOOST_REQUIRE_EQUAL(keys.size(), 2u);
  BOOST_TEST(keys[0].key.id == first.key.id);
  BOOST_TEST((keys[0].status == KeyStatus::kRetired));
  BOOST_TEST((keys[1].status == KeyStatus::kCurrent));
  BOOST_TEST(keystore.LoadSigningKey().key.id == second.key.id);
  BOOST_TEST(FilesBelow(dir.path()) ==
                 (std::vector<std::string>{second.key.IdText() + ".key", "keyring.json"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(revocation_records_the_reason) {
  TempDir dir;
  Keystore keystore(dir.path());
  const KeyEntry first = keystore.Init(false);
  keystore.Rotate();
  const KeyEntry revoked = keystore.Revoke(first.key.IdText(), "laptop stolen");
  BOOST_TEST((revoked.status == KeyStatus::kRevoked));
  BOOST_TEST(keystore.Keys()[0].reason == "laptop stolen");
  BOOST_CHECK_THROW(keystore.Revoke("0123ABCD", ""), Error);
  BOOST_CHECK_THROW(keystore.Revoke("not-hex", ""), Error);
  // Revoking the current key leaves nothing to sign with.
  keystore.Revoke(keystore.Keys()[1].key.IdText(), "");
  BOOST_CHECK_THROW(keystore.LoadSigningKey(), Error);
}

BOOST_AUTO_TEST_CASE(exported_keys_and_trusted_keys) {
  TempDir dir;
  Keystore keystore(dir / "keys");
  const KeyEntry first = keystore.Init(false);
  const KeyEntry second = keystore.Rotate();
  keystore.Revoke(first.key.IdText(), "compromised");
  keystore.ExportPublicKeys(dir / "out");
  BOOST_TEST(ReadAll(dir / "out/keys/imprint.pub") == FormatPublicKey(second.key));
  const TrustedKeys trusted = LoadTrustedKeys({dir / "out/keys/keyring.json"});
  BOOST_TEST(trusted.Usable().size() == 1u);
  BOOST_TEST(trusted.Find(first.key.id)->reason == "compromised");
  // A revocation in a keyring wins over the same key given as a .pub file.
  WriteAll(dir / "first.pub", FormatPublicKey(first.key));
  const TrustedKeys both = LoadTrustedKeys({dir / "first.pub", dir / "out/keys/keyring.json"});
  BOOST_TEST((both.Find(first.key.id)->status == KeyStatus::kRevoked));
  BOOST_CHECK_THROW(LoadTrustedKeys({dir / "out/keys/imprint.pub.missing"}), Error);
}

// Statuses are typed; keyring.json spells them, and only those three.
BOOST_AUTO_TEST_CASE(key_statuses_have_one_spelling_both_ways) {
  for (KeyStatus s : {KeyStatus::kCurrent, KeyStatus::kRetired, KeyStatus::kRevoked}) {
    BOOST_TEST((ParseKeyStatus(ToString(s)) == s), ToString(s));
  }
  BOOST_TEST(std::string(ToString(KeyStatus::kCurrent)) == "current");
  BOOST_TEST(std::string(ToString(KeyStatus::kRetired)) == "retired");
  BOOST_TEST(std::string(ToString(KeyStatus::kRevoked)) == "revoked");
  for (const char* other : {"", "Current", "revoked ", "active", "unknown"}) {
    BOOST_TEST(!ParseKeyStatus(other).has_value(), other);
  }
}

// A keyring whose key has a status Imprint never writes is refused, rather
// than its key trusted as if retired.
BOOST_AUTO_TEST_CASE(a_keyring_with_an_unknown_status_is_refused) {
  TempDir dir;
  Keystore keystore(dir / "keys");
  keystore.Init(true);
  std::string json = KeyringJson(keystore.Keys());
  BOOST_TEST(ParseKeyringJson(json, "k.json").size() == 1u);
  json.replace(json.find("\"current\""), 9, "\"\\u001b[2J\"");  // a terminal escape, not echoed
  try {
    ParseKeyringJson(json, "k.json");
    BOOST_FAIL("an unknown status was accepted");
  } catch (const Error& e) {
    BOOST_TEST(e.diagnostic().ToString().find("k.json: error: not a valid keyring: key ") == 0u, e.diagnostic().ToString());
    BOOST_TEST(e.diagnostic().message.find("has a status other than current, retired or revoked") != std::string::npos);
    BOOST_TEST(e.diagnostic().message.find('\x1b') == std::string::npos);
  }
}

// ---- crashes and failed writes during rotation and revocation ---------------
// The keystore must stay usable whatever moment a rotation or revocation dies
// at: a keyring whose current key has its secret, nothing secret readable by
// others. Rotation once deleted the old secret before it wrote the keyring.

const std::string kGoodInput = "/samples/archive/monitor-v05-i077.txt";

std::vector<std::string> WithKeys(const std::string& keys, std::vector<std::string> args) {
  args.insert(args.begin(), {"/usr/bin/env", "IMPRINT_KEYS=" + keys, ImprintBin()});
  return args;
}

// The keystore is usable: `keys list` works, `imprint build` signs with the
// current key, whose secret exists, and no file in it is open to others.
void ExpectUsable(const std::string& keys, const std::string& scratch) {
  const BoundedResult list = RunWithin(WithKeys(keys, {"keys", "list"}), 30);
  BOOST_REQUIRE_MESSAGE(list.exit_code == 0, "keys list: " << list.err);
  const size_t at = list.out.find("  current");
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, "no current key in: " << list.out);
  const size_t line_end = list.out.rfind('\n', at);
  const size_t from = line_end == std::string::npos ? 0 : line_end + 1;
  const std::string current = list.out.substr(from, at - from);
  BOOST_TEST(std::filesystem::exists(keys + "/" + current + ".key"), current);
  RemoveAll(scratch);
  const BoundedResult build =
      RunWithin(WithKeys(keys, {"build", "--out", scratch, SourceDir() + kGoodInput}), 60);
  BOOST_REQUIRE_MESSAGE(build.exit_code == 0, "build: " << build.err);
  const std::string manifest = ReadAll(scratch + "/monitor/v05/i077/manifest.json");
  BOOST_TEST(manifest.find(current) != std::string::npos, "not signed with " << current);
  BOOST_TEST(Mode(keys) == 0700u);
  for (const std::string& f : FilesBelow(keys)) BOOST_TEST((Mode(keys + "/" + f) & 077) == 0u, f);
}

// The 1-key keyring's size, as a file-size limit: the new secret (smaller)
// can still be written, a keyring with one more key or a reason cannot.
long KeyringLimit(const std::string& keys) { return static_cast<long>(ReadAll(keys + "/keyring.json").size()) + 8; }

BOOST_AUTO_TEST_CASE(a_failed_keyring_write_during_rotation_keeps_the_current_key_usable) {
  TempDir dir;
  Keystore keystore(dir / "keys");
  const KeyEntry first = keystore.Init(false);
  const BoundedResult r = RunWithin(WithKeys(dir / "keys", {"keys", "rotate"}), 30, KeyringLimit(dir / "keys"));
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find(dir / "keys/keyring.json: error: ") != std::string::npos, r.err);
  BOOST_TEST(keystore.LoadSigningKey().key.id == first.key.id);
  ExpectUsable(dir / "keys", dir / "out");
  // Nothing of the failed attempt is left: no orphaned secret.
  BOOST_TEST(FilesBelow(dir / "keys") ==
                 (std::vector<std::string>{first.key.IdText() + ".key", "keyring.json"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_failed_keyring_write_during_revocation_keeps_the_current_key_usable) {
  TempDir dir;
  Keystore keystore(dir / "keys");
  const KeyEntry first = keystore.Init(false);
  const BoundedResult r =
      RunWithin(WithKeys(dir / "keys", {"keys", "revoke", first.key.IdText(), "--reason",
                                        "a reason long enough not to fit in the file-size limit"}),
                30, KeyringLimit(dir / "keys"));
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find(dir / "keys/keyring.json: error: ") != std::string::npos, r.err);
  BOOST_TEST((keystore.Keys()[0].status == KeyStatus::kCurrent));
  ExpectUsable(dir / "keys", dir / "out");
}

// `imprint keys rotate` started with IMPRINT_KEYS=keys, output discarded.
pid_t StartRotation(const std::string& keys) {
  const std::vector<std::string> argv = WithKeys(keys, {"keys", "rotate"});
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_WRONLY);  // not freopen: it would flush the parent's buffered output
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

BOOST_AUTO_TEST_CASE(a_killed_rotation_leaves_a_usable_keystore) {
  TempDir dir;
  Keystore(dir / "keys").Init(false);
  // How long a whole rotation takes here; kills fall anywhere in it.
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  waitpid(StartRotation(dir / "keys"), &status, 0);
  BOOST_REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const auto whole = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  std::mt19937 rng(20261129);
  int killed = 0;
  for (int round = 0; round < 30; ++round) {
    const pid_t child = StartRotation(dir / "keys");
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % (whole.count() * 5 / 4 + 1)));
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    killed += WIFSIGNALED(status) ? 1 : 0;
    BOOST_TEST_CONTEXT("round " << round) { ExpectUsable(dir / "keys", dir / "out"); }
  }
  BOOST_TEST_MESSAGE(killed << " of 30 rotations killed part-way (a whole one takes " << whole.count() << " us)");
  // A rotation that finishes clears what the killed ones left: one secret.
  BOOST_REQUIRE_EQUAL(RunWithin(WithKeys(dir / "keys", {"keys", "rotate"}), 30).exit_code, 0);
  const std::string current = Keystore(dir / "keys").LoadSigningKey().key.IdText();
  BOOST_TEST(FilesBelow(dir / "keys") == (std::vector<std::string>{current + ".key", "keyring.json"}),
             boost::test_tools::per_element());
}

// Deterministic: strace kills a key command on entering its N-th call that
// writes, syncs, renames, removes or changes a mode, for every N. (strace
// counts each system call apart, so the N-th call overall is named as the
// K-th call of its kind.)
const std::string kChangingCalls =
    "write,fsync,fdatasync,rename,renameat,renameat2,unlink,unlinkat,chmod,fchmod,fchmodat";

struct Call {
  std::string name;
  int nth = 0;  // of its name
};

// The changing calls `argv` makes when it runs to the end (it must).
std::vector<Call> ChangingCalls(const std::vector<std::string>& argv, const std::string& trace_file) {
  // LeakSanitizer cannot run under ptrace: the sanitizer build's child runs without it.
  std::vector<std::string> all = {"/usr/bin/strace", "-qq", "-E", "ASAN_OPTIONS=detect_leaks=0", "-o", trace_file,
                                  "-e", "trace=" + kChangingCalls};
  all.insert(all.end(), argv.begin(), argv.end());
  const BoundedResult r = RunWithin(all, 30);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "strace is needed (scripts/setup installs it): " << r.err);
  std::vector<Call> calls;
  std::map<std::string, int> seen;
  std::istringstream trace(ReadAll(trace_file));
  for (std::string line; std::getline(trace, line);) {
    const size_t paren = line.find('(');
    if (paren == std::string::npos || line.compare(0, 1, "<") == 0 || line.compare(0, 3, "---") == 0) continue;
    const std::string name = line.substr(0, paren);
    calls.push_back({name, ++seen[name]});
  }
  return calls;
}

void KillAtCall(const std::vector<std::string>& argv, const Call& call) {
  std::vector<std::string> all = {"/usr/bin/strace", "-qq", "-E", "ASAN_OPTIONS=detect_leaks=0", "-o", "/dev/null",
                                  "-e", "trace=" + call.name,
                                  "-e", "inject=" + call.name + ":signal=KILL:when=" + std::to_string(call.nth)};
  all.insert(all.end(), argv.begin(), argv.end());
  RunWithin(all, 30);
}

BOOST_AUTO_TEST_CASE(a_rotation_killed_before_each_system_call_leaves_a_usable_keystore) {
  TempDir dir;
  Keystore(dir / "keys").Init(false);
  const std::vector<std::string> rotate = WithKeys(dir / "keys", {"keys", "rotate"});
  const std::vector<Call> calls = ChangingCalls(rotate, dir / "trace");
  BOOST_REQUIRE_GE(calls.size(), 4u);
  for (const Call& call : calls) {
    KillAtCall(rotate, call);
    BOOST_TEST_CONTEXT("killed entering " << call.name << " #" << call.nth) { ExpectUsable(dir / "keys", dir / "out"); }
  }
}

// Revoking the current key, killed anywhere: the key is still current with
// its secret (the keystore builds), or revoked (and builds are refused);
// never current without a secret. A later rotation leaves one secret.
BOOST_AUTO_TEST_CASE(a_revocation_killed_before_each_system_call_leaves_the_key_current_or_revoked) {
  TempDir dir;
  Keystore(dir / "counting").Init(false);
  const std::string counting_id = Keystore(dir / "counting").Keys()[0].key.IdText();
  const std::vector<Call> calls =
      ChangingCalls(WithKeys(dir / "counting", {"keys", "revoke", counting_id, "--reason", "test"}), dir / "trace");
  BOOST_REQUIRE_GE(calls.size(), 2u);
  for (size_t n = 0; n < calls.size(); ++n) {
    BOOST_TEST_CONTEXT("killed entering " << calls[n].name << " #" << calls[n].nth) {
      const std::string keys = dir / ("keys" + std::to_string(n));
      const KeyEntry key = Keystore(keys).Init(false);
      KillAtCall(WithKeys(keys, {"keys", "revoke", key.key.IdText(), "--reason", "test"}), calls[n]);
      const KeyStatus status = Keystore(keys).Keys()[0].status;
      if (status == KeyStatus::kCurrent) {
        ExpectUsable(keys, dir / "out");
      } else {
        BOOST_TEST((status == KeyStatus::kRevoked));
        const BoundedResult build =
            RunWithin(WithKeys(keys, {"build", "--out", dir / "out", SourceDir() + kGoodInput}), 60);
        BOOST_TEST(build.err.find("no current signing key") != std::string::npos, build.err);
        for (const std::string& f : FilesBelow(keys)) BOOST_TEST((Mode(keys + "/" + f) & 077) == 0u, f);
      }
      BOOST_REQUIRE_EQUAL(RunWithin(WithKeys(keys, {"keys", "rotate"}), 30).exit_code, 0);
      const std::string current = Keystore(keys).LoadSigningKey().key.IdText();
      BOOST_TEST(FilesBelow(keys) == (std::vector<std::string>{current + ".key", "keyring.json"}),
                 boost::test_tools::per_element());
    }
  }
}

}  // namespace
}  // namespace imprint
