#include "pipeline/server/text_marks.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <utility>

#include "pipeline/base/crypto.h"

namespace imprint {
namespace {

// The four marks, symbol 0 to 3, as UTF-8 and as code points.
constexpr std::array<std::string_view, 4> kMarks = {"\xE2\x80\x8B", "\xE2\x80\x8C", "\xE2\x80\x8D", "\xE2\x81\xA0"};
constexpr std::array<unsigned, 4> kMarkCodes = {0x200B, 0x200C, 0x200D, 0x2060};
// A word counts by its first this many letters (lower-cased) in a gap's hash.
constexpr size_t kWordPrefix = MarkKey::kGapWord;
// Candidates tried in pairs, when no one license explains the marks alone.
constexpr size_t kPairCandidates = 8;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsWordByte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Whether a mark may follow `token` (the bytes since the last white space,
// ending in a letter or digit): no URL, address, entity, code or markup in
// it, only an opening quote or parenthesis before its first letter or digit.
bool PlainToken(std::string_view token) {
  size_t k = 0;
  for (; k < token.size() && !IsWordByte(token[k]); ++k) {
    const unsigned char c = token[k];
    if (c < 0x80 && c != '(' && c != '"' && c != '\'') return false;
  }
  for (; k < token.size(); ++k) {
    const unsigned char c = token[k];
    if (!IsWordByte(c) && c != '-' && c != '\'' && c < 0x80) return false;
  }
  return true;
}

// A word as a gap's hash takes it: its first letters, lower-cased, in `buffer`.
std::string_view WordKey(std::string_view word, std::array<char, kWordPrefix>* buffer) {
  word = word.substr(0, kWordPrefix);
  for (size_t i = 0; i < word.size(); ++i) {
    const char c = word[i];
    (*buffer)[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return std::string_view(buffer->data(), word.size());
}

// Where a gap's marks speak: for each, the tag position and the whitening of
// its symbol.
struct Slot {
  int position;
  int whitening;
};
std::array<Slot, kMarksPerGap> GapSlots(MarkKey::Gaps& gaps, std::string_view before, std::string_view after) {
  std::array<char, kWordPrefix> a, b;
  uint64_t h = gaps.Of(WordKey(before, &a), WordKey(after, &b));
  std::array<Slot, kMarksPerGap> slots;
  for (Slot& slot : slots) {
    slot = {static_cast<int>(h % kMarkPositions), static_cast<int>((h >> 7) & 3)};
    h >>= 9;
  }
  return slots;
}

int SymbolOf(const std::string& tag, int position) {
  return (static_cast<unsigned char>(tag[position / 4]) >> (2 * (position % 4))) & 3;
}

// The characters a gap may hold besides ASCII white space, as UTF-8 and as
// the named references a web page's source may spell them with: the marks
// and the look-alikes of a space (NO-BREAK, the U+2000 block, NARROW NO-BREAK,
// MEDIUM MATHEMATICAL, IDEOGRAPHIC), which an editor or a forum may put for
// a space without changing how the text looks.
struct Spelling {
  std::string_view text;
  unsigned code;
};
constexpr std::array<Spelling, 35> kSpellings = {{
    {"\xE2\x80\x8B", 0x200B}, {"\xE2\x80\x8C", 0x200C}, {"\xE2\x80\x8D", 0x200D}, {"\xE2\x81\xA0", 0x2060},
    {"\xC2\xA0", 0xA0}, {"\xE1\x9A\x80", 0x1680}, {"\xE2\x80\x80", 0x2000}, {"\xE2\x80\x81", 0x2001},
    {"\xE2\x80\x82", 0x2002}, {"\xE2\x80\x83", 0x2003}, {"\xE2\x80\x84", 0x2004}, {"\xE2\x80\x85", 0x2005},
    {"\xE2\x80\x86", 0x2006}, {"\xE2\x80\x87", 0x2007}, {"\xE2\x80\x88", 0x2008}, {"\xE2\x80\x89", 0x2009},
    {"\xE2\x80\x8A", 0x200A}, {"\xE2\x80\xAF", 0x202F}, {"\xE2\x81\x9F", 0x205F}, {"\xE3\x80\x80", 0x3000},
    {"&ZeroWidthSpace;", 0x200B}, {"&zwnj;", 0x200C}, {"&zwj;", 0x200D}, {"&NoBreak;", 0x2060},
    {"&nbsp;", 0xA0}, {"&NonBreakingSpace;", 0xA0}, {"&ensp;", 0x2002}, {"&emsp;", 0x2003},
    {"&emsp13;", 0x2004}, {"&emsp14;", 0x2005}, {"&numsp;", 0x2007}, {"&puncsp;", 0x2008},
    {"&thinsp;", 0x2009}, {"&hairsp;", 0x200A}, {"&MediumSpace;", 0x205F},
}};

// The code point of the numeric character reference at `at` (&#8203;,
// &#x200B;) and its length, or 0.
unsigned NumericReferenceAt(std::string_view text, size_t at, size_t* length) {
  if (text.compare(at, 2, "&#") != 0) return 0;
  size_t i = at + 2;
  const bool hex = i < text.size() && (text[i] == 'x' || text[i] == 'X');
  i += hex;
  unsigned code = 0;
  const size_t digits = i;
  for (; i < text.size() && i - digits < 8; ++i) {
    const char c = text[i];
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d < 0) break;
    code = code * (hex ? 16 : 10) + static_cast<unsigned>(d);
  }
  if (i == digits || i >= text.size() || text[i] != ';') return 0;
  *length = i + 1 - at;
  return code;
}

// The character at `at` (UTF-8 or a character reference) when it is one a
// gap may hold: its code point and length; or 0.
unsigned GapCharacterAt(std::string_view text, size_t at, size_t* length) {
  const unsigned char first = text[at];
  if (first != '&' && first != 0xC2 && first != 0xE1 && first != 0xE2 && first != 0xE3) return 0;
  for (const Spelling& s : kSpellings) {
    if (text.compare(at, s.text.size(), s.text) == 0) {
      *length = s.text.size();
      return s.code;
    }
  }
  return NumericReferenceAt(text, at, length);
}

int SymbolOfCode(unsigned code) {
  for (int s = 0; s < 4; ++s) {
    if (code == kMarkCodes[s]) return s;
  }
  return -1;
}

bool IsGapSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsSpaceCode(unsigned code) {
  return code == ' ' || code == '\t' || code == '\n' || code == '\r' || code == 0xA0 || code == 0x1680 ||
         (code >= 0x2000 && code <= 0x200A) || code == 0x202F || code == 0x205F || code == 0x3000;
}

}  // namespace

TextMarker::TextMarker(const MarkKey& key, std::string_view license_id) : key_(key), tag_(key.Tag(license_id)) {}

size_t MarkPlan::Add(std::string_view text, size_t offset) {
  const size_t planned = gaps_.size();
  size_t token = 0;  // where the token before `i` starts (after white space)
  for (size_t i = 0; i < text.size(); ++i) {
    if (!IsGapSpace(text[i])) continue;
    const size_t before = token;
    token = i + 1;
    if (text[i] != ' ' || i == 0 || i + 1 >= text.size() || !IsWordByte(text[i - 1]) || !IsWordByte(text[i + 1]) ||
        (IsDigit(text[i - 1]) && IsDigit(text[i + 1]))) {
      continue;  // not between two words, or inside a number written with spaces (1 000 000)
    }
    size_t start = i;  // the word before: its letters and digits
    while (start > before && IsWordByte(text[start - 1])) --start;
    size_t end = i + 1;  // the word after
    while (end < text.size() && IsWordByte(text[end])) ++end;
    if (start == 0 || end >= text.size() || !PlainToken(text.substr(before, i - before))) continue;
    Gap gap{offset + i, {}};
    const auto slots = GapSlots(hashes_, text.substr(start, i - start), text.substr(i + 1, end - i - 1));
    for (int k = 0; k < kMarksPerGap; ++k) gap.slots[k] = static_cast<uint16_t>(slots[k].position | slots[k].whitening << 8);
    gaps_.push_back(gap);
  }
  return gaps_.size() - planned;
}

void MarkPlan::Apply(std::string_view document, const std::string& tag, std::string* out) const {
  constexpr size_t kMarkBytes = 3;  // each mark's UTF-8
  const size_t start = out->size();
  out->resize(start + document.size() + gaps_.size() * kMarksPerGap * kMarkBytes);
  char* to = out->data() + start;
  size_t copied = 0;
  for (const Gap& gap : gaps_) {
    std::memcpy(to, document.data() + copied, gap.offset - copied);
    to += gap.offset - copied;
    for (uint16_t slot : gap.slots) {
      std::memcpy(to, kMarks[SymbolOf(tag, slot & 0xFF) ^ (slot >> 8)].data(), kMarkBytes);
      to += kMarkBytes;
    }
    copied = gap.offset;
  }
  std::memcpy(to, document.data() + copied, document.size() - copied);
}

size_t TextMarker::Mark(std::string_view text, std::string* out) const {
  MarkPlan plan(key_);
  plan.Add(text, 0);
  plan.Apply(text, tag_, out);
  return plan.gaps();
}

std::vector<MarkVote> ReadMarks(std::string_view text, const MarkKey& key) {
  MarkKey::Gaps gaps(key);
  std::vector<MarkVote> votes;
  std::string_view previous;  // the last word, when a gap may follow it
  bool previous_whole = false;  // it did not start the text
  std::array<int, kMarksPerGap> mark{};
  int marks = 0, spaces = 0;
  bool gap = false;  // since `previous`, only white space and marks
  for (size_t i = 0; i < text.size();) {
    if (IsWordByte(text[i])) {
      const size_t start = i;
      while (i < text.size() && IsWordByte(text[i])) ++i;
      const std::string_view word = text.substr(start, i - start);
      if (gap && previous_whole && marks == kMarksPerGap && spaces > 0 && i < text.size()) {
        const auto slots = GapSlots(gaps, previous, word);
        for (int k = 0; k < kMarksPerGap; ++k) votes.push_back({slots[k].position, mark[k] ^ slots[k].whitening});
      }
      previous = word;
      previous_whole = start > 0;
      gap = true;
      marks = 0, spaces = 0;
      continue;
    }
    size_t length = 1;
    const unsigned code = gap ? GapCharacterAt(text, i, &length) : 0;
    const int symbol = SymbolOfCode(code);
    if (symbol >= 0) {
      if (marks < kMarksPerGap) mark[marks] = symbol;
      ++marks;
    } else if (gap && (IsGapSpace(text[i]) || IsSpaceCode(code))) {
      ++spaces;
    } else {
      gap = false;
      length = 1;
    }
    i += length;
  }
  return votes;
}

std::string StripMarks(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    bool mark = false;
    for (std::string_view m : kMarks) {
      if (text.compare(i, m.size(), m) == 0) {
        i += m.size();
        mark = true;
        break;
      }
    }
    if (!mark) out.push_back(text[i++]);
  }
  return out;
}

namespace {

// Votes per position and symbol.
using Tally = std::array<std::array<int, 4>, kMarkPositions>;

int Observed(const std::array<int, 4>& counts) {
  return static_cast<int>(std::count_if(counts.begin(), counts.end(), [](int n) { return n > 0; }));
}

// The chance that a tag independent of the votes agrees at `agree` or more of
// the positions: at each, with chance (symbols observed there) / 4.
double Tail(const std::vector<double>& chances, int agree) {
  std::vector<double> p(chances.size() + 1, 0.0);
  p[0] = 1.0;
  for (size_t k = 0; k < chances.size(); ++k) {
    for (size_t j = k + 1; j > 0; --j) p[j] = p[j] * (1 - chances[k]) + p[j - 1] * chances[k];
    p[0] *= 1 - chances[k];
  }
  double tail = 0;
  for (size_t j = std::max(agree, 0); j < p.size(); ++j) tail += p[j];
  return tail;
}

// The voted positions: each with its symbols' counts and the chance that an
// independent tag agrees there.
struct Voted {
  int position;
  const std::array<int, 4>* counts;
  double chance;
};

// How many of `voted` a tag agrees with; with a `given` tag, only at the
// symbols it leaves unexplained (every position's symbols but its own). Their
// chances for an independent tag in `chances` when asked.
int Agreement(const std::vector<Voted>& voted, const std::string& tag, const std::string* given,
              std::vector<double>* chances) {
  int agree = 0;
  for (const Voted& v : voted) {
    const int mine = SymbolOf(tag, v.position);
    if (given == nullptr) {
      if (chances != nullptr) chances->push_back(v.chance);
      agree += (*v.counts)[mine] > 0;
      continue;
    }
    const int theirs = SymbolOf(*given, v.position);
    const int left = Observed(*v.counts) - ((*v.counts)[theirs] > 0);
    if (left == 0) continue;
    if (chances != nullptr) chances->push_back(left / 4.0);
    agree += mine != theirs && (*v.counts)[mine] > 0;
  }
  return agree;
}

// Whether `tag` explains beyond chance what `given` leaves unexplained.
bool BeyondGiven(const std::vector<Voted>& voted, const std::string& tag, const std::string& given, double bound) {
  std::vector<double> chances;
  const int agree = Agreement(voted, tag, &given, &chances);
  return Tail(chances, agree) < bound;
}

}  // namespace

MarkSuspects::MarkSuspects(const MarkKey& key, std::vector<std::string> license_ids) : ids(std::move(license_ids)) {
  tags.reserve(ids.size());
  for (const std::string& id : ids) tags.push_back(key.Tag(id));
}

MarkTrace TraceMarks(std::string_view text, const MarkKey& key, const MarkSuspects& suspects) {
  MarkTrace trace;
  const std::vector<MarkVote> votes = ReadMarks(text, key);
  trace.votes = votes.size();
  if (votes.empty()) return trace;
  Tally tally{};
  for (const MarkVote& v : votes) ++tally[v.position][v.symbol];
  std::vector<Voted> voted;
  std::vector<double> chances;
  for (int p = 0; p < kMarkPositions; ++p) {
    const int seen = Observed(tally[p]);
    if (seen == 0) continue;
    voted.push_back({p, &tally[p], seen / 4.0});
    chances.push_back(seen / 4.0);
    trace.conflicts += seen > 1;
  }
  trace.positions = static_cast<int>(voted.size());
  const double bound = kFalseAccusation / static_cast<double>(std::max<size_t>(suspects.ids.size(), 1));
  // The chance of each agreement count for a tag independent of the text.
  std::vector<double> tail(voted.size() + 2, 0.0);
  for (size_t a = 0; a <= voted.size(); ++a) tail[a] = Tail(chances, static_cast<int>(a));
  // Every license alone; the likeliest kept for pairs.
  std::vector<std::pair<int, size_t>> ranked;
  for (size_t i = 0; i < suspects.tags.size(); ++i) {
    ranked.push_back({-Agreement(voted, suspects.tags[i], nullptr, nullptr), i});
  }
  const size_t kept = std::min(ranked.size(), kPairCandidates);
  std::partial_sort(ranked.begin(), ranked.begin() + kept, ranked.end());
  ranked.resize(kept);
  std::vector<size_t> named;
  for (const auto& [minus_agree, i] : ranked) {
    if (tail[-minus_agree] < bound) named.push_back(i);
  }
  // A second contributor: what it explains beyond a named one (or, none
  // named, each of a pair beyond the other) is beyond chance.
  // Over every pair of the store, not only the kept ones (which the votes
  // chose): by the union bound, no innocent license is named beside another
  // beyond kFalseAccusation in all.
  const double pair_bound = bound / static_cast<double>(std::max<size_t>(suspects.ids.size(), 1));
  const auto is_named = [&named](size_t i) { return std::find(named.begin(), named.end(), i) != named.end(); };
  for (size_t a = 0; a < ranked.size(); ++a) {
    for (size_t b = a + 1; b < ranked.size(); ++b) {
      const size_t i = ranked[a].second, j = ranked[b].second;
      if (is_named(i) && is_named(j)) continue;
      const std::string &ti = suspects.tags[i], &tj = suspects.tags[j];
      if (BeyondGiven(voted, tj, ti, pair_bound) && BeyondGiven(voted, ti, tj, pair_bound)) {
        if (!is_named(i)) named.push_back(i);
        if (!is_named(j)) named.push_back(j);
      }
    }
  }
  for (size_t i : named) trace.licenses.push_back(suspects.ids[i]);
  trace.outcome = named.empty() ? MarkTrace::Outcome::kNoLicense
                  : named.size() == 1 ? MarkTrace::Outcome::kLicense
                                      : MarkTrace::Outcome::kAmbiguous;
  return trace;
}

}  // namespace imprint
