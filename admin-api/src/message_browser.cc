#include "message_browser.h"

#include <algorithm>

#include "base/errc.h"
#include "kafka/codec/record_batch.h"

namespace robust::admin::detail {
namespace {

constexpr size_t read_bytes = 4 * 1024 * 1024;  // per journal read

/// Appends the messages of stored record `r` with offsets >= from, at most
/// up to `limit` messages in `out`.
status expand(const storage::record& r, int64_t from, size_t limit,
              std::vector<browsed_message>& out) {
    if (r.format != storage::record_format::kafka_batch) {
        if (r.offset < from || out.size() >= limit) return {};
        browsed_message m;
        m.offset = r.offset;
        m.timestamp_ms = r.timestamp_ms;
        m.key = r.key;
        for (const auto& h : r.headers) m.headers.emplace_back(h.key, h.value);
        m.value = std::string(r.value.view());
        out.push_back(std::move(m));
        return {};
    }
    const kafka::codec::batch_limits limits;
    auto batches = kafka::codec::split_fetched_batches(r.value.view(), limits);
    if (!batches) return errc::corruption;
    // Offsets inside stored batches are relative to the journal's offset of
    // the record (the batch's own baseOffset field is the producer's).
    int64_t base = r.offset;
    for (const auto& b : *batches) {
        auto records = kafka::codec::decode_records(b, limits);
        if (!records) return errc::corruption;
        for (auto& br : *records) {
            const int64_t offset = base + br.offset_delta;
            if (offset < from || out.size() >= limit) continue;
            browsed_message m;
            m.offset = offset;
            m.timestamp_ms = b.header.base_timestamp + br.timestamp_delta;
            m.key = std::move(br.key);
            for (auto& h : br.headers) m.headers.emplace_back(std::move(h.key), std::move(h.value));
            m.value = std::move(br.value);
            out.push_back(std::move(m));
        }
        base += int64_t{b.header.last_offset_delta} + 1;
    }
    return {};
}

}  // namespace

result<browse_page> read_shard(const storage::journal& journal, storage::shard_id id,
                               std::optional<int64_t> from, size_t limit) {
    auto info = journal.describe_shard(id);
    if (!info) return info.error();
    browse_page page;
    page.shard = info->name;
    page.earliest = info->earliest;
    page.next_offset = info->next_offset;
    const auto wanted = static_cast<int64_t>(limit);
    int64_t pos = from ? *from : page.next_offset - wanted;
    pos = std::max(pos, page.earliest);
    const int64_t first = pos;
    while (page.messages.size() < limit && pos < page.next_offset) {
        auto records = journal.read(id, pos, limit, read_bytes);
        if (!records) return records.error();
        if (records->empty()) break;
        for (const auto& r : *records) {
            if (auto s = expand(r, first, limit, page.messages); !s) return s.error();
        }
        pos = std::max(pos, records->back().last_offset() + 1);
    }
    return page;
}

result<browse_page> read_shared_shard(const storage::journal& journal, storage::shard_id id,
                                      std::string_view key, std::optional<int64_t> from,
                                      size_t limit, int64_t scan_window) {
    auto info = journal.describe_shard(id);
    if (!info) return info.error();
    browse_page page;
    page.shard = info->name;
    page.earliest = info->earliest;
    page.next_offset = info->next_offset;
    int64_t pos = std::max(info->earliest, info->next_offset - scan_window);
    if (from) pos = std::max(pos, *from);
    const int64_t first = pos;
    std::vector<browsed_message> found;
    while (pos < info->next_offset) {
        auto records = journal.read(id, pos, 1000, read_bytes);
        if (!records) return records.error();
        if (records->empty()) break;
        for (const auto& r : *records) {
            if (r.key != key) continue;
            if (auto s = expand(r, first, SIZE_MAX, found); !s) return s.error();
        }
        pos = std::max(pos, records->back().last_offset() + 1);
    }
    // From an offset: the first `limit` at or after it; else the newest.
    if (found.size() > limit) {
        const auto cut = static_cast<ptrdiff_t>(limit);
        if (from) {
            found.erase(found.begin() + cut, found.end());
        } else {
            found.erase(found.begin(), found.end() - cut);
        }
    }
    page.messages = std::move(found);
    return page;
}

}  // namespace robust::admin::detail
