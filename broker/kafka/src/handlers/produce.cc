// Produce: record batches are checked (framing, magic 2, CRC32C, size,
// idempotent sequence) and appended to the partition's shard exactly as
// received — one journal record per batch, covering its offsets — with
// the topic's durability. The response waits for the journal, so an
// acknowledged batch survives what that durability promises; acks = 0 gets
// no response at all.
#include <spdlog/spdlog.h>

#include <mutex>

#include "../topic_access.h"
#include "handlers.h"
#include "kafka/codec/messages/produce.h"
#include "kafka/codec/record_batch.h"

namespace robust::kafka {
namespace {

using codec::error_code;

error_code batch_error(std::error_code ec) {
    if (ec == make_error_code(errc::corruption)) return error_code::corrupt_message;
    if (ec == make_error_code(errc::unsupported)) return error_code::unsupported_for_message_format;
    if (ec == make_error_code(errc::too_large)) return error_code::message_too_large;
    return error_code::corrupt_message;
}

// Collects the partition results; the last one to finish sends the response.
struct produce_state {
    server_impl& s;
    request req;
    int16_t acks = 1;
    std::mutex mu;
    codec::produce_response resp;
    size_t pending = 1;  // one for the setup itself, released when it is done

    produce_state(server_impl& srv, request r, int16_t a) : s(srv), req(std::move(r)), acks(a) {}

    codec::produce_response_partition& slot(size_t topic, size_t part) {
        return resp.responses[topic].partition_responses[part];
    }
    void done_one() {
        {
            std::lock_guard lock(mu);
            if (--pending > 0) return;
        }
        for (const auto& t : resp.responses) {
            for (const auto& p : t.partition_responses) {
                s.count_error(static_cast<int16_t>(codec::api_key::produce), p.error_code);
            }
        }
        if (acks == 0) {
            req.no_response();
            return;
        }
        const int16_t version = req.version();
        req.respond([&](codec::writer& w) { codec::encode_produce_response(w, resp, version); });
    }
};

struct checked_batch {
    codec::batch_view view;
    bool duplicate = false;
    int64_t duplicate_offset = -1;
};

}  // namespace

void handle_produce(server_impl& s, const request& r) {
    auto decoded = codec::decode_produce_request(r.body(), r.version());
    if (!decoded) return reject_malformed(r, decoded.error());
    const codec::produce_request& req = *decoded;
    auto st = std::make_shared<produce_state>(s, r, req.acks);
    const std::string& tenant = r.conn().identity().tenant;

    // Lay the response out first, so appends can fill their slots in any order.
    for (const auto& t : req.topic_data) {
        codec::produce_response_topic rt;
        rt.name = t.name;
        for (const auto& p : t.partition_data) {
            codec::produce_response_partition rp;
            rp.index = p.index;
            rt.partition_responses.push_back(rp);
        }
        st->resp.responses.push_back(std::move(rt));
    }

    const bool bad_acks = req.acks != 0 && req.acks != 1 && req.acks != -1;
    const bool transactional = req.transactional_id.has_value();
    codec::batch_limits limits;
    limits.max_batch_bytes = s.options().max_message_bytes;

    for (size_t ti = 0; ti < req.topic_data.size(); ++ti) {
        const auto& t = req.topic_data[ti];
        auto entry = s.topics().find(tenant, t.name);
        const bool may_write = topic_allowed(s, r.conn(), topic_op::write, t.name);
        for (size_t pi = 0; pi < t.partition_data.size(); ++pi) {
            const auto& p = t.partition_data[pi];
            auto& out = st->slot(ti, pi);
            auto fail = [&](error_code e, std::string message = {}) {
                out.error_code = e;
                if (!message.empty()) out.error_message = std::move(message);
            };
            if (bad_acks) {
                fail(error_code::invalid_required_acks);
                continue;
            }
            if (transactional) {
                fail(error_code::transactional_id_authorization_failed,
                     "transactions are not supported");
                continue;
            }
            if (!may_write) {
                fail(error_code::topic_authorization_failed);
                continue;
            }
            if (!entry || p.index < 0 || static_cast<size_t>(p.index) >= entry->shards.size()) {
                fail(error_code::unknown_topic_or_partition);
                continue;
            }
            const storage::shard_id shard = entry->shards[static_cast<size_t>(p.index)];
            auto batches = codec::split_batches(p.records.value_or(std::string_view{}), limits);
            if (!batches) {
                fail(batch_error(batches.error()));
                continue;
            }
            if (batches->empty()) {
                fail(error_code::invalid_record, "no record batch in the request");
                continue;
            }
            std::vector<checked_batch> checked;
            error_code problem = error_code::none;
            std::string problem_text;
            for (const auto& b : *batches) {
                if (b.header.is_transactional() || b.header.is_control()) {
                    problem = error_code::invalid_record;
                    problem_text = "transactional batches are not supported";
                    break;
                }
                if (b.header.record_count <= 0) {
                    problem = error_code::invalid_record;
                    problem_text = "a record batch without records";
                    break;
                }
                // Uncompressed records are checked here (cheap); compressed
                // ones are stored as sent — their CRC already matched.
                if (b.header.compression() == codec::compression_type::none) {
                    if (auto v = codec::validate_records(b, limits); !v) {
                        problem = error_code::corrupt_message;
                        problem_text = "a record in the batch is malformed";
                        break;
                    }
                }
                auto verdict =
                    s.producers().check(shard, b.header.producer_id, b.header.producer_epoch,
                                        b.header.base_sequence, b.header.record_count);
                if (verdict.error != error_code::none) {
                    problem = verdict.error;
                    break;
                }
                checked.push_back({b, verdict.duplicate, verdict.duplicate_offset});
            }
            if (problem != error_code::none) {
                fail(problem, problem_text);
                continue;
            }
            storage::append_request ar;
            ar.shard = shard;
            ar.durability = entry->durability;
            std::vector<codec::batch_header> headers;
            int64_t duplicate_offset = -1;
            for (const auto& c : checked) {
                if (c.duplicate) {
                    if (duplicate_offset < 0) duplicate_offset = c.duplicate_offset;
                    continue;
                }
                storage::record rec;
                rec.format = storage::record_format::kafka_batch;
                rec.offset_count = static_cast<uint32_t>(c.view.header.record_count);
                rec.timestamp_ms =
                    c.view.header.max_timestamp > 0 ? c.view.header.max_timestamp : 0;
                rec.value = shared_buffer(std::string(c.view.bytes));
                ar.records.push_back(std::move(rec));
                headers.push_back(c.view.header);
            }
            if (ar.records.empty()) {
                // Every batch was a retry of one already stored (KIP-98):
                // answer as the first time.
                out.base_offset = duplicate_offset;
                out.log_start_offset = s.journal().earliest(shard).value_or(0);
                continue;
            }
            {
                std::lock_guard lock(st->mu);
                ++st->pending;
            }
            server_impl* sp = &s;
            s.journal().append(std::move(ar), [st, sp, ti, pi, shard, headers = std::move(headers)](
                                                  result<storage::append_result> res) {
                int64_t offset = res ? res->first_offset : -1;
                if (res) {
                    uint64_t bytes = 0, records = 0;
                    for (const auto& h : headers) {
                        bytes += h.size_bytes();
                        records += static_cast<uint64_t>(h.record_count);
                    }
                    sp->count_produced(bytes, records);
                }
                for (const auto& h : headers) {
                    sp->producers().appended(shard, h.producer_id, h.base_sequence, offset);
                    if (offset >= 0) offset += h.record_count;
                }
                {
                    std::lock_guard lock(st->mu);
                    auto& slot = st->slot(ti, pi);
                    if (res) {
                        slot.base_offset = res->first_offset;
                        slot.log_start_offset = sp->journal().earliest(shard).value_or(0);
                    } else {
                        slot.error_code = error_code::kafka_storage_error;
                        slot.error_message = res.error().message();
                    }
                }
                st->done_one();
            });
        }
    }
    st->done_one();
}

}  // namespace robust::kafka
