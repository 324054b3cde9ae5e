#include "config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace robust::config {
namespace {

using ::testing::HasSubstr;

using env_map = std::map<std::string, std::string>;

// A TOML file in a fresh temp dir, removed when the test ends.
class temp_file {
public:
    explicit temp_file(std::string_view content) {
        auto dir = std::filesystem::temp_directory_path() /
                   ("config_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
        std::filesystem::create_directories(dir);
        path_ = (dir / "server.toml").string();
        std::ofstream(path_) << content;
    }
    ~temp_file() { std::filesystem::remove_all(std::filesystem::path(path_).parent_path()); }
    const std::string& path() const { return path_; }

private:
    static inline int counter_ = 0;
    std::string path_;
};

server_config load_ok(const std::optional<std::string>& path, const env_map& env = {}) {
    auto out = load_config(path, env);
    EXPECT_TRUE(out.ok()) << out.error;
    EXPECT_TRUE(out.error.empty());
    return out.ok() ? *out.config : server_config{};
}

std::string load_error(const std::optional<std::string>& path, const env_map& env = {}) {
    auto out = load_config(path, env);
    EXPECT_FALSE(out.ok());
    return out.error;
}

std::string file_error(std::string_view toml) {
    temp_file f(toml);
    return load_error(f.path());
}

TEST(ConfigDefaults, NoFileNoEnvGivesDocumentedDefaults) {
    const server_config c = load_ok(std::nullopt);
    EXPECT_EQ(c.node.id, 1u);
    EXPECT_EQ(c.node.data_dir, "./data");
    EXPECT_EQ(c.node.worker_threads, 0u);
    EXPECT_EQ(c.log.level, log_level::info);
    EXPECT_EQ(c.log.format, log_format::text);
    EXPECT_EQ(c.mqtt.bind, "0.0.0.0");
    EXPECT_EQ(c.mqtt.tcp_port, 1883);
    EXPECT_EQ(c.mqtt.ws_port, 8083);
    EXPECT_EQ(c.mqtt.ws_path, "/mqtt");
    EXPECT_EQ(c.mqtt.tls_port, 1885);
    EXPECT_EQ(c.mqtt.wss_port, 8085);
    EXPECT_EQ(c.mqtt.max_connections, 1'000'000u);
    EXPECT_EQ(c.mqtt.max_packet_size, 1024u * 1024u);
    EXPECT_EQ(c.mqtt.connect_timeout_ms, 10'000u);
    EXPECT_EQ(c.mqtt.max_client_id_length, 65535u);
    EXPECT_EQ(c.mqtt.keep_alive_max_s, 65535);
    EXPECT_EQ(c.mqtt.server_keep_alive_s, 0);
    EXPECT_EQ(c.mqtt.receive_maximum, 65535);
    EXPECT_EQ(c.mqtt.max_inflight, 32);
    EXPECT_EQ(c.mqtt.max_queued_messages, 1000u);
    EXPECT_EQ(c.mqtt.topic_alias_maximum, 65535);
    EXPECT_TRUE(c.mqtt.retain_available);
    EXPECT_TRUE(c.mqtt.wildcard_subscription_available);
    EXPECT_TRUE(c.mqtt.shared_subscription_available);
    EXPECT_TRUE(c.mqtt.subscription_identifiers_available);
    EXPECT_EQ(c.mqtt.max_qos, 2);
    EXPECT_EQ(c.mqtt.session_expiry_max_s, 4294967295u);
    EXPECT_EQ(c.mqtt.sys_interval_s, 10u);
    EXPECT_EQ(c.mqtt.send_queue_bytes, 4u * 1024 * 1024);
    EXPECT_EQ(c.storage.engine, storage_engine::rocksdb);
    EXPECT_EQ(c.storage.durability, durability_level::wal);
    EXPECT_EQ(c.storage.retention_ms, 7ull * 24 * 3600 * 1000);
    EXPECT_EQ(c.storage.retention_bytes, 0u);
    EXPECT_EQ(c.storage.reader_threads, 2u);
    EXPECT_TRUE(c.tls.cert_file.empty());
    EXPECT_FALSE(c.tls.verify_peer);
    EXPECT_EQ(c.tls.min_version, tls_version::v1_2);
    EXPECT_EQ(c.auth.anonymous, anonymous_access::loopback);
    EXPECT_EQ(c.auth.acl_default, acl_permission::allow);
    EXPECT_EQ(c.auth.password_iterations, 100'000u);
    EXPECT_EQ(c.http.port, 58080);
    EXPECT_EQ(c.http.admin_user, "admin");
    EXPECT_TRUE(c.http.public_metrics);
    EXPECT_EQ(c.http.token_ttl_s, 3600u);
}

TEST(ConfigDefaults, EmptyFileGivesDefaults) {
    temp_file f("# nothing here\n");
    const server_config c = load_ok(f.path());
    EXPECT_EQ(c.mqtt.tcp_port, 1883);
    EXPECT_EQ(c.storage.durability, durability_level::wal);
}

TEST(ConfigFile, ParsesEverySectionAndType) {
    temp_file f(R"(
[node]
id = 7
data_dir = "/var/lib/robust"
worker_threads = 4

[log]
level = "debug"
format = "json"

[mqtt]
bind = "127.0.0.1"
tcp_port = 11883
ws_port = -1
ws_path = "/ws"
max_packet_size = 65_536
retain_available = false
max_qos = 1
session_expiry_max_s = 3600
send_queue_bytes = 1048576

[storage]
engine = "memory"
durability = "fsync"
retention_ms = 60000
retention_bytes = 1_000_000
reader_threads = 8
)");
    const server_config c = load_ok(f.path());
    EXPECT_EQ(c.node.id, 7u);
    EXPECT_EQ(c.node.data_dir, "/var/lib/robust");
    EXPECT_EQ(c.node.worker_threads, 4u);
    EXPECT_EQ(c.log.level, log_level::debug);
    EXPECT_EQ(c.log.format, log_format::json);
    EXPECT_EQ(c.mqtt.bind, "127.0.0.1");
    EXPECT_EQ(c.mqtt.tcp_port, 11883);
    EXPECT_EQ(c.mqtt.ws_port, -1);
    EXPECT_FALSE(listener_enabled(c.mqtt.ws_port));
    EXPECT_EQ(c.mqtt.ws_path, "/ws");
    EXPECT_EQ(c.mqtt.max_packet_size, 65536u);
    EXPECT_FALSE(c.mqtt.retain_available);
    EXPECT_EQ(c.mqtt.max_qos, 1);
    EXPECT_EQ(c.mqtt.session_expiry_max_s, 3600u);
    EXPECT_EQ(c.mqtt.send_queue_bytes, 1048576u);
    EXPECT_EQ(c.storage.engine, storage_engine::memory);
    EXPECT_EQ(c.storage.durability, durability_level::fsync);
    EXPECT_EQ(c.storage.retention_ms, 60000u);
    EXPECT_EQ(c.storage.retention_bytes, 1'000'000u);
    EXPECT_EQ(c.storage.reader_threads, 8u);
    // Untouched keys keep their defaults.
    EXPECT_EQ(c.mqtt.max_inflight, 32);
}

TEST(ConfigFile, AcceptsIpv6Bind) {
    temp_file f("[mqtt]\nbind = \"::\"\n");
    EXPECT_EQ(load_ok(f.path()).mqtt.bind, "::");
}

TEST(ConfigFile, MissingFileIsAnError) {
    const std::string err = load_error("/nonexistent/dir/server.toml");
    EXPECT_THAT(err, HasSubstr("/nonexistent/dir/server.toml"));
    EXPECT_THAT(err, HasSubstr("No such file"));
}

TEST(ConfigEnv, OverridesDefaults) {
    const server_config c = load_ok(std::nullopt, {{"ROBUSTMQ_MQTT_TCP_PORT", "1884"},
                                                   {"ROBUSTMQ_NODE_DATA_DIR", "/x"},
                                                   {"ROBUSTMQ_AUTH_ANONYMOUS", "deny"},
                                                   {"ROBUSTMQ_LOG_LEVEL", "warn"},
                                                   {"ROBUSTMQ_STORAGE_ENGINE", "memory"}});
    EXPECT_EQ(c.mqtt.tcp_port, 1884);
    EXPECT_EQ(c.node.data_dir, "/x");
    EXPECT_EQ(c.auth.anonymous, anonymous_access::deny);
    EXPECT_EQ(c.log.level, log_level::warn);
    EXPECT_EQ(c.storage.engine, storage_engine::memory);
}

TEST(ConfigEnv, OverridesFile) {
    temp_file f("[mqtt]\ntcp_port = 2000\nws_port = 2001\n");
    const server_config c = load_ok(f.path(), {{"ROBUSTMQ_MQTT_TCP_PORT", "3000"}});
    EXPECT_EQ(c.mqtt.tcp_port, 3000);  // env wins over the file
    EXPECT_EQ(c.mqtt.ws_port, 2001);   // the file wins over the default
}

TEST(ConfigEnv, ParsesBooleanSpellingsAndSignedIntegers) {
    const server_config c = load_ok(std::nullopt, {{"ROBUSTMQ_MQTT_RETAIN_AVAILABLE", "0"},
                                                   {"ROBUSTMQ_HTTP_PUBLIC_METRICS", "No"},
                                                   {"ROBUSTMQ_MQTT_WS_PORT", "-1"},
                                                   {"ROBUSTMQ_MQTT_TCP_PORT", "+1885"}});
    EXPECT_FALSE(c.mqtt.retain_available);
    EXPECT_FALSE(c.http.public_metrics);
    EXPECT_EQ(c.mqtt.ws_port, -1);
    EXPECT_EQ(c.mqtt.tcp_port, 1885);
}

TEST(ConfigEnv, IgnoresOtherVariablesAndWarnsAboutForeignSections) {
    auto out = load_config(std::nullopt, {{"PATH", "/usr/bin"},
                                          {"HOME", "/root"},
                                          // What Kubernetes injects for a service named robustmq.
                                          {"ROBUSTMQ_PORT", "tcp://10.0.0.1:1883"},
                                          {"ROBUSTMQ_SERVICE_HOST", "10.0.0.1"}});
    ASSERT_TRUE(out.ok()) << out.error;
    ASSERT_EQ(out.warnings.size(), 2u);
    EXPECT_THAT(out.warnings[0], HasSubstr("ROBUSTMQ_PORT ignored"));
    EXPECT_THAT(out.warnings[1], HasSubstr("ROBUSTMQ_SERVICE_HOST ignored"));
}

TEST(ConfigEnv, UnknownKeyOfKnownSectionIsRejected) {
    const std::string err = load_error(std::nullopt, {{"ROBUSTMQ_MQTT_TCP_PROT", "1884"}});
    EXPECT_THAT(err, HasSubstr("ROBUSTMQ_MQTT_TCP_PROT"));
    EXPECT_THAT(err, HasSubstr("mqtt.tcp_prot: unknown key"));
    EXPECT_THAT(err, HasSubstr("did you mean mqtt.tcp_port?"));
}

TEST(ConfigEnv, UnparsableValueNamesVariableKeyAndExpectation) {
    std::string err = load_error(std::nullopt, {{"ROBUSTMQ_MQTT_TCP_PORT", "abc"}});
    EXPECT_THAT(err,
                HasSubstr("ROBUSTMQ_MQTT_TCP_PORT: mqtt.tcp_port = \"abc\": expected an integer"));
    err = load_error(std::nullopt, {{"ROBUSTMQ_MQTT_TCP_PORT", "18 83"}});
    EXPECT_THAT(err, HasSubstr("expected an integer"));
    err = load_error(std::nullopt, {{"ROBUSTMQ_MQTT_RETAIN_AVAILABLE", "maybe"}});
    EXPECT_THAT(err, HasSubstr("mqtt.retain_available = \"maybe\": expected true or false"));
    err = load_error(std::nullopt, {{"ROBUSTMQ_NODE_ID", "99999999999999999999"}});
    EXPECT_THAT(err, HasSubstr("node.id"));
}

TEST(ConfigEnv, OutOfRangeValueNamesVariable) {
    const std::string err = load_error(std::nullopt, {{"ROBUSTMQ_MQTT_MAX_PACKET_SIZE", "0"}});
    EXPECT_EQ(err,
              "ROBUSTMQ_MQTT_MAX_PACKET_SIZE: mqtt.max_packet_size = 0: must be between 16 and "
              "268435460");
}

TEST(ConfigEnv, EnvironmentOverridesPicksOnlyRobustmqVariables) {
    std::string a = "ROBUSTMQ_MQTT_TCP_PORT=1884", b = "PATH=/bin",
                c = "ROBUSTMQ_NODE_DATA_DIR=/a=b", d = "ROBUSTMQ_NOEQUALS";
    char* envp[] = {a.data(), b.data(), c.data(), d.data(), nullptr};
    const auto env = environment_overrides(envp);
    EXPECT_EQ(env,
              (env_map{{"ROBUSTMQ_MQTT_TCP_PORT", "1884"}, {"ROBUSTMQ_NODE_DATA_DIR", "/a=b"}}));
    EXPECT_TRUE(environment_overrides(nullptr).empty());
}

TEST(ConfigEnv, VariableNames) {
    EXPECT_EQ(env_var_name("mqtt", "tcp_port"), "ROBUSTMQ_MQTT_TCP_PORT");
    EXPECT_EQ(env_var_name("node", "data_dir"), "ROBUSTMQ_NODE_DATA_DIR");
}

TEST(ConfigErrors, OutOfRangeNamesKeyValueAndRange) {
    const std::string err = file_error("[mqtt]\nmax_packet_size = 0\n");
    EXPECT_THAT(err, HasSubstr("mqtt.max_packet_size = 0: must be between 16 and 268435460"));
    EXPECT_THAT(err, HasSubstr("server.toml:2:1: "));  // where it is
    EXPECT_THAT(file_error("[mqtt]\nmax_qos = 3\n"),
                HasSubstr("mqtt.max_qos = 3: must be between 0 and 2"));
    EXPECT_THAT(file_error("[mqtt]\nreceive_maximum = 0\n"),
                HasSubstr("mqtt.receive_maximum = 0: must be between 1 and 65535"));
    EXPECT_THAT(file_error("[mqtt]\ntopic_alias_maximum = 65536\n"),
                HasSubstr("mqtt.topic_alias_maximum = 65536: must be between 0 and 65535"));
    EXPECT_THAT(file_error("[mqtt]\nsession_expiry_max_s = 4294967296\n"),
                HasSubstr("must be between 0 and 4294967295"));
    EXPECT_THAT(file_error("[node]\nid = 0\n"), HasSubstr("node.id = 0: must be at least 1"));
}

TEST(ConfigErrors, WrongTypeNamesKeyValueAndTypes) {
    EXPECT_THAT(file_error("[mqtt]\ntcp_port = \"1883\"\n"),
                HasSubstr("mqtt.tcp_port = \"1883\": expected an integer, got a string"));
    EXPECT_THAT(file_error("[mqtt]\nretain_available = 1\n"),
                HasSubstr("mqtt.retain_available = 1: expected true or false, got an integer"));
    EXPECT_THAT(file_error("[node]\ndata_dir = 5\n"),
                HasSubstr("node.data_dir = 5: expected a string, got an integer"));
    EXPECT_THAT(file_error("[mqtt]\nmax_packet_size = 1.5\n"),
                HasSubstr("expected an integer, got a floating-point number"));
    EXPECT_THAT(file_error("mqtt = 5\n"), HasSubstr("mqtt = 5: expected a table ([mqtt])"));
}

TEST(ConfigErrors, BadChoiceListsAllowedValues) {
    EXPECT_THAT(file_error("[log]\nlevel = \"verbose\"\n"),
                HasSubstr("log.level = \"verbose\": must be one of trace, debug, info, warn, "
                          "error, off"));
    EXPECT_THAT(file_error("[log]\nformat = \"xml\"\n"),
                HasSubstr("log.format = \"xml\": must be one of text, json"));
    EXPECT_THAT(file_error("[storage]\nengine = \"leveldb\"\n"),
                HasSubstr("storage.engine = \"leveldb\": must be one of rocksdb, memory"));
    EXPECT_THAT(file_error("[storage]\ndurability = \"sync\"\n"),
                HasSubstr("storage.durability = \"sync\": must be one of none, wal, fsync"));
}

TEST(ConfigErrors, BadStrings) {
    EXPECT_THAT(file_error("[mqtt]\nbind = \"localhost\"\n"),
                HasSubstr("mqtt.bind = \"localhost\": must be an IPv4 or IPv6 address"));
    EXPECT_THAT(file_error("[mqtt]\nws_path = \"mqtt\"\n"),
                HasSubstr("mqtt.ws_path = \"mqtt\": must be a URL path starting with '/'"));
    EXPECT_THAT(file_error("[node]\ndata_dir = \"\"\n"),
                HasSubstr("node.data_dir = \"\": must not be empty"));
}

TEST(ConfigErrors, SyntaxErrorHasLineAndColumn) {
    const std::string err = file_error("[mqtt]\ntcp_port = 1883\nws_port = = 3\n");
    EXPECT_THAT(err, HasSubstr("server.toml:3:"));
    EXPECT_THAT(err, HasSubstr("TOML syntax error"));
}

TEST(ConfigErrors, UnknownKeyIsRejectedWithSuggestion) {
    std::string err = file_error("[mqtt]\ntcp_prot = 1884\n");
    EXPECT_THAT(err, HasSubstr("server.toml:2:1: mqtt.tcp_prot: unknown key; did you mean "
                               "mqtt.tcp_port?"));
    err = file_error("[storage]\ncompression = \"lz4\"\n");
    EXPECT_THAT(err, HasSubstr("storage.compression: unknown key; known keys in [storage]: engine, "
                               "durability, retention_ms, retention_bytes, reader_threads"));
}

TEST(ConfigErrors, UnknownSectionIsRejected) {
    const std::string err = file_error("[mqt]\ntcp_port = 1\n");
    EXPECT_THAT(
        err, HasSubstr("[mqt]: unknown section; known sections: node, log, mqtt, kafka, storage"));
}

TEST(ConfigErrors, ReportsEveryProblemOnePerLine) {
    const std::string err = file_error("[mqtt]\nmax_qos = 5\ntcp_prot = 1\n[log]\nlevel = 3\n");
    EXPECT_THAT(err, HasSubstr("mqtt.max_qos = 5"));
    EXPECT_THAT(err, HasSubstr("mqtt.tcp_prot"));
    EXPECT_THAT(err, HasSubstr("log.level = 3"));
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 2);
}

TEST(ConfigPorts, NegativeDisablesZeroMeansAnyAndTooLargeIsRejected) {
    temp_file f("[mqtt]\ntcp_port = 0\nws_port = -5\n");
    const server_config c = load_ok(f.path());
    EXPECT_EQ(c.mqtt.tcp_port, 0);
    EXPECT_TRUE(listener_enabled(c.mqtt.tcp_port));
    EXPECT_EQ(c.mqtt.ws_port, -1);  // every negative value is stored as -1
    EXPECT_FALSE(listener_enabled(c.mqtt.ws_port));

    EXPECT_EQ(load_ok(std::nullopt, {{"ROBUSTMQ_MQTT_TCP_PORT", "65535"}}).mqtt.tcp_port, 65535);
    EXPECT_THAT(file_error("[mqtt]\ntcp_port = 65536\n"),
                HasSubstr("mqtt.tcp_port = 65536: must be negative (listener disabled), 0 (the OS "
                          "picks a free port) or between 1 and 65535"));
}

TEST(ConfigPorts, TwoListenersOnOnePortAreRejected) {
    const std::string err = file_error("[mqtt]\ntcp_port = 1900\nws_port = 1900\n");
    EXPECT_THAT(err, HasSubstr("mqtt.ws_port = 1900: same port as mqtt.tcp_port"));
    EXPECT_THAT(err, HasSubstr("server.toml:3:1: "));
    // Port 0 twice is fine: the OS gives each its own port.
    temp_file ok("[mqtt]\ntcp_port = 0\nws_port = 0\n");
    load_ok(ok.path());
}

TEST(ConfigPorts, TlsPortsClashOnlyOnceTlsIsConfigured) {
    load_ok(std::nullopt, {{"ROBUSTMQ_MQTT_TCP_PORT", "1885"}});  // TLS off: 1885 is free
    EXPECT_THAT(load_error(std::nullopt, {{"ROBUSTMQ_MQTT_TCP_PORT", "1885"},
                                          {"ROBUSTMQ_TLS_CERT_FILE", "c.pem"},
                                          {"ROBUSTMQ_TLS_KEY_FILE", "k.pem"}}),
                HasSubstr("mqtt.tls_port = 1885: same port as mqtt.tcp_port"));
}

TEST(ConfigPorts, AdminPortClashesWithAnMqttPort) {
    EXPECT_THAT(load_error(std::nullopt, {{"ROBUSTMQ_HTTP_PORT", "1883"}}),
                HasSubstr("ROBUSTMQ_HTTP_PORT: http.port = 1883: same port as mqtt.tcp_port"));
}

TEST(ConfigTls, KeyWithoutCertificateNamesBothKeys) {
    EXPECT_THAT(file_error("[tls]\nkey_file = \"k.pem\"\n"),
                HasSubstr("tls.key_file is set but tls.cert_file is not"));
    EXPECT_THAT(file_error("[tls]\ncert_file = \"c.pem\"\n"),
                HasSubstr("tls.cert_file is set but tls.key_file is not"));
}

TEST(ConfigTls, VerifyPeerNeedsACaAndCnNeedsVerification) {
    EXPECT_THAT(file_error("[tls]\nverify_peer = true\n"),
                HasSubstr("tls.verify_peer = true needs tls.ca_file"));
    EXPECT_THAT(file_error("[tls]\ncert_cn_as_username = true\n"),
                HasSubstr("needs tls.verify_peer = true"));
    EXPECT_THAT(file_error("[tls]\nmin_version = \"1.1\"\n"),
                HasSubstr("tls.min_version = \"1.1\": must be one of 1.2, 1.3"));
}

TEST(ConfigAuth, RejectsUnknownAnonymousModeAndTooFewIterations) {
    EXPECT_THAT(load_error(std::nullopt, {{"ROBUSTMQ_AUTH_ANONYMOUS", "maybe"}}),
                HasSubstr("auth.anonymous = \"maybe\": must be one of allow, loopback, deny"));
    EXPECT_THAT(file_error("[auth]\npassword_iterations = 10\n"),
                HasSubstr("auth.password_iterations = 10: must be between 1000 and 10000000"));
}

TEST(ConfigDocs, EveryKeyIsDocumentedWithItsEnvironmentVariable) {
    std::ifstream in(ROBUST_CONFIG_DOC);
    ASSERT_TRUE(in) << "cannot open " << ROBUST_CONFIG_DOC;
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string doc = ss.str();
    const auto keys = config_keys();
    EXPECT_EQ(keys.size(), 66u);
    for (const auto& name : keys) {
        const std::string section = name.substr(0, name.find('.'));
        const std::string key = name.substr(name.find('.') + 1);
        EXPECT_THAT(doc, HasSubstr("| `" + key + "` |")) << name;
        EXPECT_THAT(doc, HasSubstr("`" + env_var_name(section, key) + "`")) << name;
    }
}

}  // namespace
}  // namespace robust::config

namespace robust::config {
namespace {

TEST(ConfigTopicDurability, ParsesRulesInOrder) {
    auto cfg = load_ok(std::nullopt,
                       {{"ROBUSTMQ_STORAGE_TOPIC_DURABILITY", "sensors/#=none, orders/+/x=fsync"}});
    auto rules = parse_topic_durability(cfg.storage.topic_durability);
    ASSERT_EQ(rules.size(), 2u);
    EXPECT_EQ(rules[0].filter, "sensors/#");
    EXPECT_EQ(rules[0].level, durability_level::none);
    EXPECT_EQ(rules[1].filter, "orders/+/x");
    EXPECT_EQ(rules[1].level, durability_level::fsync);
    EXPECT_TRUE(parse_topic_durability("").empty());
}

TEST(ConfigTopicDurability, NamesTheKeyAndTheFixForABadRule) {
    const std::string err =
        load_error(std::nullopt, {{"ROBUSTMQ_STORAGE_TOPIC_DURABILITY", "a/#=slow"}});
    EXPECT_NE(err.find("storage.topic_durability"), std::string::npos) << err;
    EXPECT_NE(err.find("none, wal or fsync"), std::string::npos) << err;
    const std::string err2 =
        load_error(std::nullopt, {{"ROBUSTMQ_STORAGE_TOPIC_DURABILITY", "no-level"}});
    EXPECT_NE(err2.find("filter=level"), std::string::npos) << err2;
}

}  // namespace
}  // namespace robust::config

namespace robust::config {
namespace {

TEST(ConfigTopicBindings, ParsesTenantFilterAndKafkaTopic) {
    auto cfg =
        load_ok(std::nullopt,
                {{"ROBUSTMQ_TOPIC_BINDINGS", "sensors/#=sensors, acme@factory/+/temp = temps"}});
    auto rules = parse_topic_bindings(cfg.topic.bindings);
    ASSERT_EQ(rules.size(), 2u);
    EXPECT_EQ(rules[0].tenant, "default");
    EXPECT_EQ(rules[0].filter, "sensors/#");
    EXPECT_EQ(rules[0].kafka_topic, "sensors");
    EXPECT_EQ(rules[1].tenant, "acme");
    EXPECT_EQ(rules[1].filter, "factory/+/temp");
    EXPECT_EQ(rules[1].kafka_topic, "temps");
    // An '=' inside the MQTT filter is kept (Kafka names have none).
    auto eq = parse_topic_bindings("a=b/c=k");
    ASSERT_EQ(eq.size(), 1u);
    EXPECT_EQ(eq[0].filter, "a=b/c");
    EXPECT_EQ(eq[0].kafka_topic, "k");
    EXPECT_TRUE(parse_topic_bindings("").empty());
}

TEST(ConfigTopicBindings, NamesTheKeyAndTheFixForABadRule) {
    for (const char* bad : {"sensors/#", "sensors/#=", "=k", "a=k,,b=l", "a=k,", "@a=k"}) {
        const std::string err = load_error(std::nullopt, {{"ROBUSTMQ_TOPIC_BINDINGS", bad}});
        EXPECT_NE(err.find("topic.bindings"), std::string::npos) << bad << ": " << err;
        EXPECT_NE(err.find("filter=kafka_topic"), std::string::npos) << bad << ": " << err;
    }
}

}  // namespace
}  // namespace robust::config
