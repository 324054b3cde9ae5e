// Fetch: reads each partition's shard from the fetch offset and returns the
// stored record batches as they were produced (only their base offset is
// written in, since the journal assigned it). Records that reached the shard
// one by one — from another protocol — are framed into an uncompressed
// batch here. If less than min_bytes is there, the request waits (long
// poll) until data arrives on one of its partitions or max_wait_ms passes.
//
// Sizes follow KIP-74: the first batch is returned even when it is larger
// than max_bytes or partition_max_bytes, so a consumer can always progress.
// Fetch sessions (KIP-227) are not kept: every response has session id 0,
// which tells clients to send full fetch requests.
#include <spdlog/spdlog.h>

#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <chrono>

#include "../topic_access.h"
#include "handlers.h"
#include "kafka/codec/messages/fetch.h"
#include "kafka/codec/record_batch.h"

namespace robust::kafka {
namespace {

using codec::error_code;

// Records read per partition per round at most (the byte limits usually
// stop earlier).
constexpr size_t max_records_per_read = 4096;

struct wanted_partition {
    bool denied = false;  // the ACL refuses a read of the topic
    std::optional<storage::shard_id> shard;
    int64_t fetch_offset = 0;
    int32_t max_bytes = 0;
};

struct fetch_state : std::enable_shared_from_this<fetch_state> {
    fetch_state(server_impl& srv, request r, codec::fetch_request q)
        : s(srv), req(std::move(r)), fetch(std::move(q)), timer(req.conn().context()) {}

    server_impl& s;
    request req;
    codec::fetch_request fetch;
    std::vector<wanted_partition> wanted;
    codec::fetch_response layout;  // topics and partitions in request order, empty
    asio::steady_timer timer;
    std::chrono::steady_clock::time_point deadline;
    // True while parked; the first trigger (data or deadline) clears it.
    std::shared_ptr<std::atomic<bool>> waiting = std::make_shared<std::atomic<bool>>(false);

    void attempt() {
        auto self = shared_from_this();
        s.run_blocking([self] { self->read_all(); });
    }

    // On the blocking pool.
    void read_all() {
        codec::fetch_response resp = layout;
        size_t total = 0;
        size_t wi = 0;
        bool any_error = false;
        const size_t max_total = fetch.max_bytes > 0 ? static_cast<size_t>(fetch.max_bytes) : 0;
        for (auto& topic : resp.responses) {
            for (auto& part : topic.partitions) {
                const wanted_partition& w = wanted[wi++];
                if (w.denied) {
                    part.error_code = error_code::topic_authorization_failed;
                    any_error = true;
                    continue;
                }
                if (!w.shard) {
                    part.error_code = error_code::unknown_topic_or_partition;
                    any_error = true;
                    continue;
                }
                read_partition(w, part, total, max_total);
                if (part.error_code != error_code::none) any_error = true;
            }
        }
        const bool enough = total >= static_cast<size_t>(std::max(fetch.min_bytes, 1));
        if (enough || any_error || fetch.max_wait_ms <= 0 ||
            std::chrono::steady_clock::now() >= deadline) {
            s.count_fetched(total);
            for (const auto& topic : resp.responses) {
                for (const auto& part : topic.partitions) {
                    s.count_error(static_cast<int16_t>(codec::api_key::fetch), part.error_code);
                }
            }
            const int16_t version = req.version();
            req.respond([&](codec::writer& w) { codec::encode_fetch_response(w, resp, version); });
            return;
        }
        wait_for_data();
    }

    void read_partition(const wanted_partition& w, codec::fetch_response_partition& part,
                        size_t& total, size_t max_total) {
        storage::journal& j = s.journal();
        auto next = j.next_offset(*w.shard);
        auto earliest = j.earliest(*w.shard);
        if (!next || !earliest) {
            part.error_code = error_code::unknown_topic_or_partition;
            return;
        }
        part.high_watermark = *next;
        part.last_stable_offset = *next;
        part.log_start_offset = *earliest;
        if (w.fetch_offset > *next || w.fetch_offset < *earliest) {
            part.error_code = error_code::offset_out_of_range;
            return;
        }
        if (w.fetch_offset == *next) return;
        const size_t part_max = w.max_bytes > 0 ? static_cast<size_t>(w.max_bytes) : 0;
        size_t room = std::min(part_max, max_total > total ? max_total - total : 0);
        const bool must_progress = total == 0;  // KIP-74: the first batch goes out whole
        if (room == 0 && !must_progress) return;
        auto recs =
            j.read(*w.shard, w.fetch_offset, max_records_per_read, std::max<size_t>(room, 1));
        if (!recs) {
            part.error_code = recs.error() == make_error_code(errc::not_found)
                                  ? error_code::unknown_topic_or_partition
                                  : error_code::kafka_storage_error;
            return;
        }
        std::string out;
        std::vector<codec::batch_record> singles;
        int64_t singles_base = -1;
        int64_t singles_first_ts = 0;
        auto flush_singles = [&] {
            if (singles.empty()) return;
            codec::batch_build_options o;
            o.base_offset = singles_base;
            o.base_timestamp = singles_first_ts;
            out += codec::build_batch(singles, o);
            singles.clear();
        };
        for (const auto& rec : *recs) {
            const size_t size = rec.format == storage::record_format::kafka_batch
                                    ? rec.value.size()
                                    : rec.value.size() + rec.key.size() + 32;
            if (!out.empty() || !singles.empty()) {
                if (out.size() + size > room) break;
            } else if (size > room && !must_progress) {
                break;
            }
            if (rec.format == storage::record_format::kafka_batch) {
                flush_singles();
                // Copied once, into the response; the stored bytes stay as
                // they are (the base offset is not covered by the CRC).
                const size_t at = out.size();
                out += rec.value.view();
                codec::set_base_offset(std::span<char>(out).subspan(at), rec.offset);
                continue;
            }
            if (singles.empty()) {
                singles_base = rec.offset;
                singles_first_ts = rec.timestamp_ms;
            }
            codec::batch_record br;
            br.offset_delta = static_cast<int32_t>(rec.offset - singles_base);
            br.timestamp_delta = rec.timestamp_ms - singles_first_ts;
            if (!rec.key.empty()) br.key = rec.key;
            br.value = rec.value.str();
            for (const auto& h : rec.headers) br.headers.push_back({h.key, h.value});
            singles.push_back(std::move(br));
        }
        flush_singles();
        total += out.size();
        part.records = std::move(out);
    }

    // Parks the request until a partition gets data or the deadline passes.
    void wait_for_data() {
        auto self = shared_from_this();
        waiting->store(true);
        auto wake = [self] {
            if (!self->waiting->exchange(false)) return;  // the other trigger won
            asio::post(self->req.conn().context(), [self] {
                self->timer.cancel();
                self->attempt();
            });
        };
        asio::post(req.conn().context(), [self, wake] {
            self->timer.expires_at(self->deadline);
            self->timer.async_wait([self, wake](std::error_code ec) {
                if (!ec) wake();
            });
        });
        size_t wi = 0;
        for (auto& topic : layout.responses) {
            for (size_t p = 0; p < topic.partitions.size(); ++p) {
                const wanted_partition& w = wanted[wi++];
                if (w.shard) s.when_data(*w.shard, w.fetch_offset, waiting, wake);
            }
        }
    }
};

}  // namespace

void handle_fetch(server_impl& s, const request& r) {
    auto req = codec::decode_fetch_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    auto st = std::make_shared<fetch_state>(s, r, std::move(*req));
    const std::string& tenant = r.conn().identity().tenant;
    st->deadline = std::chrono::steady_clock::now() +
                   std::chrono::milliseconds(std::max(st->fetch.max_wait_ms, 0));
    for (const auto& t : st->fetch.topics) {
        codec::fetch_response_topic rt;
        rt.topic = t.topic;
        auto entry = s.topics().find(tenant, t.topic);
        const bool may_read = topic_allowed(s, r.conn(), topic_op::read, t.topic);
        for (const auto& p : t.partitions) {
            codec::fetch_response_partition rp;
            rp.partition_index = p.partition;
            rt.partitions.push_back(rp);
            wanted_partition w;
            w.fetch_offset = p.fetch_offset;
            w.max_bytes = p.partition_max_bytes;
            w.denied = !may_read;
            if (entry && p.partition >= 0 &&
                static_cast<size_t>(p.partition) < entry->shards.size()) {
                w.shard = entry->shards[static_cast<size_t>(p.partition)];
            }
            st->wanted.push_back(w);
        }
        st->layout.responses.push_back(std::move(rt));
    }
    st->attempt();
}

}  // namespace robust::kafka
