#include "pipeline/server/store_checkpointer.h"

#include <chrono>

#include "pipeline/base/error.h"

namespace imprint {

Checkpointer::Checkpointer(const std::string& url)
    : url_(url), thread_(std::chrono::milliseconds(10), [this] { Pass(); }, false) {}

void Checkpointer::Pass() {
  try {
    if (!store_) store_ = LicenseStore::Open(url_);  // at first, and after a failure
    store_->Checkpoint();
  } catch (const Error&) {
    // The next pass tries again on a new connection, and commits still
    // checkpoint by themselves.
    store_.reset();
  }
}

}  // namespace imprint
