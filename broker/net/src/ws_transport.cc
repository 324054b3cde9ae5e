#include "ws_transport.h"

#include <spdlog/spdlog.h>
#include <wslay/wslay.h>
#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <deque>
#include <new>
#include <type_traits>
#include <utility>

#include "base/errc.h"
#include "ws_handshake.h"

namespace robust::net::detail {

// What ws_transport needs of the stream behind it, whichever byte stream
// that sits on.
class ws_stream_base {
public:
    virtual ~ws_stream_base() = default;
    virtual void start() = 0;
    virtual void async_read_some(asio::mutable_buffer buf, transport::io_handler cb) = 0;
    virtual void async_write(std::vector<asio::const_buffer> bufs, transport::io_handler cb) = 0;
    virtual void close() = 0;
};

namespace {

// The shared state behind a ws_transport: WebSocket framing over Stream, a
// plain TCP socket or a TLS stream (byte_stream.h). Every member runs on the
// connection's thread; stream handlers hold a shared_ptr to it so it stays
// valid for them after the transport is destroyed.
template <class Stream>
class ws_stream final : public ws_stream_base,
                        public std::enable_shared_from_this<ws_stream<Stream>> {
public:
    /// `tls_context` (null for TCP) is kept alive as long as the stream.
    ws_stream(Stream stream, std::shared_ptr<asio::ssl::context> tls_context, std::string leftover,
              size_t max_frame)
        : tls_context_(std::move(tls_context)),
          stream_(std::move(stream)),
          linger_(stream_.get_executor()),
          raw_(std::max<size_t>(socket_read_size, leftover.size())) {
        std::memcpy(raw_.data(), leftover.data(), leftover.size());
        raw_end_ = leftover.size();
        wslay_event_callbacks callbacks{};
        callbacks.recv_callback = &ws_stream::on_wslay_recv;
        callbacks.send_callback = &ws_stream::on_wslay_send;
        callbacks.on_frame_recv_start_callback = &ws_stream::on_wslay_frame_start;
        callbacks.on_frame_recv_chunk_callback = &ws_stream::on_wslay_frame_chunk;
        if (wslay_event_context_server_init(&ws_, &callbacks, this) != 0) throw std::bad_alloc();
        // Data frames go straight to the byte stream; only control frames
        // are buffered (by wslay, at most 125 bytes each).
        wslay_event_config_set_no_buffering(ws_, 1);
        wslay_event_config_set_max_recv_msg_length(ws_, max_frame);
    }

    ~ws_stream() override { wslay_event_context_free(ws_); }

    ws_stream(const ws_stream&) = delete;
    ws_stream& operator=(const ws_stream&) = delete;

    // Frames the client sent right behind its upgrade request.
    void start() override {
        if (raw_end_ > raw_begin_) process_raw();
    }

    void async_read_some(asio::mutable_buffer buf, transport::io_handler cb) override {
        read_buf_ = buf;
        read_cb_ = std::move(cb);
        if (closed_ || buf.size() == 0 || app_begin_ < app_.size() || read_error_) {
            // Answerable now, but never from inside the initiating call.
            asio::post(stream_.get_executor(),
                       [self = this->shared_from_this()] { self->deliver_read(); });
            return;
        }
        start_socket_read();
    }

    void async_write(std::vector<asio::const_buffer> bufs, transport::io_handler cb) override {
        std::error_code refuse;
        if (closed_) {
            refuse = asio::error::operation_aborted;
        } else if (write_error_) {
            refuse = write_error_;
        } else if (wslay_event_get_close_sent(ws_)) {
            refuse = asio::error::shut_down;  // no data after our close frame [RFC 6455 5.5.1]
        }
        const size_t total = asio::buffer_size(bufs);
        if (refuse || total == 0) {
            asio::post(stream_.get_executor(), [cb = std::move(cb), refuse] { cb(refuse, 0); });
            return;
        }
        out_item item;
        item.header_len = encode_frame_header(WSLAY_BINARY_FRAME, total, item.header);
        item.payload = std::move(bufs);
        item.payload_bytes = total;
        item.cb = std::move(cb);
        out_.push_back(std::move(item));
        pump_writes();
    }

    void close() override {
        if (closed_) return;
        closed_ = true;
        // Data frames not yet started fail now (control frames stay for
        // finish_close); a pending read fails at once, not when the socket
        // read under it ends.
        // Only the back of out_ is touched: the items in flight at the front
        // hold the bytes the socket is writing and must not move.
        std::vector<transport::io_handler> aborted;
        std::string control;
        while (out_.size() > in_flight_) {
            auto& item = out_.back();
            if (item.cb) {
                aborted.push_back(std::move(item.cb));
            } else {
                control.insert(0, item.owned);
            }
            out_.pop_back();
        }
        if (!control.empty()) {
            out_item item;
            item.owned = std::move(control);
            out_.push_back(std::move(item));
        }
        std::reverse(aborted.begin(), aborted.end());  // fail them in write order
        for (auto& cb : aborted) {
            asio::post(stream_.get_executor(),
                       [cb = std::move(cb)] { cb(asio::error::operation_aborted, 0); });
        }
        if (read_cb_) {
            asio::post(stream_.get_executor(),
                       [self = this->shared_from_this()] { self->deliver_read(); });
        }
        if (in_flight_ > 0 && !write_error_) {
            // Cutting a frame in half would garble the stream, so let the
            // write in flight finish (on_socket_write calls finish_close), but
            // not for longer than close_linger.
            linger_.expires_after(close_linger);
            linger_.async_wait([self = this->shared_from_this()](std::error_code ec) {
                if (!ec) self->finish_close();
            });
            return;
        }
        finish_close();
    }

private:
    static constexpr size_t socket_read_size = 16 * 1024;
    static constexpr auto close_linger = std::chrono::seconds(1);
    // Buffers per gather write; Linux takes up to 1024 iovecs, asio passes 64.
    static constexpr size_t max_gather = 64;

    struct out_item {
        std::array<uint8_t, 10> header{};
        size_t header_len = 0;
        std::vector<asio::const_buffer> payload;  // the caller's bytes (data frame)
        size_t payload_bytes = 0;
        std::string owned;         // complete control frame(s) from wslay
        transport::io_handler cb;  // set for data frames only
        bool has_close = false;    // `owned` ends with our close frame
    };

    // Sends the close frame (and any pong still queued) if the socket takes
    // it without waiting, then closes the socket; never waits for the peer.
    void finish_close() {
        if (socket_closed_) return;
        socket_closed_ = true;
        linger_.cancel();
        bool may_write = in_flight_ == 0 && !write_error_;
        if (may_write) {
            if (!wslay_event_get_close_sent(ws_)) {
                wslay_event_queue_close(ws_, WSLAY_CODE_NORMAL_CLOSURE, nullptr, 0);
            }
            collect_control_frames();
            std::error_code ec;
            lowest_socket(stream_).non_blocking(true, ec);
            for (const auto& item : out_) {
                if (ec) break;
                if (!item.owned.empty()) asio::write(stream_, asio::buffer(item.owned), ec);
            }
            may_write = !ec;  // a TLS record cut short: no close_notify after it
        }
        while (out_.size() > in_flight_) out_.pop_back();
        close_stream(stream_, may_write);
    }

    // --- reading -------------------------------------------------------

    void start_socket_read() {
        if (socket_reading_ || closed_) return;
        socket_reading_ = true;
        stream_.async_read_some(asio::buffer(raw_.data() + raw_end_, raw_.size() - raw_end_),
                                [self = this->shared_from_this()](std::error_code ec, size_t n) {
                                    self->on_socket_read(ec, n);
                                });
    }

    void on_socket_read(std::error_code ec, size_t n) {
        socket_reading_ = false;
        if (closed_) {
            deliver_read();
            return;
        }
        if (ec) {
            if (!read_error_) read_error_ = ec;
        } else {
            raw_end_ += n;
            process_raw();
        }
        deliver_read();
    }

    // Runs wslay over the received bytes: payload lands in app_, control
    // frames it answers are queued for writing.
    void process_raw() {
        const int rv = wslay_event_recv(ws_);
        raw_begin_ = raw_end_ = 0;  // consumed, or reading is over
        collect_control_frames();
        if (rv != 0) {
            read_error_ = make_error_code(errc::protocol_error);
        } else if (!wslay_event_get_read_enabled(ws_)) {
            // wslay stopped reading: a close frame arrived, or it (or we, for
            // a text frame) queued one for a protocol violation.
            if (wslay_event_get_close_received(ws_)) {
                read_error_ = asio::error::eof;  // the peer closed cleanly
            } else if (wslay_event_get_status_code_sent(ws_) == WSLAY_CODE_MESSAGE_TOO_BIG) {
                read_error_ = make_error_code(errc::too_large);
            } else {
                read_error_ = make_error_code(errc::protocol_error);
            }
        }
        pump_writes();
    }

    void deliver_read() {
        if (!read_cb_) return;
        if (closed_) {
            complete_read(asio::error::operation_aborted, 0);
            return;
        }
        if (app_begin_ < app_.size() || read_buf_.size() == 0) {
            const size_t n = std::min(read_buf_.size(), app_.size() - app_begin_);
            std::memcpy(read_buf_.data(), app_.data() + app_begin_, n);
            app_begin_ += n;
            if (app_begin_ == app_.size()) {
                app_.clear();
                app_begin_ = 0;
            }
            complete_read({}, n);
            return;
        }
        if (read_error_) {
            // Hold the end of the stream until our close frame is on the
            // wire, so an owner that closes on EOF cannot cut it off.
            if (wslay_event_get_close_sent(ws_) && !close_written_ && !write_error_) return;
            complete_read(read_error_, 0);
            return;
        }
        start_socket_read();
    }

    void complete_read(std::error_code ec, size_t n) {
        auto cb = std::move(read_cb_);
        read_cb_ = nullptr;
        cb(ec, n);
    }

    // --- writing -------------------------------------------------------

    // Moves the frames wslay has queued (pong, close) into out_ as bytes.
    void collect_control_frames() {
        if (!wslay_event_want_write(ws_)) return;
        const bool close_was_sent = wslay_event_get_close_sent(ws_);
        control_bytes_.clear();
        wslay_event_send(ws_);  // on_wslay_send appends to control_bytes_
        if (control_bytes_.empty()) return;
        out_item item;
        item.owned = std::move(control_bytes_);
        item.has_close = !close_was_sent && wslay_event_get_close_sent(ws_);
        out_.push_back(std::move(item));
        control_bytes_.clear();
    }

    void pump_writes() {
        if (in_flight_ > 0 || out_.empty() || closed_ || write_error_) return;
        std::vector<asio::const_buffer> gather;
        for (const auto& item : out_) {
            const size_t need = item.owned.empty() ? 1 + item.payload.size() : 1;
            if (in_flight_ > 0 && gather.size() + need > max_gather) break;
            if (!item.owned.empty()) {
                gather.push_back(asio::buffer(item.owned));
            } else {
                gather.push_back(asio::buffer(item.header.data(), item.header_len));
                gather.insert(gather.end(), item.payload.begin(), item.payload.end());
            }
            ++in_flight_;
        }
        asio::async_write(stream_, std::move(gather),
                          [self = this->shared_from_this()](std::error_code ec, size_t) {
                              self->on_socket_write(ec);
                          });
    }

    void on_socket_write(std::error_code ec) {
        std::vector<std::pair<transport::io_handler, size_t>> done;
        bool close_written = false;
        for (; in_flight_ > 0; --in_flight_) {
            auto& item = out_.front();
            if (item.cb) done.emplace_back(std::move(item.cb), item.payload_bytes);
            close_written = close_written || item.has_close;
            out_.pop_front();
        }
        if (ec) {
            if (!write_error_) write_error_ = ec;
            for (auto& item : out_) {
                if (item.cb) done.emplace_back(std::move(item.cb), 0);
            }
            out_.clear();
        } else if (close_written) {
            close_written_ = true;
            // Our last frame: half-close so the peer sees the end after it.
            end_sending(stream_);
        }
        for (auto& [cb, bytes] : done) cb(ec, ec ? 0 : bytes);
        if (closed_) {
            finish_close();
            return;
        }
        pump_writes();
        if (read_cb_ && !socket_reading_) deliver_read();
    }

    // --- wslay callbacks (called from inside wslay_event_recv/send) ------

    static ssize_t on_wslay_recv(wslay_event_context_ptr ctx, uint8_t* buf, size_t len, int,
                                 void* user) {
        auto* self = static_cast<ws_stream*>(user);
        const size_t avail = self->raw_end_ - self->raw_begin_;
        if (avail == 0) {
            wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
            return -1;
        }
        const size_t n = std::min(len, avail);
        std::memcpy(buf, self->raw_.data() + self->raw_begin_, n);
        self->raw_begin_ += n;
        return static_cast<ssize_t>(n);
    }

    static ssize_t on_wslay_send(wslay_event_context_ptr, const uint8_t* data, size_t len, int,
                                 void* user) {
        auto* self = static_cast<ws_stream*>(user);
        self->control_bytes_.append(reinterpret_cast<const char*>(data), len);
        return static_cast<ssize_t>(len);
    }

    static void on_wslay_frame_start(wslay_event_context_ptr ctx,
                                     const wslay_event_on_frame_recv_start_arg* arg, void* user) {
        auto* self = static_cast<ws_stream*>(user);
        switch (arg->opcode) {
            case WSLAY_BINARY_FRAME:
            case WSLAY_CONTINUATION_FRAME:  // wslay rejects one without a start
                self->frame_is_data_ = true;
                break;
            case WSLAY_TEXT_FRAME:
                // The stream is binary only [MQTT-6.0.0-1]: fail the connection.
                self->frame_is_data_ = false;
                wslay_event_queue_close(ctx, WSLAY_CODE_PROTOCOL_ERROR, nullptr, 0);
                wslay_event_shutdown_read(ctx);
                break;
            default:  // ping, pong, close: wslay answers them
                self->frame_is_data_ = false;
                break;
        }
    }

    static void on_wslay_frame_chunk(wslay_event_context_ptr,
                                     const wslay_event_on_frame_recv_chunk_arg* arg, void* user) {
        auto* self = static_cast<ws_stream*>(user);
        if (!self->frame_is_data_ || self->read_error_) return;
        self->app_.insert(self->app_.end(), arg->data, arg->data + arg->data_length);
    }

    std::shared_ptr<asio::ssl::context> tls_context_;  // outlives stream_
    Stream stream_;
    asio::steady_timer linger_;  // bounds close() waiting for a write in flight
    wslay_event_context_ptr ws_ = nullptr;

    // Received bytes not yet parsed: raw_[raw_begin_, raw_end_).
    std::vector<uint8_t> raw_;
    size_t raw_begin_ = 0;
    size_t raw_end_ = 0;
    // Payload bytes not yet read by the owner: app_[app_begin_, end). At
    // most one socket read's worth: the socket is read only when it is empty.
    std::vector<uint8_t> app_;
    size_t app_begin_ = 0;
    bool frame_is_data_ = false;

    asio::mutable_buffer read_buf_;
    transport::io_handler read_cb_;
    bool socket_reading_ = false;
    std::error_code read_error_;  // end of the byte stream, once known

    std::deque<out_item> out_;  // frames in write order; the first in_flight_ are being written
    size_t in_flight_ = 0;
    std::string control_bytes_;
    std::error_code write_error_;
    bool close_written_ = false;
    bool closed_ = false;         // close() was called: no new operations
    bool socket_closed_ = false;  // finish_close() ran
};

}  // namespace

ws_transport::ws_transport(std::shared_ptr<ws_stream_base> stream, std::string_view kind,
                           std::optional<std::string> peer_cn, asio::io_context& ctx,
                           size_t thread_index, std::string remote, connection_slot slot)
    : transport(thread_index),
      slot_(std::move(slot)),
      ctx_(ctx),
      remote_(std::move(remote)),
      kind_(kind),
      peer_cn_(std::move(peer_cn)),
      stream_(std::move(stream)) {
    stream_->start();
}

ws_transport::~ws_transport() {
    stream_->close();
}

void ws_transport::async_read_some(asio::mutable_buffer buf, io_handler cb) {
    stream_->async_read_some(buf, std::move(cb));
}

void ws_transport::async_write(std::vector<asio::const_buffer> bufs, io_handler cb) {
    stream_->async_write(std::move(bufs), std::move(cb));
}

void ws_transport::close() {
    stream_->close();
}

namespace {

// One HTTP upgrade in progress on Stream (after the TLS handshake for
// wss): reads the request head (bounded in size, and in time by the
// connection's deadline), answers it, and on success turns the stream into
// a ws_transport.
template <class Stream>
class ws_handshake : public std::enable_shared_from_this<ws_handshake<Stream>> {
public:
    ws_handshake(Stream stream, tls_info tls, pending_connection pc)
        : tls_(std::move(tls)),
          stream_(std::move(stream)),
          pc_(std::move(pc)),
          timer_(*pc_.ctx),
          buf_(pc_.options->max_ws_header_bytes) {}

    void start() {
        timer_.expires_at(pc_.deadline);
        timer_.async_wait([self = this->shared_from_this()](std::error_code ec) {
            if (ec || self->finished_) return;
            spdlog::debug("{}: websocket upgrade from {} timed out", self->pc_.options->name,
                          self->pc_.remote);
            self->fail();
        });
        read();
    }

private:
    void read() {
        stream_.async_read_some(asio::buffer(buf_.data() + used_, buf_.size() - used_),
                                [self = this->shared_from_this()](std::error_code ec, size_t n) {
                                    self->on_read(ec, n);
                                });
    }

    void on_read(std::error_code ec, size_t n) {
        if (finished_) return;
        if (ec) {
            fail();
            return;
        }
        const size_t searched_to = used_;
        used_ += n;
        const std::string_view data(buf_.data(), used_);
        // The blank line may straddle two reads: look back 3 bytes.
        const size_t end = data.find("\r\n\r\n", searched_to < 3 ? 0 : searched_to - 3);
        if (end == std::string_view::npos) {
            if (used_ == buf_.size()) {
                spdlog::debug("{}: websocket upgrade from {} refused: request head over {} bytes",
                              pc_.options->name, pc_.remote, buf_.size());
                respond(http_error_response(431), false, {});
                return;
            }
            read();
            return;
        }
        const std::string_view head = data.substr(0, end + 4);
        ws_upgrade answer =
            answer_upgrade(head, pc_.options->ws_path, pc_.options->ws_subprotocols);
        if (!answer.accepted) {
            spdlog::debug("{}: websocket upgrade from {} refused: {} ({})", pc_.options->name,
                          pc_.remote, answer.status, answer.reason);
        }
        respond(std::move(answer.response), answer.accepted, std::string(data.substr(end + 4)));
    }

    void respond(std::string response, bool upgrade, std::string leftover) {
        response_ = std::move(response);
        writing_ = true;
        asio::async_write(stream_, asio::buffer(response_),
                          [self = this->shared_from_this(), upgrade,
                           leftover = std::move(leftover)](std::error_code ec, size_t) mutable {
                              self->writing_ = false;
                              if (self->finished_) return;
                              if (ec || !upgrade) {
                                  self->fail();
                                  return;
                              }
                              self->succeed(std::move(leftover));
                          });
    }

    void succeed(std::string leftover) {
        finished_ = true;
        timer_.cancel();
        constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;
        auto stream = std::make_shared<ws_stream<Stream>>(
            std::move(stream_), tls_.context, std::move(leftover), pc_.options->max_ws_frame);
        auto t = std::make_unique<ws_transport>(std::move(stream), is_tls ? "wss" : "ws",
                                                std::move(tls_.peer_cn), *pc_.ctx, pc_.thread_index,
                                                std::move(pc_.remote), std::move(pc_.slot));
        auto done = std::move(pc_.done);
        done(std::move(t));
    }

    // Closing here also ends any read or write in flight; their handlers see
    // finished_ and do nothing. The slot is released with this object.
    void fail() {
        finished_ = true;
        timer_.cancel();
        close_stream(stream_, !writing_);
    }

    tls_info tls_;  // outlives stream_
    Stream stream_;
    pending_connection pc_;
    asio::steady_timer timer_;
    std::vector<char> buf_;
    size_t used_ = 0;
    std::string response_;
    bool writing_ = false;
    bool finished_ = false;
};

}  // namespace

void start_ws_handshake(asio::ip::tcp::socket socket, pending_connection pc) {
    std::make_shared<ws_handshake<asio::ip::tcp::socket>>(std::move(socket), tls_info{},
                                                          std::move(pc))
        ->start();
}

void start_ws_handshake(tls_stream stream, tls_info tls, pending_connection pc) {
    std::make_shared<ws_handshake<tls_stream>>(std::move(stream), std::move(tls), std::move(pc))
        ->start();
}

}  // namespace robust::net::detail
