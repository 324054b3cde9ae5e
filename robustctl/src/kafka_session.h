#pragma once
// The client side of one Kafka connection without I/O (Sans-I/O, like
// mqtt_session.h): request() frames a request (INT32 size, request header
// v1 or v2 with a fresh correlation id, the body the caller's encoder
// writes) into the output that take_output() hands over; receive() takes
// the bytes read from the socket, cuts them into response frames, skips
// the response header and matches each response to its request. Kafka
// answers a connection's requests in the order they were sent, so any
// number of them may be pipelined and the oldest one waiting is the one
// answered; a Produce with acks = 0 gets no answer and is not waited for.
// Built on broker::kafka_codec (api.h, wire.h); unit tests drive it with
// byte vectors.
//
// Created and used by one thread (a bench worker, or the main thread
// during set-up); not shareable.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <vector>

#include "base/errc.h"
#include "base/result.h"
#include "kafka/codec/api.h"
#include "kafka/codec/wire.h"

namespace robust::ctl {

/// One response frame, matched to its request.
struct kafka_response {
    kafka::codec::api_key key = kafka::codec::api_key::api_versions;
    int16_t version = 0;
    int32_t correlation_id = 0;
    std::string frame;       // the frame without its size prefix
    size_t body_offset = 0;  // where the body starts (after the response header)

    std::span<const std::byte> body() const {
        return std::as_bytes(std::span(frame)).subspan(body_offset);
    }
};

class kafka_session {
public:
    /// `client_id` goes into every request header; responses larger than
    /// `max_response_bytes` are refused (too_large) before being buffered.
    explicit kafka_session(std::string client_id, size_t max_response_bytes = 64 * 1024 * 1024)
        : client_id_(std::move(client_id)), max_response_bytes_(max_response_bytes) {}

    /// Appends request (key, version) to the output: header v2 when the
    /// version is flexible (v1 otherwise), then what `encode(writer&)`
    /// writes. With expect_response false (Produce acks = 0) no response
    /// is awaited. Returns its correlation id. Precondition: the codec
    /// supports (key, version) (kafka::codec::is_supported).
    template <class Encode>
    int32_t request(kafka::codec::api_key key, int16_t version, Encode&& encode,
                    bool expect_response = true) {
        kafka::codec::writer w(kafka::codec::is_flexible(key, version));
        const int32_t id = next_correlation_id_++;
        write_request_header(w, key, version, id);
        encode(w);
        append_frame(w.buffer());
        if (expect_response) awaiting_.push_back({key, version, id});
        return id;
    }

    /// The framed requests not yet handed out, moved out (empty if none).
    std::string take_output() { return std::move(output_); }
    size_t output_size() const { return output_.size(); }

    /// Feeds received bytes; appends every response now complete to `out`,
    /// oldest first. Errors (the connection is unusable after one):
    ///   malformed       a negative frame size, or a frame too short for
    ///                   its response header;
    ///   too_large       a frame above max_response_bytes;
    ///   protocol_error  a response when none is awaited, or whose
    ///                   correlation id is not the oldest request's.
    status receive(std::span<const std::byte> bytes, std::vector<kafka_response>& out);

    /// Requests sent and not answered yet.
    size_t awaiting() const { return awaiting_.size(); }

private:
    struct awaited {
        kafka::codec::api_key key;
        int16_t version;
        int32_t correlation_id;
    };

    void write_request_header(kafka::codec::writer& w, kafka::codec::api_key key, int16_t version,
                              int32_t correlation_id) const;
    void append_frame(const std::string& message);

    std::string client_id_;
    size_t max_response_bytes_;
    int32_t next_correlation_id_ = 1;
    std::deque<awaited> awaiting_;
    std::string output_;
    std::string input_;      // received bytes not yet a whole frame
    size_t input_used_ = 0;  // bytes at the front of input_ already consumed
};

}  // namespace robust::ctl
