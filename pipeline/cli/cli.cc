#include "pipeline/cli/cli.h"

#include <Poco/Util/HelpFormatter.h>

#include <sstream>

#include "pipeline/cli/cli_support.h"

namespace imprint {
namespace {

using cli::Args;
using cli::Command;
using cli::OptionSet;
using cli::UsageError;

// Every subcommand, in the order `imprint --help` lists them.
const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = [] {
    std::vector<Command> all;
    cli::AddEditionCommands(&all);
    cli::AddWithdrawCommands(&all);
    cli::AddKeyCommands(&all);
    cli::AddLicenseCommands(&all);
    cli::AddAuditCommands(&all);
    cli::AddServeCommands(&all);
    cli::AddSearchCommands(&all);
    cli::AddReportCommands(&all);
    return all;
  }();
  return commands;
}

// Poco's HelpFormatter::format() opens with a "usage:" line of its own; the
// command's synopsis is printed already, so only the options are taken.
class OptionsFormatter : public Poco::Util::HelpFormatter {
 public:
  using HelpFormatter::HelpFormatter;
  void FormatOptions(std::ostream& out) const { formatOptions(out); }
};

void PrintCommandHelp(const Command& command, const OptionSet& set, std::ostream& out) {
  out << "Usage: imprint " << command.synopsis << "\n\n" << command.description << "\n\n";
  std::ostringstream options;
  OptionsFormatter formatter(set);
  formatter.setUnixStyle(true);
  formatter.setIndent(4);
  formatter.setWidth(80);
  formatter.FormatOptions(options);
  out << "Options:\n" << options.str() << "\nExample:\n  " << command.example << "\n";
}

void PrintHelp(std::ostream& out) {
  out << "imprint " << IMPRINT_VERSION
      << ": the Jamestown Foundation's publishing and copyright-compliance pipeline.\n\n"
         "Usage: imprint COMMAND [OPTIONS] ARGS...\n\nCommands:\n";
  for (const Command& c : Commands()) {
    out << "  " << c.name << std::string(c.name.size() < 16 ? 16 - c.name.size() : 1, ' ')
        << c.summary << "\n";
  }
  out << "\nRun 'imprint COMMAND --help' for a command's options.\n"
         "Exit status: 0 ok, 1 the work failed, 2 usage error.\n\n"
         "Example:\n  imprint build --out output samples/archive\n";
}

}  // namespace

int RunCommandLine(const std::vector<std::string>& args, std::ostream& out,
                   std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintHelp(args.empty() ? err : out);
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] == "--version") {
    out << "imprint " << IMPRINT_VERSION << "\n";
    return kExitOk;
  }
  // The longest command whose words start the arguments.
  const Command* command = nullptr;
  size_t words = 0;
  for (const Command& c : Commands()) {
    std::istringstream in(c.name);
    size_t n = 0;
    bool match = true;
    for (std::string word; match && in >> word; ++n) {
      match = n < args.size() && args[n] == word;
    }
    if (match && n > words) command = &c, words = n;
  }
  if (command == nullptr) {
    err << "imprint: unknown command '" << args[0] << "'; see 'imprint --help'\n";
    return kExitUsage;
  }
  OptionSet set;
  cli::AddCommonOptions(set);
  command->options(set);
  try {
    const Args parsed = cli::Parse(set, std::vector<std::string>(args.begin() + words, args.end()));
    if (parsed.Has("help")) {
      PrintCommandHelp(*command, set, out);
      return kExitOk;
    }
    return command->run(parsed, out, err);
  } catch (const UsageError& e) {
    err << "imprint " << command->name << ": " << e.what() << "\n"
        << "Usage: imprint " << command->synopsis << "\n";
    return kExitUsage;
  } catch (const Error& e) {
    cli::PrintDiagnostic(e.diagnostic(), err);
    return kExitFailure;
  } catch (const std::exception& e) {
    // Last resort: units translate their libraries' exceptions into Error;
    // what is left is the standard library's (std::bad_alloc, a
    // std::filesystem::filesystem_error naming its path).
    err << "imprint " << command->name << ": " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace imprint
