// The file system as the pipeline uses it: whole-file reads, atomic writes
// of single files and of whole folders, and finding the raw issues under the
// paths a user gives.
//
// WriteFileAtomic writes to a temporary file beside the target and renames it
// over the target, so a reader (or a build killed part-way) sees the old file
// or the new one, never half of one. It serves every file a user names
// (--out FILE, --report FILE), so it never renames over anything but a regular
// file: a device, a FIFO or a socket (/dev/null, a pipe to another program)
// is written in place, as the shell's `>` would. (Renaming over /dev/null, run
// as root, once made it a regular file for the whole machine.) A name for one
// of the program's own descriptors (/dev/stdout, /dev/stderr, /dev/fd/N,
// /proc/self/fd/N, or a link leading to one) is written to that descriptor,
// at its offset and in its append mode, and left open, as `--out -` writes
// standard output (renaming over the file such a link leads to, standard
// output a file (`>> log`), lost what the file held and cut the shell off
// from it). Any other symbolic link is followed: the file it leads to is
// replaced atomically where it is, and the link stays a link, as `cp` writes
// through one. A dangling link is refused rather than followed: the file it names
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
#ifndef IMPRINT_PIPELINE_BASE_FILE_SYSTEM_H_
#define IMPRINT_PIPELINE_BASE_FILE_SYSTEM_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace imprint {

std::string ReadFile(const std::string& path);
// The same for a file that is at most `max_bytes` long by its nature: one
// longer (a wrong file, a device that never ends) is read no further than
// that and is an Error "over N bytes: `what`".
std::string ReadFileAtMost(const std::string& path, size_t max_bytes, const std::string& what);

// Reads an input of the build: a regular file, or a link leading to one.
// Anything else is an Error naming `path` and saying what it is: a FIFO, a
// socket, a device, a folder, a dangling link, a link loop, nothing at all.
// Such a file is refused before it is opened, and opened without blocking
// (O_NONBLOCK) in case it changes meanwhile, so a FIFO never hangs the build.
std::string ReadRegularFile(const std::string& path);
// The same, failing past `max_bytes` with an error saying `what`.
std::string ReadRegularFile(const std::string& path, size_t max_bytes, const std::string& what);

// The file at `relative` under the folder `root` (absolute and canonical), or
// nullopt: never a path outside `root`, even through a symbolic link inside
// it; only a regular file, as opened (the last component not a link, and a
// FIFO put in its place after the path was resolved not waited for), of at
// most `max_bytes` (a sparse file is not read into memory). For a server
// that must not throw per request.
std::optional<std::string> ReadInsideFolder(const std::string& root, const std::string& relative,
                                            uint64_t max_bytes);

// Creates missing parent folders. Leaves no temporary file behind on failure.
// A FIFO blocks until its reader opens it; a socket gets one stream
// connection.
void WriteFileAtomic(const std::string& path, const std::string& bytes);

// WriteFileAtomic, and the new file flushed to the disk (fsync) before the
// rename and the rename before it returns: after a crash of the machine, not
// only of the program, the file is the old one or all of the new one, and
// once it returns it is there. For files whose loss would break other files'
// meaning (a keyring naming a secret); most writes need not pay for it.
void WriteFileDurably(const std::string& path, const std::string& bytes);

// Removes the temporary files a killed WriteFileAtomic left in `folder` (not
// below it). Only for a folder no other process is writing in meanwhile (its
// owner holds a lock). Throws imprint::Error when one cannot be removed.
void RemoveTemporaries(const std::string& folder);

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

// Removes `path` unless it is a regular file or a folder: what WriteFileAtomic
// would write into (a FIFO, a socket, a device) or through (a symbolic link,
// to anything), so that the next write makes a regular file there. For the
// files a command owns in the output folder, where such a thing is damage:
// planted, a FIFO blocked the write for ever, and a link chose which file
// elsewhere the command overwrote.
void RemoveUnlessRegular(const std::string& path);

// Removes a file or a folder tree; no error when it does not exist.
void RemoveTree(const std::string& path);

struct InputFile {
  std::string path;  // as found
  std::string key;   // stable across machines: the path below the folder
                     // argument it was found in, or the file's name
  std::string error;  // not empty: a folder that could not be listed, and why
};

// Every path named that is not a folder (or a link to one), and every entry
// named *.txt below folders (recursively; links to folders are not entered),
// sorted by path and without duplicates. Nothing is judged here: a missing
// path, a FIFO or a dangling link is listed like a file, and reading it
// (ReadRegularFile) is that input's error alone. A folder that cannot be
// listed, or an entry that cannot be examined (it may be a folder), is listed
// too, with `error` set. Never throws for what it finds.
std::vector<InputFile> FindInputs(const std::vector<std::string>& paths);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_BASE_FILE_SYSTEM_H_
