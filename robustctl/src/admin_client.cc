#include "admin_client.h"

#include <chrono>

#include <httplib.h>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

namespace robust::ctl {
namespace {

constexpr int connect_timeout_s = 5;
constexpr int io_timeout_s = 30;

// Why a TCP connection to host:port fails, in the OS's words.
std::string diagnose_connect(const server_url& server) {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    asio::ip::tcp::socket socket(io);
    std::error_code result = asio::error::would_block;
    resolver.async_resolve(
        server.host, std::to_string(server.port),
        [&](std::error_code ec, const asio::ip::tcp::resolver::results_type& endpoints) {
            if (ec) {
                result = ec;
                return;
            }
            asio::async_connect(
                socket, endpoints,
                [&](std::error_code ec2, const asio::ip::tcp::endpoint&) { result = ec2; });
        });
    io.run_for(std::chrono::seconds(connect_timeout_s));
    if (result == asio::error::would_block) return "Connection timed out";
    if (!result) return {};
    return result.message();
}

std::string describe(httplib::Error e, const server_url& server) {
    switch (e) {
        case httplib::Error::Connection: {
            auto why = diagnose_connect(server);
            return why.empty() ? "could not establish a connection" : why;
        }
        case httplib::Error::ConnectionTimeout:
            return "Connection timed out";
        case httplib::Error::SSLConnection:
            return "TLS handshake failed";
        case httplib::Error::SSLServerVerification:
            return "TLS certificate verification failed";
        case httplib::Error::SSLLoadingCerts:
            return "could not load the CA certificates";
        case httplib::Error::Read:
            return "connection closed before the answer was read";
        case httplib::Error::Write:
            return "connection closed while sending the request";
        default:
            return "HTTP client error: " + httplib::to_string(e);
    }
}

}  // namespace

http_outcome execute_request(const server_url& server, const credentials& creds,
                             const request& req) {
    httplib::Client client(server.scheme_host_port());
    client.set_connection_timeout(connect_timeout_s, 0);
    client.set_read_timeout(io_timeout_s, 0);
    client.set_write_timeout(io_timeout_s, 0);
    client.set_url_encode(false);  // request::target() is encoded already
    client.set_keep_alive(false);
    if (req.send_credentials) {
        if (creds.type == credentials::kind::basic) {
            client.set_basic_auth(creds.user.c_str(), creds.password.c_str());
        } else if (creds.type == credentials::kind::bearer) {
            client.set_bearer_token_auth(creds.token.c_str());
        }
    }
    const httplib::Headers headers{{"Accept", "application/json"}};
    const std::string target = server.base_path + req.target();
    const std::string body = req.body ? req.body->dump() : std::string();
    const char* type = "application/json";

    httplib::Result res = [&] {
        if (req.method == "GET") return client.Get(target.c_str(), headers);
        if (req.method == "POST") return client.Post(target.c_str(), headers, body, type);
        if (req.method == "PATCH") return client.Patch(target.c_str(), headers, body, type);
        if (req.method == "PUT") return client.Put(target.c_str(), headers, body, type);
        if (req.body) return client.Delete(target.c_str(), headers, body, type);
        return client.Delete(target.c_str(), headers);
    }();

    http_outcome out;
    if (!res) {
        out.failure = describe(res.error(), server);
        return out;
    }
    http_answer a;
    a.status = res->status;
    a.body = res->body;
    a.retry_after = res->get_header_value("Retry-After");
    out.answer = std::move(a);
    return out;
}

}  // namespace robust::ctl
