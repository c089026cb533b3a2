// The key commands: keys init, rotate, revoke, list.
#include "pipeline/cli/cli_support.h"

#include "pipeline/signing/keystore.h"
#include "pipeline/signing/minisign.h"

namespace imprint::cli {
namespace {

// ---- keys ---------------------------------------------------------------------

void PrintKey(const KeyEntry& e, std::ostream& out) {
  out << e.key.IdText() << "  " << ToString(e.status) << (e.development ? " (development)" : "");
  if (!e.reason.empty()) out << ": " << e.reason;
  out << "\n";
}

int RunKeysInit(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");
  Keystore keystore(Keystore::DefaultDir());
  const KeyEntry key = keystore.Init(args.Has("dev"));
  out << "made signing key " << key.key.IdText() << " in " << keystore.dir()
      << " (secret: owner-only)\npublic key:\n" << FormatPublicKey(key.key);
  return kExitOk;
}

int RunKeysRotate(const Args& args, std::ostream& out, std::ostream& err) {
  Keystore keystore(Keystore::DefaultDir());
  const KeyEntry key = keystore.Rotate();
  out << "new signing key " << key.key.IdText()
      << "; older keys stay in the keyring so their editions still verify\n"
      << FormatPublicKey(key.key);
  return kExitOk;
}

int RunKeysRevoke(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional.size() != 1) throw UsageError("give one KEYID");
  Keystore keystore(Keystore::DefaultDir());
  PrintKey(keystore.Revoke(args.positional[0], args.Get("reason")), out);
  return kExitOk;
}

int RunKeysList(const Args& args, std::ostream& out, std::ostream& err) {
  Keystore keystore(Keystore::DefaultDir());
  for (const KeyEntry& e : keystore.Keys()) PrintKey(e, out);
  return kExitOk;
}

}  // namespace

void AddKeyCommands(std::vector<Command>* commands) {
  const std::vector<Command> mine = {
      {"keys init", "keys init [--dev]", "make the foundation's signing key pair",
       "Makes an Ed25519 key pair in the keystore, $IMPRINT_KEYS (default\n"
       "~/.local/share/imprint/keys), with the secret readable by its owner alone.\n"
       "Refuses to overwrite an existing keystore. Prints the public key in\n"
       "minisign's format.",
       "IMPRINT_KEYS=/srv/imprint/keys imprint keys init",
       [](OptionSet& set) {
         set.addOption(Option("dev", "", "mark the key as a development key").required(false));
       },
       &RunKeysInit},
      {"keys rotate", "keys rotate", "make a new signing key and retire the current one",
       "Makes a new current signing key. The old key's public half stays in the\n"
       "keyring (so editions it signed still verify); its secret is deleted.",
       "imprint keys rotate", [](OptionSet&) {}, &RunKeysRotate},
      {"keys revoke", "keys revoke KEYID [--reason TEXT]", "revoke a key",
       "Marks a key revoked: every signature it made fails verification with the\n"
       "reason, once subscribers have the new keyring (DIR/keys/keyring.json).",
       "imprint keys revoke 8A3F21C07D5E9B14 --reason 'laptop stolen'",
       [](OptionSet& set) {
         set.addOption(ValueOption("reason", "", "why it is revoked", "TEXT"));
       },
       &RunKeysRevoke},
      {"keys list", "keys list", "list the keyring's keys and their status",
       "Prints each key's id and status: current, retired or revoked (with why).",
       "imprint keys list", [](OptionSet&) {}, &RunKeysList},
  };
  commands->insert(commands->end(), mine.begin(), mine.end());
}

}  // namespace imprint::cli
