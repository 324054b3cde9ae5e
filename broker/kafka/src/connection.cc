#include "connection.h"

#include <spdlog/spdlog.h>

#include <asio/post.hpp>

#include "handlers/handlers.h"
#include "server_impl.h"

namespace robust::kafka {
namespace {

constexpr size_t read_chunk = 64 * 1024;
// Requests read ahead of their responses. Clients pipeline (librdkafka
// keeps up to 1M in flight by default, Java 5 per connection); past this we
// stop reading until responses drain, which pushes back through TCP.
constexpr size_t max_pending_requests = 256;

// "ip:port" or "[v6]:port" -> the host part, without brackets.
std::pair<std::string, uint16_t> split_endpoint(const std::string& ep) {
    const auto colon = ep.rfind(':');
    if (colon == std::string::npos) return {ep, 0};
    std::string host = ep.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    uint16_t port = 0;
    for (char c : ep.substr(colon + 1)) port = static_cast<uint16_t>(port * 10 + (c - '0'));
    return {host, port};
}

}  // namespace

void request::complete(std::optional<std::string> framed) const {
    auto conn = conn_;
    const uint64_t seq = seq_;
    asio::post(conn->context(), [conn, seq, framed = std::move(framed)]() mutable {
        conn->finish(seq, std::move(framed));
    });
}

connection::connection(server_impl& server, std::unique_ptr<net::transport> t)
    : server_(server),
      transport_(std::move(t)),
      peer_(transport_->remote_endpoint()),
      listener_(transport_->kind() == "tls" ? "kafka-tls" : "kafka") {
    auto [host, port] = split_endpoint(transport_->local_endpoint());
    local_host_ = std::move(host);
    local_port_ = port;
    identity_.peer_ip = split_endpoint(peer_).first;
    read_buf_.resize(read_chunk);
}

connection::~connection() = default;

void connection::start() {
    read_more();
}

void connection::close(std::string_view why) {
    if (closed_) return;
    closed_ = true;
    spdlog::debug("kafka: closing connection from {}: {}", peer_, why);
    transport_->close();
    slots_.clear();
    server_.forget(this);
}

void connection::read_more() {
    if (closed_ || reading_ || slots_.size() >= max_pending_requests) return;
    reading_ = true;
    transport_->async_read_some(
        asio::buffer(read_buf_),
        [self = shared_from_this()](std::error_code ec, size_t n) { self->on_read(ec, n); });
}

void connection::on_read(std::error_code ec, size_t n) {
    reading_ = false;
    if (closed_) return;
    if (ec) {
        close(ec == asio::error::eof ? "client closed the connection" : ec.message());
        return;
    }
    input_.append(read_buf_.data(), n);
    process_input();
    read_more();
}

void connection::process_input() {
    while (!closed_ && slots_.size() < max_pending_requests) {
        std::string_view pending(input_.data() + input_pos_, input_.size() - input_pos_);
        auto size = codec::frame_size(robust::as_bytes(pending));
        if (!size) break;
        if (*size < 0 || static_cast<uint64_t>(*size) > server_.options().max_request_bytes) {
            spdlog::warn(
                "kafka: {} sent a request of {} bytes, above kafka.max_request_bytes = {}; "
                "closing the connection",
                peer_, *size, server_.options().max_request_bytes);
            close("request too large");
            return;
        }
        if (pending.size() < 4 + static_cast<size_t>(*size)) break;
        auto bytes = std::make_shared<const std::string>(pending.substr(4, *size));
        input_pos_ += 4 + static_cast<size_t>(*size);
        if (sasl_.raw_tokens && !sasl_.authenticated) {
            dispatch_raw_token(std::move(bytes));
        } else {
            dispatch(std::move(bytes));
        }
    }
    // Keep the unread tail only.
    if (input_pos_ > 0 && (input_pos_ == input_.size() || input_pos_ > read_chunk)) {
        input_.erase(0, input_pos_);
        input_pos_ = 0;
    }
}

void connection::dispatch(std::shared_ptr<const std::string> bytes) {
    auto h = codec::decode_request_header(robust::as_bytes(*bytes));
    if (!h) {
        spdlog::info("kafka: {} sent a request without a valid header; closing the connection",
                     peer_);
        close("malformed request header");
        return;
    }
    const uint64_t seq = next_seq_++;
    slots_.push_back(slot{seq, false, std::nullopt});
    request req(shared_from_this(), std::move(bytes), std::move(h->header), h->size, seq);
    server_.handle(std::move(req));
}

void connection::dispatch_raw_token(std::shared_ptr<const std::string> bytes) {
    // The reply goes in order with the responses before it, like a request's;
    // the header is a stand-in (nothing of it is sent).
    codec::request_header h;
    h.api_key = static_cast<int16_t>(codec::api_key::sasl_authenticate);
    h.api_version = 0;
    const uint64_t seq = next_seq_++;
    slots_.push_back(slot{seq, false, std::nullopt});
    request req(shared_from_this(), std::move(bytes), std::move(h), 0, seq);
    handle_sasl_raw_token(server_, req);
}

void connection::finish(uint64_t seq, std::optional<std::string> framed) {
    if (closed_) return;
    for (auto& s : slots_) {
        if (s.seq == seq) {
            s.done = true;
            s.response = std::move(framed);
            break;
        }
    }
    flush();
    read_more();
}

void connection::flush() {
    if (write_in_flight_ || closed_) return;
    while (!slots_.empty() && slots_.front().done) {
        if (slots_.front().response) writing_.push_back(std::move(*slots_.front().response));
        slots_.pop_front();
    }
    if (writing_.empty()) return;
    std::vector<asio::const_buffer> bufs;
    bufs.reserve(writing_.size());
    for (const auto& b : writing_) bufs.push_back(asio::buffer(b));
    write_in_flight_ = true;
    transport_->async_write(
        std::move(bufs),
        [self = shared_from_this()](std::error_code ec, size_t) { self->on_written(ec); });
}

void connection::on_written(std::error_code ec) {
    write_in_flight_ = false;
    writing_.clear();
    if (closed_) return;
    if (ec) {
        close(ec.message());
        return;
    }
    flush();
    read_more();
}

}  // namespace robust::kafka
