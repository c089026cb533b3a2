// The file system as the pipeline uses it: whole-file reads, atomic writes,
// and finding the raw issues under the paths a user gives.
//
// WriteFileAtomic writes to a temporary file beside the target and renames it
// over the target, so a reader (or a build killed part-way) sees the old file
// or the new one, never half of one. Failures are imprint::Error naming the
// path. Thread-safe: temporary names are unique per process and call.
#ifndef IMPRINT_PIPELINE_FILE_SYSTEM_H_
#define IMPRINT_PIPELINE_FILE_SYSTEM_H_

#include <string>
#include <vector>

namespace imprint {

std::string ReadFile(const std::string& path);

// Creates missing parent folders. Leaves no temporary file behind on failure.
void WriteFileAtomic(const std::string& path, const std::string& bytes);

// Files named directly, and every *.txt below folders (recursively), sorted
// and without duplicates. A path that does not exist is an Error.
std::vector<std::string> FindInputs(const std::vector<std::string>& paths);

// Whether a file name is a temporary file of WriteFileAtomic.
bool IsTemporaryName(const std::string& name);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_FILE_SYSTEM_H_
