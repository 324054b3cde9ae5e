#pragma once
// catalog: the kernel topics as Kafka sees them — the shared topic catalog
// (meta/topic_catalog.h), listing only topics whose names Kafka accepts.
//
// Created and started by server_impl; every method may be called from any
// thread.

#include <memory>
#include <string_view>
#include <vector>

#include "meta/topic_catalog.h"
#include "meta/topics.h"

namespace robust::kafka {

using topic_entry = meta::topic_entry;

/// Kafka's topic name rule (meta::valid_kafka_topic_name).
inline bool valid_topic_name(std::string_view name) noexcept {
    return meta::valid_kafka_topic_name(name);
}

class catalog : public meta::topic_catalog {
public:
    using meta::topic_catalog::topic_catalog;

    /// Every topic of `tenant` whose name is a valid Kafka name, by name
    /// (MQTT topics such as "sensors/temp" are kernel topics too).
    std::vector<std::shared_ptr<const topic_entry>> list(std::string_view tenant) const;
};

}  // namespace robust::kafka
