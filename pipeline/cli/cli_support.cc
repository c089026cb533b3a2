#include "pipeline/cli/cli_support.h"

#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionProcessor.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <time.h>

#include "pipeline/base/file_system.h"

namespace imprint::cli {
namespace fs = std::filesystem;

namespace {

std::string ResourceDir(const Args& args, const std::string& option, const char* env, const std::string& subdir) {
  if (args.Has(option)) return args.Get(option);
  if (const char* value = std::getenv(env); value != nullptr && *value != '\0') return value;
  return std::string(IMPRINT_SOURCE_DIR) + "/" + subdir;
}

}  // namespace

Option ValueOption(const std::string& name, const std::string& shortName,
                   const std::string& description, const std::string& arg) {
  return Option(name, shortName, description).required(false).repeatable(false).argument(arg);
}

void AddCommonOptions(OptionSet& set) {
  set.addOption(Option("help", "h", "show this help and exit").required(false).repeatable(false));
}

void AddResourceOptions(OptionSet& set) {
  set.addOption(ValueOption("templates", "", "templates folder (default: $IMPRINT_TEMPLATES, "
                            "else the project's templates/)", "DIR"));
  set.addOption(ValueOption("rights", "", "rights policy folder (default: $IMPRINT_RIGHTS, "
                            "else the project's rights/)", "DIR"));
}

Args Parse(const OptionSet& set, const std::vector<std::string>& args) {
  Args parsed;
  Poco::Util::OptionProcessor processor(set);
  processor.setUnixStyle(true);
  bool only_positional = false;
  bool awaiting_value = false;  // the option before takes this argument ("--out -")
  try {
    for (const std::string& arg : args) {
      std::string name, value;
      if (only_positional || (arg == "-" && !awaiting_value) || !processor.process(arg, name, value)) {
        parsed.positional.push_back(arg);
        continue;
      }
      if (arg == "--") only_positional = true;
      awaiting_value = name.empty() && arg != "--";
      if (!name.empty()) parsed.values[name].push_back(value);
    }
    processor.checkRequired();
  } catch (const Poco::Util::OptionException& e) {
    // Poco's message may quote the argument whole ("password=..."): name the
    // option, never its value, which may be a secret typed in the wrong place.
    const std::string what = e.message();
    throw UsageError(std::string(e.name()) + ": " + what.substr(0, what.find('=')));
  }
  return parsed;
}

// The names of the files in a folder, sorted.
std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

int PositiveInt(const Args& args, const std::string& option, int fallback) {
  if (!args.Has(option)) return fallback;
  const std::string text = args.Get(option);
  char* end = nullptr;
  const long n = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || n < 1 || n > 1024) {
    throw UsageError("--" + option + " takes a whole number from 1 to 1024, not '" + text + "'");
  }
  return static_cast<int>(n);
}

void PrintDiagnostic(const Diagnostic& d, std::ostream& err) {
  err << d.ToString() << '\n';
}

std::string RightsDir(const Args& args) {
  return ResourceDir(args, "rights", "IMPRINT_RIGHTS", "rights");
}
std::string TemplatesDir(const Args& args) {
  return ResourceDir(args, "templates", "IMPRINT_TEMPLATES", "templates");
}

Keystore BuildKeystore(const std::string& out_dir, std::ostream& err) {
  Keystore keystore(Keystore::DefaultDir());
  const fs::path keys = fs::weakly_canonical(fs::absolute(keystore.dir()));
  const fs::path out = fs::weakly_canonical(fs::absolute(out_dir));
  const auto mismatch = std::mismatch(out.begin(), out.end(), keys.begin(), keys.end());
  if (mismatch.first == out.end()) {
    throw Error(keystore.dir(), 0,
                "the keystore is inside the output folder " + out_dir +
                    "; secrets never go there: set IMPRINT_KEYS elsewhere");
  }
  if (!keystore.Exists()) {
    const KeyEntry key = keystore.Init(/*development=*/true);
    err << "imprint: no signing key in " << keystore.dir() << "; made a development key "
        << key.key.IdText() << " (for the foundation's key, run 'imprint keys init' with "
        << "IMPRINT_KEYS naming a new folder)\n";
  }
  return keystore;
}

void AddDbOption(OptionSet& set) {
  set.addOption(ValueOption("db", "", "the license store: sqlite:PATH or postgresql://USER@HOST:PORT/DB "
                            "(default: sqlite:imprint.db beside the output folder)", "URL"));
}

std::unique_ptr<LicenseStore> OpenStore(const Args& args, const std::string& out_dir) {
  return LicenseStore::Open(args.Get("db", LicenseStore::DefaultUrl(out_dir)));
}

void AddEditionsOption(OptionSet& set) {
  set.addOption(ValueOption("editions", "", "the editions' output folder: the keystore must be outside it, "
                            "the store is by default imprint.db beside it (default: output)", "DIR"));
}

std::string EditionsDir(const Args& args) {
  const std::string dir = args.Get("editions", "output");
  if (dir == kStandardOutput || dir.empty()) throw UsageError("--editions takes a folder, not '" + dir + "'");
  return dir;
}

void WithEditionsOption(std::vector<Command>* commands) {
  for (Command& c : *commands) {
    c.options = [options = c.options](OptionSet& set) {
      options(set);
      AddEditionsOption(set);
    };
  }
}

std::string Required(const Args& args, const std::string& option) {
  if (!args.Has(option) || args.Get(option).empty()) throw UsageError("--" + option + " is required");
  return args.Get(option);
}

TrustedKeys TrustedFrom(const Args& args) {
  const std::vector<std::string> files = args.GetAll("pubkey");
  if (!files.empty()) return LoadTrustedKeys(files);
  const Keystore keystore(Keystore::DefaultDir());
  if (!keystore.Exists()) {
    throw UsageError("no trusted key: pass --pubkey DIR/keys/imprint.pub (or keyring.json)");
  }
  return keystore.Trusted();
}


void AddPubkeyOption(OptionSet& set) {
  set.addOption(Option("pubkey", "p", "a trusted public key or keyring (repeatable)")
                    .required(false).repeatable(true).argument("FILE"));
}

void CheckWritable(const Args& args, const std::string& option) {
  if (!args.Has(option)) return;
  const std::string destination = args.Get(option);
  if (destination.empty()) throw UsageError("--" + option + " takes a FILE, or - for standard output");
  if (destination != kStandardOutput) CheckDestination(destination);
}

void WriteTo(const std::string& destination, const std::string& bytes, std::ostream& out) {
  if (destination == kStandardOutput) {
    out << bytes;
    out.flush();
    if (!out) throw Error("-", 0, "cannot write to standard output");
    return;
  }
  out.flush();  // /dev/stdout names the same descriptor: what went before stays before
  WriteFileAtomic(destination, bytes);
}

}  // namespace imprint::cli
