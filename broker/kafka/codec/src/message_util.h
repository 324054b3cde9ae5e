#pragma once
// What every message codec in src/messages/ checks before it writes; not part
// of the public API (the reading and writing helpers they share are reader
// and writer members in kafka/codec/wire.h).

#include <cstdint>

#include "base/assert.h"
#include "kafka/codec/api.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec::detail {

/// The precondition of every encode_*(w, value, version): `version` is one
/// api.h advertises for `key` and `w` is flexible exactly when that version
/// is. A caller that breaks it has a bug, so this aborts (BROKER_ASSERT).
inline void check_writer(const writer& w, api_key key, int16_t version) {
    BROKER_ASSERT(is_supported(key, version) && w.flexible() == is_flexible(key, version),
                  api_name(static_cast<int16_t>(key)) << " v" << version << " with a wrong writer");
}

}  // namespace robust::kafka::codec::detail
