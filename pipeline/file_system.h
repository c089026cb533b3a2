// The file system as the pipeline uses it: whole-file reads, atomic writes
// of single files and of whole folders, and finding the raw issues under the
// paths a user gives.
//
// WriteFileAtomic writes to a temporary file beside the target and renames it
// over the target, so a reader (or a build killed part-way) sees the old file
// or the new one, never half of one. It serves every file a user names
// (--out FILE, --report FILE), so it never renames over anything but a regular
// file: a device, a FIFO or a socket (/dev/null, /dev/stdout, a pipe to
// another program) is written in place, as the shell's `>` would. (Renaming
// over /dev/null, run as root, once made it a regular file for the whole
// machine.) A symbolic link is followed: the file it leads to is replaced
// atomically where it is, and the link stays a link, as `cp` writes through
// one. A dangling link is refused rather than followed: the file it names
// would be created wherever the link points, possibly a place the user never
// meant (a link planted in a shared folder such as /tmp is the classic way to
// make a privileged program write where an attacker chose), and replacing the
// link instead would silently cut it; the error names the link's target, so
// the user can name that file or remove the link. A folder, or a link to one,
// is refused too. ReplaceDirectory does the same for a folder staged
// elsewhere on the same file system (an edition: its files are
// old-and-complete or new-and-complete together). Failures are imprint::Error
// naming the path as given. Thread-safe: temporary names are unique per
// process and call.
#ifndef IMPRINT_PIPELINE_FILE_SYSTEM_H_
#define IMPRINT_PIPELINE_FILE_SYSTEM_H_

#include <string>
#include <vector>

namespace imprint {

std::string ReadFile(const std::string& path);
// The same for a file that is at most `max_bytes` long by its nature: one
// longer (a wrong file, a device that never ends) is read no further than
// that and is an Error "over N bytes: `what`".
std::string ReadFileAtMost(const std::string& path, size_t max_bytes, const std::string& what);

// Creates missing parent folders. Leaves no temporary file behind on failure.
// A FIFO blocks until its reader opens it; a socket gets one stream
// connection.
void WriteFileAtomic(const std::string& path, const std::string& bytes);

// Throws the Error WriteFileAtomic would throw for a destination it refuses
// (a folder, a link to one, a dangling link), so a command can refuse before
// it changes anything else.
void CheckDestination(const std::string& path);

// Creates `path` and writes `bytes`; the file must not exist (for files in a
// private staging folder, which need no rename of their own).
void WriteNewFile(const std::string& path, const std::string& bytes);

// Puts the folder `staged` at `target` in one step: renames it there when
// `target` does not exist, else exchanges the two (renameat2 RENAME_EXCHANGE)
// and removes the old contents. Creates `target`'s missing parents. Where the
// file system cannot exchange, falls back to moving the files one by one.
void ReplaceDirectory(const std::string& staged, const std::string& target);

// Removes a file or a folder tree; no error when it does not exist.
void RemoveTree(const std::string& path);

struct InputFile {
  std::string path;  // as found
  std::string key;   // stable across machines: the path below the folder
                     // argument it was found in, or the file's name
};

// Files named directly, and every *.txt below folders (recursively), sorted
// by path and without duplicates. A path that does not exist is an Error.
std::vector<InputFile> FindInputs(const std::vector<std::string>& paths);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_FILE_SYSTEM_H_
