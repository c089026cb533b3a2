#include "pipeline/license/audit_check.h"

#include <algorithm>
#include <optional>

#include "pipeline/signing/checkpoint.h"
#include "pipeline/base/crypto.h"
#include "pipeline/license/license.h"

namespace imprint {
namespace {

constexpr int64_t kPage = 2000;

// The log's rows in id order, a page at a time.
class RowCursor {
 public:
  explicit RowCursor(LicenseStore& store) : store_(store) {}
  // The next row, or null after the last. The pointer lives until the next call.
  const AuditRow* Next() {
    if (i_ == page_.size()) {
      if (done_) return nullptr;
      page_ = store_.AuditPage(after_id_, kPage);
      i_ = 0;
      done_ = static_cast<int64_t>(page_.size()) < kPage;
      if (page_.empty()) return nullptr;
      after_id_ = page_.back().id;
    }
    return &page_[i_++];
  }

 private:
  LicenseStore& store_;
  std::vector<AuditRow> page_;
  size_t i_ = 0;
  int64_t after_id_ = LicenseStore::kBeforeAnyAuditId;  // rows with ids <= 0 are rows too
  bool done_ = false;
};

// A checkpoint whose signature checked out.
struct Anchor {
  std::string name;  // for messages
  std::string origin;
  int64_t size = 0;
  std::string hash;  // hex, as the rows keep theirs
};

// The stored checkpoints (in pages, by size) and the outside ones, merged by
// size; each verified as it comes.
class AnchorCursor {
 public:
  AnchorCursor(LicenseStore& store, const TrustedKeys& trusted, std::vector<OutsideCheckpoint> outside)
      : store_(store), trusted_(trusted), outside_(std::move(outside)) {}

  // Reads the outside checkpoints. False (and `problem`) when one fails.
  bool Start(std::string* problem) {
    for (const OutsideCheckpoint& o : outside_) {
      const std::optional<Anchor> a = Verify(o.name, o.note, problem);
      if (!a) return false;
      outside_anchors_.push_back(*a);
    }
    std::stable_sort(outside_anchors_.begin(), outside_anchors_.end(),
                     [](const Anchor& a, const Anchor& b) { return a.size < b.size; });
    return true;
  }

  // Stored checkpoints passed over: signed by a key since revoked.
  int64_t not_counted() const { return not_counted_; }

  // The next anchor by size; nullopt after the last, or with `problem` set
  // when a checkpoint fails its own check.
  std::optional<Anchor> Next(std::string* problem) {
    for (;;) {
      std::optional<Anchor> a;
      if (NextOrPass(problem, &a)) return a;
    }
  }

 private:
  // One step of Next(): true with its answer in `*a`, false when a stored
  // checkpoint was passed over and the next must be read.
  bool NextOrPass(std::string* problem, std::optional<Anchor>* a) {
    if (i_ == page_.size() && !done_) {
      page_ = store_.CheckpointPage(after_size_, after_id_, kPage);
      i_ = 0;
      done_ = static_cast<int64_t>(page_.size()) < kPage;
      if (!page_.empty()) after_size_ = page_.back().size, after_id_ = page_.back().id;
    }
    const bool have_stored = i_ < page_.size(), have_outside = j_ < outside_anchors_.size();
    if (have_outside && (!have_stored || outside_anchors_[j_].size < page_[i_].size)) {
      *a = outside_anchors_[j_++];
      return true;
    }
    if (!have_stored) return true;
    const StoredCheckpoint& c = page_[i_++];
    const std::string name = "stored checkpoint " + std::to_string(c.id) + " (signed " + FormatTime(c.at) + ")";
    // A key revoked since vouches for nothing, but its checkpoints are no
    // evidence of tampering either: they are passed over (and counted), and
    // the checkpoints of the keys still trusted decide. (A checkpoint given
    // with --checkpoint FILE is the user's own evidence: there a revoked
    // key's signature fails.)
    const CheckpointVerdict v = VerifyCheckpoint(c.note, trusted_);
    if (!v.ok && v.revoked_key) {
      ++not_counted_;
      return false;
    }
    *a = FromVerdict(name, v, problem);
    if (*a && (*a)->size != c.size) {
      *problem = name + ": its note says size " + std::to_string((*a)->size) + ", the store's column " +
                 std::to_string(c.size) + ": the store was changed";
      a->reset();
    }
    return true;
  }

  std::optional<Anchor> Verify(const std::string& name, const std::string& note, std::string* problem) {
    return FromVerdict(name, VerifyCheckpoint(note, trusted_), problem);
  }

  static std::optional<Anchor> FromVerdict(const std::string& name, const CheckpointVerdict& v,
                                           std::string* problem) {
    if (!v.ok) {
      *problem = name + ": " + v.problem;
      return std::nullopt;
    }
    return Anchor{name, v.checkpoint.origin, v.checkpoint.size, Hex(v.checkpoint.hash)};
  }

  LicenseStore& store_;
  const TrustedKeys& trusted_;
  int64_t not_counted_ = 0;
  std::vector<OutsideCheckpoint> outside_;
  std::vector<Anchor> outside_anchors_;
  size_t j_ = 0;
  std::vector<StoredCheckpoint> page_;
  size_t i_ = 0;
  int64_t after_size_ = -1, after_id_ = 0;
  bool done_ = false;
};

std::string At(int64_t position, int64_t id) {
  return "position " + std::to_string(position) + " (row " + std::to_string(id) + ")";
}

// Walks the rows, checking the chain, and the anchors at their sizes.
class Walk {
 public:
  explicit Walk(LicenseStore& store) : rows_(store) {}

  // One row further: 1 a row, 0 the end, -1 a break in the chain (`problem` set).
  int Step(std::string* problem) {
    const AuditRow* row = rows_.Next();
    if (row == nullptr) return 0;
    ++position_;
    if (row->prev_hash != head_ || AuditRowHash(*row) != row->row_hash) {
      *problem = "audit log broken at row " + std::to_string(row->id) + " (position " + std::to_string(position_) +
                 "): edited, deleted or out of order";
      return -1;
    }
    head_ = row->row_hash;
    id_ = row->id;
    return 1;
  }

  // Advances to `size` rows. False (and `problem`) when the chain breaks or
  // the log ends first; `why` names the checkpoint that said so.
  bool To(int64_t size, const std::string& why, std::string* problem) {
    while (position_ < size) {
      const int step = Step(problem);
      if (step < 0) return false;
      if (step == 0) {
        *problem = why + " says the log had " + std::to_string(size) + " rows; it has " + std::to_string(position_) +
                   ": the rows after " + (position_ == 0 ? std::string("position 0") : At(position_, id_)) +
                   " were deleted";
        return false;
      }
    }
    return true;
  }

  int64_t position() const { return position_; }
  int64_t id() const { return id_; }
  const std::string& head() const { return head_; }

 private:
  RowCursor rows_;
  int64_t position_ = 0, id_ = 0;
  std::string head_ = std::string(64, '0');
};

}  // namespace

AuditCheckResult CheckAuditLog(LicenseStore& store, const TrustedKeys& trusted,
                               const std::vector<OutsideCheckpoint>& outside) {
  AuditCheckResult r;
  AnchorCursor anchors(store, trusted, outside);
  if (!anchors.Start(&r.problem)) return r;
  Walk walk(store);
  int64_t agreed = 0;  // the size of the last checkpoint that agreed
  while (const std::optional<Anchor> a = anchors.Next(&r.problem)) {
    const std::string why = a->name + " (size " + std::to_string(a->size) + ")";
    if (!walk.To(a->size, why, &r.problem)) return r;
    if (walk.head() != a->hash) {
      r.problem = why + " disagrees with the log: the row at " +
                  (a->size == 0 ? std::string("position 0") : At(a->size, walk.id())) + " has hash " + walk.head() +
                  ", the checkpoint says " + a->hash + ": rows after position " + std::to_string(agreed) +
                  " and up to " + std::to_string(a->size) + " were changed, deleted, added or re-chained since";
      return r;
    }
    agreed = a->size;
    r.origin = a->origin;
    ++r.checkpoints;
  }
  r.not_counted = anchors.not_counted();
  if (!r.problem.empty()) return r;
  r.anchored = agreed;
  // The rest of the log: chained, but no checkpoint vouches for it.
  int64_t first_unanchored = 0;
  for (int step; (step = walk.Step(&r.problem)) != 0;) {
    if (step < 0) return r;
    if (first_unanchored == 0) first_unanchored = walk.id();
  }
  r.rows = walk.position();
  if (r.rows > r.anchored) {
    const int64_t n = r.rows - r.anchored;
    r.problem = std::to_string(n) + (n == 1 ? " row from " : " rows from ") + At(r.anchored + 1, first_unanchored) +
                (n == 1 ? " on is" : " on are") + " not anchored by a signed checkpoint" +
                (r.checkpoints == 0 ? std::string(" (there is none)") : "") +
                ": a running server signs them within its interval (verify again then); rows added after the "
                "server stopped are forged";
    return r;
  }
  r.ok = true;
  return r;
}

}  // namespace imprint
