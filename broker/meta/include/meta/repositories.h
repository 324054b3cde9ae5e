#pragma once
// Typed repositories: thin wrappers that put model.h records into a
// meta_store and read them back.
//
// Each repository holds a reference to a store it does not own; the store
// must outlive it. Every method is a synchronous store call: it may run on
// any thread but blocks on the engine, so never call one from an I/O thread
// (build a batch with put_mutation / erase_mutation and use
// meta_store::apply_async there instead). A repository has no state of its
// own, so it is as thread-safe as its store.
//
// Errors: whatever the store returns (io_error), invalid_argument from
// encoding, corruption / unsupported from decoding a stored value (the key is
// logged).
//
// Listing is paged: pass limit and the previous page's next_cursor (empty for
// the first page). next_cursor is empty when the listing is complete; a page
// that came back full has a non-empty cursor even if nothing follows it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "meta/meta_store.h"
#include "meta/model.h"

namespace robust::meta {

template <class T>
struct page {
    std::vector<T> items;
    std::string next_cursor;  // empty: no more pages
};

class topic_repo {
public:
    explicit topic_repo(meta_store& store) : store_(store) {}

    status put(const topic_record& r);
    result<std::optional<topic_record>> get(std::string_view tenant, std::string_view name) const;
    status erase(std::string_view tenant, std::string_view name);
    result<page<topic_record>> list_by_tenant(std::string_view tenant, size_t limit,
                                              std::string_view cursor = {}) const;
    result<page<topic_record>> list_all(size_t limit, std::string_view cursor = {}) const;

private:
    meta_store& store_;
};

class mqtt_session_repo {
public:
    explicit mqtt_session_repo(meta_store& store) : store_(store) {}

    status put(const mqtt_session_record& r);
    result<std::optional<mqtt_session_record>> get(std::string_view tenant,
                                                   std::string_view client_id) const;
    /// Erases the session record only; see erase_all_for_client for its
    /// subscriptions, or erase_with_subscriptions for both at once.
    status erase(std::string_view tenant, std::string_view client_id);
    result<page<mqtt_session_record>> list_by_tenant(std::string_view tenant, size_t limit,
                                                     std::string_view cursor = {}) const;
    result<page<mqtt_session_record>> list_all(size_t limit, std::string_view cursor = {}) const;

    status put_subscription(const mqtt_subscription_record& r);
    /// `filter` as the client sent it (including "$share/...").
    status erase_subscription(std::string_view tenant, std::string_view client_id,
                              std::string_view filter);
    /// Every subscription of one client, in key order.
    result<std::vector<mqtt_subscription_record>> list_for_client(std::string_view tenant,
                                                                  std::string_view client_id) const;
    /// Every subscription of every client, paged (rebuilding the router at start-up).
    result<page<mqtt_subscription_record>> list_all_subscriptions(
        size_t limit, std::string_view cursor = {}) const;
    /// Erases all of one client's subscriptions in one atomic write.
    status erase_all_for_client(std::string_view tenant, std::string_view client_id);
    /// The session and all its subscriptions in one atomic write (session expiry).
    status erase_with_subscriptions(std::string_view tenant, std::string_view client_id);

private:
    result<std::vector<mutation>> subscription_erasures(std::string_view tenant,
                                                        std::string_view client_id) const;

    meta_store& store_;
};

class retained_repo {
public:
    explicit retained_repo(meta_store& store) : store_(store) {}

    status put(const retained_record& r);
    result<std::optional<retained_record>> get(std::string_view tenant,
                                               std::string_view topic) const;
    status erase(std::string_view tenant, std::string_view topic);
    result<page<retained_record>> list_by_tenant(std::string_view tenant, size_t limit,
                                                 std::string_view cursor = {}) const;
    /// Every retained message, paged (loading the retained tree at start-up).
    result<page<retained_record>> list_all(size_t limit, std::string_view cursor = {}) const;

private:
    meta_store& store_;
};

}  // namespace robust::meta
