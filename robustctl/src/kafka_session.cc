#include "kafka_session.h"

namespace robust::ctl {

namespace kc = kafka::codec;

void kafka_session::write_request_header(kc::writer& w, kc::api_key key, int16_t version,
                                         int32_t correlation_id) const {
    // Request header v1 (v2 adds the tagged fields for flexible versions).
    w.i16(static_cast<int16_t>(key));
    w.i16(version);
    w.i32(correlation_id);
    w.classic_nullable_string(client_id_);
    w.tagged_fields();
}

void kafka_session::append_frame(const std::string& message) {
    const auto n = static_cast<uint32_t>(message.size());
    for (int shift = 24; shift >= 0; shift -= 8) {
        output_.push_back(static_cast<char>((n >> shift) & 0xFF));
    }
    output_.append(message);
}

status kafka_session::receive(std::span<const std::byte> bytes, std::vector<kafka_response>& out) {
    input_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    for (;;) {
        const auto buffered = std::as_bytes(std::span(input_)).subspan(input_used_);
        const auto size = kc::frame_size(buffered);
        if (!size) break;
        if (*size < 0) return errc::malformed;
        if (static_cast<size_t>(*size) > max_response_bytes_) return errc::too_large;
        if (buffered.size() < 4 + static_cast<size_t>(*size)) break;
        if (awaiting_.empty()) return errc::protocol_error;
        const awaited req = awaiting_.front();

        kafka_response r;
        r.key = req.key;
        r.version = req.version;
        r.frame.assign(input_, input_used_ + 4, static_cast<size_t>(*size));
        input_used_ += 4 + static_cast<size_t>(*size);
        // Response header v0 (correlation id), v1 adds tagged fields for
        // flexible versions, except ApiVersions (always v0).
        const bool flexible =
            req.key != kc::api_key::api_versions && kc::is_flexible(req.key, req.version);
        kc::reader h(std::string_view(r.frame), flexible);
        r.correlation_id = h.i32();
        if (flexible) h.tagged_fields();
        if (!h.ok()) return errc::malformed;
        if (r.correlation_id != req.correlation_id) return errc::protocol_error;
        r.body_offset = r.frame.size() - h.remaining();
        awaiting_.pop_front();
        out.push_back(std::move(r));
    }
    // Drop the consumed prefix once it is most of the buffer, so a long
    // pipeline of small responses does not move bytes for every frame.
    if (input_used_ > 0 && input_used_ * 2 >= input_.size()) {
        input_.erase(0, input_used_);
        input_used_ = 0;
    }
    return {};
}

}  // namespace robust::ctl
