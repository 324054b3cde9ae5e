#pragma once
// The server's typed configuration: plain structs whose member initialisers
// are the defaults, and load_config(), which fills them from a TOML file and
// ROBUSTMQ_<SECTION>_<KEY> environment variables and validates the result.
//
// Every key is documented in docs/config.md (a test checks that the table
// there lists exactly the keys load_config() accepts).
//
// Threading: load_config() and environment_overrides() are pure functions of
// their arguments (they read only the named file) and may run on any thread.
// A server_config is a value; main loads it once at start-up and hands copies
// or const references to the modules it builds.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace robust::config {

/// [node]: this process.
struct node_config {
    uint64_t id = 1;                  // unique per cluster, 1..2^63-1
    std::string data_dir = "./data";  // journal, metadata, admin secret
    uint32_t worker_threads = 0;      // I/O threads; 0 = one per core
};

enum class log_level { trace, debug, info, warn, error, off };
enum class log_format { text, json };

/// [log]
struct log_config {
    log_level level = log_level::info;
    log_format format = log_format::text;
};

/// A listener port: negative = listener disabled, 0 = the OS picks a free
/// port (tests), 1..65535 = that port. Validated by load_config().
using port_number = int32_t;
constexpr bool listener_enabled(port_number port) noexcept {
    return port >= 0;
}

/// [mqtt]: MQTT listeners and the limits the MQTT server enforces or
/// advertises (CONNACK properties). Sizes are bytes, times as suffixed.
struct mqtt_config {
    std::string bind = "0.0.0.0";  // an IPv4 or IPv6 address literal
    port_number tcp_port = 1883;
    port_number ws_port = 8083;
    std::string ws_path = "/mqtt";
    port_number tls_port = 1885;  // MQTT over TLS: opened only when [tls] has a certificate
    port_number wss_port = 8085;  // MQTT over secure WebSocket: likewise
    uint64_t max_connections = 1'000'000;    // per listener
    uint32_t max_packet_size = 1024 * 1024;  // whole packet, 16..268435460
    uint32_t connect_timeout_ms = 10'000;    // TCP accept -> CONNECT received
    uint32_t max_client_id_length = 65535;
    uint16_t keep_alive_max_s = 65535;    // clients asking for more get this
    uint16_t server_keep_alive_s = 0;     // 0 = use the client's keep alive
    uint16_t receive_maximum = 65535;     // inbound QoS 1/2 window per client
    uint16_t max_inflight = 32;           // outbound QoS 1/2 window per session
    uint32_t max_queued_messages = 1000;  // per session: offline + overflow
    uint16_t topic_alias_maximum = 65535;
    bool retain_available = true;
    bool wildcard_subscription_available = true;
    bool shared_subscription_available = true;
    bool subscription_identifiers_available = true;
    uint8_t max_qos = 2;
    uint32_t session_expiry_max_s = 4294967295;   // 4294967295 = never expires
    uint32_t sys_interval_s = 10;                 // 0 = no $SYS topics
    uint64_t send_queue_bytes = 4 * 1024 * 1024;  // per connection, outgoing
};

/// [kafka]: the Kafka listener and the broker-side defaults Kafka clients
/// see (topic creation, request limits, consumer-group timeouts).
struct kafka_config {
    std::string bind = "0.0.0.0";  // an IPv4 or IPv6 address literal
    port_number port = 9092;
    port_number tls_port = 9093;  // Kafka over TLS: opened only when [tls] has a certificate
    /// Host name or address Metadata tells clients to connect to; empty =
    /// the local address of the connection the client came in on.
    std::string advertised_host;
    uint64_t max_connections = 100'000;  // per listener
    uint32_t max_request_bytes =
        100 * 1024 * 1024;  // one request, as Kafka's socket.request.max.bytes
    uint32_t max_message_bytes =
        1024 * 1024 + 12;            // one record batch, as Kafka's message.max.bytes
    bool auto_create_topics = true;  // Metadata / Produce create unknown topics
    uint32_t num_partitions = 1;     // partitions of auto-created topics
    uint32_t group_min_session_timeout_ms = 6'000;
    uint32_t group_max_session_timeout_ms = 1'800'000;
    uint32_t group_initial_rebalance_delay_ms = 3'000;
};

enum class storage_engine { rocksdb, memory };
enum class durability_level { none, wal, fsync };

/// [storage]: the journal kernel.
struct storage_config {
    storage_engine engine = storage_engine::rocksdb;
    durability_level durability = durability_level::wal;
    uint64_t retention_ms = 7ull * 24 * 3600 * 1000;  // 0 = keep forever
    uint64_t retention_bytes = 0;                     // per shard; 0 = unlimited
    uint32_t reader_threads = 2;
    /// Per-topic durability overriding `durability`: comma-separated
    /// "filter=level" rules, first match wins, e.g.
    /// "sensors/#=none, orders/#=fsync". Empty: every topic uses `durability`.
    std::string topic_durability;
};

/// One rule of storage.topic_durability.
struct topic_durability_rule {
    std::string filter;
    durability_level level = durability_level::wal;
};
/// The comma-separated rules of a list value (storage.topic_durability,
/// topic.bindings), trimmed of spaces; empty ones are kept (as "") so that
/// a check can refuse them. Nothing for an empty or blank value.
std::vector<std::string_view> split_rules(std::string_view rules);
/// Parses storage.topic_durability (already validated by load_config).
std::vector<topic_durability_rule> parse_topic_durability(std::string_view rules);

/// [topic]: kernel topics, shared by the protocols.
struct topic_config {
    /// MQTT topic filters bound to Kafka topics (docs/kafka.md, "MQTT and
    /// Kafka on one topic"): comma-separated "[tenant@]filter=kafka_topic"
    /// rules, e.g. "sensors/#=sensors, acme@factory/+/temp=temps". Created
    /// at start (with their Kafka topics) beside those made through the
    /// admin API. Empty: none from the config.
    std::string bindings;
};

/// One rule of topic.bindings.
struct topic_binding_rule {
    std::string tenant = "default";
    std::string filter;
    std::string kafka_topic;
};
/// Parses topic.bindings (already checked by load_config).
std::vector<topic_binding_rule> parse_topic_bindings(std::string_view rules);

enum class tls_version { v1_2, v1_3 };

/// [tls]: the certificate of every TLS listener (MQTT over TLS and WSS).
/// Without cert_file the TLS listeners stay closed.
struct tls_config {
    std::string cert_file;             // PEM, the server certificate (chain)
    std::string key_file;              // PEM, its private key
    std::string ca_file;               // PEM, CAs that client certificates are checked against
    bool verify_peer = false;          // require a client certificate signed by ca_file
    bool cert_cn_as_username = false;  // a verified client certificate's CN is the user name
    tls_version min_version = tls_version::v1_2;
};

enum class anonymous_access { allow, loopback, deny };
enum class acl_permission { allow, deny };

/// [auth]: protocol-neutral authentication and authorisation.
struct auth_config {
    /// Clients without a user name: always, only from 127.0.0.0/8 and ::1, or never.
    anonymous_access anonymous = anonymous_access::loopback;
    /// The decision when no ACL rule matches (superusers bypass ACLs).
    acl_permission acl_default = acl_permission::allow;
    /// PBKDF2-HMAC-SHA256 iterations for newly set passwords.
    uint32_t password_iterations = 100'000;
};

/// [http]: the admin HTTP server (REST API, dashboard, /metrics, /health).
struct http_config {
    std::string bind = "0.0.0.0";
    port_number port = 58080;
    std::string admin_user = "admin";  // the superuser created on first start
    /// Where the first start writes (or, if it exists, reads) the admin
    /// password; empty = <node.data_dir>/admin.secret.
    std::string admin_secret_file;
    uint32_t token_ttl_s = 3600;              // lifetime of a login token
    bool public_metrics = true;               // /metrics without auth
    bool public_health = true;                // /health/* without auth
    uint32_t login_failures_per_minute = 10;  // per client address, then 429
    /// The built dashboard (dashboard/dist) served at `/`; empty = search
    /// beside the binary, the build tree and /usr/share/robustmq/dashboard.
    std::string dashboard_dir;
};

struct server_config {
    node_config node;
    log_config log;
    mqtt_config mqtt;
    kafka_config kafka;
    storage_config storage;
    topic_config topic;
    tls_config tls;
    auth_config auth;
    http_config http;
};

/// What load_config() answers. result<T> carries only an error_code, and a
/// config error is for a human: it must name the key, the value and what is
/// allowed. So this is its own small type: exactly one of `config` and
/// `error` is set.
struct [[nodiscard]] config_outcome {
    std::optional<server_config> config;  // set iff the config is valid
    // Every problem found, one per line ("\n"-separated), each naming the key
    // as `section.key` and where it came from (file:line:column or the
    // environment variable), e.g.
    //   server.toml:7:19: mqtt.max_packet_size = 0: must be between 16 and 268435460
    std::string error;
    // Things that were ignored but may be a mistake, for main to log once
    // logging is set up: ROBUSTMQ_ variables naming no known section (a
    // Kubernetes service called "robustmq" injects ROBUSTMQ_PORT etc.).
    std::vector<std::string> warnings;

    bool ok() const noexcept { return config.has_value(); }
};

/// Builds the config: defaults, then the TOML file at `path` (if given),
/// then `env` (ROBUSTMQ_<SECTION>_<KEY>=value; other names are ignored),
/// then cross-key validation.
/// Fails (error set) on: an unreadable file, a TOML syntax error (with line
/// and column), an unknown section or key in the file, an unknown key of a
/// known section in the environment (typo protection), a value of the wrong
/// type or unparsable, a value out of range, clashing listener ports, and
/// a [tls] section that cannot work (key without certificate, verify_peer
/// without ca_file).
config_outcome load_config(const std::optional<std::string>& path,
                           const std::map<std::string, std::string>& env);

/// The ROBUSTMQ_* entries of a NULL-terminated "NAME=value" array such as
/// POSIX `environ`. A null `envp` gives an empty map.
std::map<std::string, std::string> environment_overrides(char** envp);

/// Every accepted key as "section.key", in documentation order.
std::vector<std::string> config_keys();

/// The environment variable that overrides "section.key":
/// env_var_name("mqtt", "tcp_port") == "ROBUSTMQ_MQTT_TCP_PORT".
std::string env_var_name(std::string_view section, std::string_view key);

std::string_view to_string(log_level v) noexcept;  // "trace" .. "off"
std::string_view to_string(log_format v) noexcept;
std::string_view to_string(storage_engine v) noexcept;
std::string_view to_string(durability_level v) noexcept;
std::string_view to_string(tls_version v) noexcept;       // "1.2", "1.3"
std::string_view to_string(anonymous_access v) noexcept;  // "allow", "loopback", "deny"
std::string_view to_string(acl_permission v) noexcept;    // "allow", "deny"

}  // namespace robust::config
