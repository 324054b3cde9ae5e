#include "producer_state.h"

#include <algorithm>
#include <limits>

#include "base/clock.h"

namespace robust::kafka {
namespace {

// Sequences wrap from INT32_MAX to 0 (Kafka's DefaultRecordBatch.incrementSequence).
int32_t next_sequence(int32_t seq) {
    return seq == std::numeric_limits<int32_t>::max() ? 0 : seq + 1;
}
int32_t add_sequence(int32_t seq, int32_t n) {
    const int64_t v = static_cast<int64_t>(seq) + n;
    return static_cast<int32_t>(
        v > std::numeric_limits<int32_t>::max() ? v - std::numeric_limits<int32_t>::max() - 1 : v);
}

}  // namespace

int64_t producer_registry::next_producer_id() {
    std::lock_guard lock(mu_);
    // Milliseconds since the epoch times 1024 leaves room for 1024 ids per
    // millisecond before the counter runs ahead of the clock.
    last_id_ = std::max(last_id_ + 1, now_unix_ms() * 1024);
    return last_id_;
}

producer_registry::verdict producer_registry::check(storage::shard_id shard, int64_t producer_id,
                                                    int16_t epoch, int32_t base_sequence,
                                                    int32_t count) {
    verdict v;
    if (producer_id < 0 || base_sequence < 0 || count <= 0) return v;  // not idempotent
    const int32_t last = add_sequence(base_sequence, count - 1);
    std::lock_guard lock(mu_);
    auto [it, fresh] = states_.try_emplace({shard.value(), producer_id});
    state& s = it->second;
    if (!fresh) {
        if (epoch < s.epoch) {
            v.error = codec::error_code::invalid_producer_epoch;
            return v;
        }
        if (epoch == s.epoch) {
            for (const batch& b : s.recent) {
                if (b.first_seq == base_sequence && b.last_seq == last) {
                    v.duplicate = true;
                    v.duplicate_offset = b.offset;
                    return v;
                }
            }
            if (base_sequence != next_sequence(s.last_seq)) {
                v.error = codec::error_code::out_of_order_sequence_number;
                return v;
            }
        } else {
            s = state{};  // a new epoch starts its sequences afresh
        }
    }
    s.epoch = epoch;
    s.last_seq = last;
    s.recent[s.next_slot] = batch{base_sequence, last, -1};
    s.next_slot = (s.next_slot + 1) % s.recent.size();
    return v;
}

void producer_registry::appended(storage::shard_id shard, int64_t producer_id,
                                 int32_t base_sequence, int64_t offset) {
    if (producer_id < 0 || base_sequence < 0) return;
    std::lock_guard lock(mu_);
    auto it = states_.find({shard.value(), producer_id});
    if (it == states_.end()) return;
    if (offset < 0) {
        states_.erase(it);
        return;
    }
    for (batch& b : it->second.recent) {
        if (b.first_seq == base_sequence) b.offset = offset;
    }
}

void producer_registry::forget_shard(storage::shard_id shard) {
    std::lock_guard lock(mu_);
    auto it = states_.lower_bound({shard.value(), std::numeric_limits<int64_t>::min()});
    while (it != states_.end() && it->first.first == shard.value()) it = states_.erase(it);
}

}  // namespace robust::kafka
