// Internal to the command line (pipeline/cli*.cc): parsed arguments, the
// table entry of a subcommand, and the helpers the subcommands share (option
// sets, resource folders, the keystore and store a command uses). Not a
// public interface of the pipeline; main() sees only cli.h.
#ifndef IMPRINT_PIPELINE_CLI_CLI_SUPPORT_H_
#define IMPRINT_PIPELINE_CLI_CLI_SUPPORT_H_

#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/cli/cli.h"
#include "pipeline/base/clock.h"  // Now()
#include "pipeline/base/error.h"
#include "pipeline/signing/keystore.h"
#include "pipeline/license/license_store.h"

namespace imprint::cli {

using Poco::Util::Option;
using Poco::Util::OptionSet;

// A mistake in the command line: exit status 2 and the usage line.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Args {
  std::map<std::string, std::vector<std::string>> values;  // by full option name
  std::vector<std::string> positional;
  bool Has(const std::string& name) const { return values.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second.back();
  }
  std::vector<std::string> GetAll(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? std::vector<std::string>{} : it->second;
  }
};

// One subcommand: its words, what it is for, and how to run it.
struct Command {
  std::string name;      // "build", "rights check"
  std::string synopsis;  // the usage line after "imprint "
  std::string summary;   // one line for `imprint --help`
  std::string description;
  std::string example;
  std::function<void(OptionSet&)> options;
  std::function<int(const Args&, std::ostream&, std::ostream&)> run;
};

// Each file of subcommands adds its table entries.
void AddEditionCommands(std::vector<Command>* commands);  // build, publish, catalog, verify, rights check
void AddWithdrawCommands(std::vector<Command>* commands); // withdraw
void AddKeyCommands(std::vector<Command>* commands);      // keys ...
void AddLicenseCommands(std::vector<Command>* commands);  // license ...
void AddAuditCommands(std::vector<Command>* commands);    // audit, audit verify, trace
// `trace --text FILE|-` (cli_trace_text.cc): exit 0 naming one license,
// kExitNoMark when no license's marks are in the text, kExitAmbiguous when
// several licenses' are.
inline constexpr int kExitNoMark = 3;
inline constexpr int kExitAmbiguous = 4;
int RunTraceText(const Args& args, std::ostream& out, std::ostream& err);
void AddServeCommands(std::vector<Command>* commands);    // serve
void AddSearchCommands(std::vector<Command>* commands);   // search
void AddReportCommands(std::vector<Command>* commands);   // report, admin passwd

// Brings DIR/.imprint/search.db in line with the signed catalog just written
// (search_index.h): says so on `out`, any problem on `err`; false when any.
bool UpdateSearchIndex(const std::string& out_dir, const TrustedKeys& trusted, std::ostream& out,
                       std::ostream& err);

Option ValueOption(const std::string& name, const std::string& shortName, const std::string& description,
                   const std::string& arg);
void AddCommonOptions(OptionSet& set);
void AddResourceOptions(OptionSet& set);
void AddDbOption(OptionSet& set);
void AddPubkeyOption(OptionSet& set);
Args Parse(const OptionSet& set, const std::vector<std::string>& args);

std::string RightsDir(const Args& args);
std::string TemplatesDir(const Args& args);
std::string Required(const Args& args, const std::string& option);
int PositiveInt(const Args& args, const std::string& option, int fallback);
std::vector<std::string> FilesIn(const std::string& dir);
void PrintDiagnostic(const Diagnostic& d, std::ostream& err);

// A file the user names for output (--out FILE, --report FILE): "-" is
// standard output, anything else a file written by WriteFileAtomic's rules
// (pipeline/base/file_system.h). CheckWritable refuses, before a command changes
// anything, a destination the write would refuse (a folder, a dangling link)
// or an empty one (a usage error); no error when the option is not given.
inline constexpr char kStandardOutput[] = "-";
void CheckWritable(const Args& args, const std::string& option);
void WriteTo(const std::string& destination, const std::string& bytes, std::ostream& out);

// The keystore a command signs with; a development key is made when there
// is none, and the keystore may never sit inside the output.
Keystore BuildKeystore(const std::string& out_dir, std::ostream& err);
// The store named by --db, else the SQLite file beside `out_dir`.
std::unique_ptr<LicenseStore> OpenStore(const Args& args, const std::string& out_dir = "output");
// --editions DIR, the output folder of the commands that do not write it (the
// license and audit commands): the keystore must be outside it and the store
// is by default beside it. "output" when not given; "-" is a usage error.
void AddEditionsOption(OptionSet& set);
std::string EditionsDir(const Args& args);
// `commands` each with --editions DIR added to its options.
void WithEditionsOption(std::vector<Command>* commands);
// The keys a license or edition is checked against: --pubkey files, else the
// keystore's keyring.
TrustedKeys TrustedFrom(const Args& args);

}  // namespace imprint::cli

#endif  // IMPRINT_PIPELINE_CLI_CLI_SUPPORT_H_
