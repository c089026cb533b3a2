// The file system as the pipeline uses it: whole-file reads, atomic writes
// of single files and of whole folders, and finding the raw issues under the
// paths a user gives.
//
// WriteFileAtomic writes to a temporary file beside the target and renames it
// over the target, so a reader (or a build killed part-way) sees the old file
// or the new one, never half of one. ReplaceDirectory does the same for a
// folder staged elsewhere on the same file system (an edition: its files are
// old-and-complete or new-and-complete together). Failures are imprint::Error
// naming the path. Thread-safe: temporary names are unique per process and
// call.
#ifndef IMPRINT_PIPELINE_FILE_SYSTEM_H_
#define IMPRINT_PIPELINE_FILE_SYSTEM_H_

#include <string>
#include <vector>

namespace imprint {

std::string ReadFile(const std::string& path);

// Creates missing parent folders. Leaves no temporary file behind on failure.
void WriteFileAtomic(const std::string& path, const std::string& bytes);

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
