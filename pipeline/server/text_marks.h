// Invisible marks in the text of personalised copies (docs/marks.md), and the
// trace of a pasted excerpt back to the license whose copy it came from.
//
// A gap between two words carries two zero-width characters (each U+200B,
// U+200C, U+200D or U+2060: two bits), put right after the first word and
// before the one space that separates it from the next, never inside a word.
// The words on either side, hashed with the mark key, say which two of a
// license's 128 two-bit symbols (its 256-bit keyed tag) the gap carries and
// how each is whitened: every
// gap speaks for itself, so an excerpt may begin and end anywhere, lose
// paragraphs or mix them, and nothing but the key can make or read a mark.
//
// A trace collects the votes of the gaps that carry marks, then tests each
// license of the store: how many voted positions agree with its tag, against
// what a license whose tag is independent of the text would reach by chance
// (an exact tail, the positions' agreements being independent under the key).
// A license is named only when that chance, times the number of licenses,
// stays below kFalseAccusation; two licenses that each explain what the
// other does not are named together as "ambiguous". Pure; thread-safe.
#ifndef IMPRINT_PIPELINE_SERVER_TEXT_MARKS_H_
#define IMPRINT_PIPELINE_SERVER_TEXT_MARKS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/signing/mark_key.h"

namespace imprint {

inline constexpr int kMarkPositions = 128;  // two-bit symbols of a tag
inline constexpr int kMarksPerGap = 2;      // marks a gap carries, each a symbol
// The chance per excerpt, at most, that a trace names alone a license that
// did not contribute to it (the union bound over the store's licenses); the
// pair tests, bounded over every pair of the store, add as much again.
inline constexpr double kFalseAccusation = 1e-11;

// Where the marks of a text go, planned once for the copies of many
// licenses: the gaps that may carry a mark (as TextMarker::Mark says) and,
// for each, the tag positions it speaks for and their whitening. What is left
// per license is a merge. Plan on one thread; then immutable, thread-safe.
class MarkPlan {
 public:
  explicit MarkPlan(const MarkKey& key) : hashes_(key) {}
  // Plans the gaps of `span`, one span of article text (an HTML text node, a
  // Markdown line) that starts `offset` bytes into the document. Returns the
  // number of gaps planned. Spans are added in the document's order.
  size_t Add(std::string_view span, size_t offset);
  // Appends `document` (the one planned) to `out` with the symbols of `tag`
  // (MarkKey::Tag) at its planned gaps.
  void Apply(std::string_view document, const std::string& tag, std::string* out) const;
  size_t gaps() const { return gaps_.size(); }

 private:
  struct Gap {
    size_t offset;                 // of the space the marks go before
    uint16_t slots[kMarksPerGap];  // per mark: its tag position, and its whitening << 8
  };
  MarkKey::Gaps hashes_;
  std::vector<Gap> gaps_;
};

// The marks of one license's copies.
class TextMarker {
 public:
  TextMarker(const MarkKey& key, std::string_view license_id);
  // Appends `text` (one span of article text: an HTML text node, a Markdown
  // line) to `out`, marked at the gaps that may carry a mark: one ASCII space
  // between a word ending in a letter or digit and one beginning with one
  // (not both digits: 1 000 000 is one number),
  // the word before made only of letters, digits, '-', '\'' and non-ASCII
  // (never a URL, an address, an entity or Markdown punctuation), neither
  // word touching the span's ends. Returns the number of marks put.
  size_t Mark(std::string_view text, std::string* out) const;

 private:
  MarkKey key_;
  std::string tag_;
};

// One gap's reading: the tag's position it speaks for, and the symbol there.
struct MarkVote {
  int position = 0;
  int symbol = 0;
};

// The votes in any text (UTF-8: plain, HTML with the characters themselves or
// as numeric or named references, Markdown): one per gap between two words
// holding white space (ASCII, or a space look-alike such as U+00A0) and
// exactly two marks, the excerpt's first and last word (maybe
// cut) not counted. Linear time; never throws.
std::vector<MarkVote> ReadMarks(std::string_view text, const MarkKey& key);

// `text` without the four mark characters.
std::string StripMarks(std::string_view text);

struct MarkTrace {
  enum class Outcome {
    kNoMark,     // no marks in the text
    kNoLicense,  // marks, but no license of the store explains them
    kLicense,    // one license: `licenses[0]`
    kAmbiguous,  // several licenses contributed, each in `licenses`
  };
  Outcome outcome = Outcome::kNoMark;
  std::vector<std::string> licenses;
  size_t votes = 0;      // gaps read
  int positions = 0;     // distinct tag positions they cover
  int conflicts = 0;     // positions with votes for different symbols
};

// The licenses a trace tests (every license of the store) and their tags,
// computed once for many traces.
struct MarkSuspects {
  MarkSuspects(const MarkKey& key, std::vector<std::string> license_ids);
  std::vector<std::string> ids;
  std::vector<std::string> tags;
};

// The trace of `text` against `suspects`. Linear in the text and in the
// number of suspects.
MarkTrace TraceMarks(std::string_view text, const MarkKey& key, const MarkSuspects& suspects);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_TEXT_MARKS_H_
