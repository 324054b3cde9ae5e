#pragma once
// subscription_index: which subscriptions does a published topic reach?
//
// A trie with one node per filter level. A node's literal children are keyed
// by the level string, in a short vector while there are few and a hash map
// with transparent lookup once there are many (detail::child_set), so
// matching cuts string_views out of the topic and never builds a std::string;
// the '+' and '#' children are separate pointers so wildcards cost no lookup.
// Matching a topic visits only the nodes on the paths it can take through
// literal and '+' edges, independent of how many subscriptions exist
// elsewhere, and allocates nothing unless the walk has more than 32 pending
// branches.
//
// Plain subscriptions are keyed by (filter, subscriber); shared ones by
// (filter, group, subscriber) and collected into a shared_group per
// (filter, group), from which the broker picks one member per message.
//
// Threading: not thread-safe, by design. Each broker worker thread owns its
// own replica, updated by the subscribe/unsubscribe messages every worker
// receives, so matching needs no lock. Callbacks passed to match() must not
// modify the index they are called from.
//
// Filters are stored as given: validate them (is_valid_topic_filter,
// parse_shared) before adding. An invalid filter is stored literally and
// matches nothing a valid topic name can produce; it never corrupts the trie.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "router/detail/containers.h"

namespace robust::router {

template <class Value>
class subscription_index;

/// The members of one shared subscription group on one filter. The broker
/// delivers each matching message to one member, chosen with pick().
/// Owned by its subscription_index and used on the index's thread only; a
/// reference stays valid until the group loses its last member.
template <class Value>
class shared_group {
public:
    using member = subscriber_entry<Value>;

    shared_group(std::string name, std::string filter)
        : name_(std::move(name)), filter_(std::move(filter)) {}

    /// The share name ("$queue" for "$queue/..." subscriptions).
    std::string_view name() const noexcept { return name_; }
    /// The plain filter the group subscribed to.
    std::string_view filter() const noexcept { return filter_; }

    std::span<const member> members() const noexcept { return members_.items(); }
    auto begin() const noexcept { return members().begin(); }
    auto end() const noexcept { return members().end(); }
    size_t size() const noexcept { return members_.size(); }
    const member* find(uint64_t subscriber) const { return members_.find(subscriber); }

    /// Round-robin: the first member after the previous pick for which
    /// `eligible(uint64_t subscriber, const Value&)` is true (e.g. online and
    /// not over its inflight window). nullptr when no member is eligible.
    template <class Pred>
    const member* pick(Pred&& eligible) {
        const auto items = members_.items();
        const size_t n = items.size();
        for (size_t k = 0; k < n; ++k) {
            const size_t i = (next_ + k) % n;
            if (eligible(items[i].subscriber, items[i].value)) {
                next_ = (i + 1) % n;
                return &items[i];
            }
        }
        return nullptr;
    }
    const member* pick() {
        return pick([](uint64_t, const Value&) { return true; });
    }

private:
    friend class subscription_index<Value>;

    detail::entry_list<Value> members_;
    std::string name_;
    std::string filter_;
    size_t next_ = 0;  // where the next pick starts looking
};

template <class Value>
class subscription_index {
public:
    using entry = subscriber_entry<Value>;
    using group = shared_group<Value>;

    subscription_index() = default;
    subscription_index(subscription_index&&) noexcept = default;
    subscription_index& operator=(subscription_index&&) noexcept = default;
    subscription_index(const subscription_index&) = delete;
    subscription_index& operator=(const subscription_index&) = delete;

    /// Adds the subscription of `subscriber` to the plain `filter` (or, when
    /// `share_group` is non-empty, to that shared group on `filter`), or
    /// replaces its value if it already exists. Returns whether it was new.
    bool add(std::string_view filter, uint64_t subscriber, Value v,
             std::string_view share_group = {}) {
        node* n = descend(filter);
        const bool had_subscriptions = n->has_subscriptions();
        bool added;
        if (share_group.empty()) {
            added = n->entries.upsert(subscriber, std::move(v));
        } else {
            group* g = find_group(*n, share_group);
            if (g == nullptr) {
                if (!n->groups) n->groups = std::make_unique<group_list>();
                n->groups->push_back(
                    std::make_unique<group>(std::string(share_group), std::string(filter)));
                g = n->groups->back().get();
                ++groups_;
            }
            added = g->members_.upsert(subscriber, std::move(v));
        }
        if (added) ++size_;
        if (!had_subscriptions) ++filters_;
        return added;
    }

    /// Removes one subscription; prunes trie nodes left empty. Returns
    /// whether it existed.
    bool remove(std::string_view filter, uint64_t subscriber, std::string_view share_group = {}) {
        // The path from the root, so emptied nodes can be detached bottom-up.
        struct step {
            node* parent;
            std::string_view level;
        };
        std::vector<step> path;
        node* n = &root_;
        for (level_cursor cur{filter}; cur.more;) {
            const std::string_view level = cur.next();
            node* child = child_of(*n, level);
            if (child == nullptr) return false;
            path.push_back(step{n, level});
            n = child;
        }

        bool removed = false;
        if (share_group.empty()) {
            removed = n->entries.erase(subscriber);
        } else if (n->groups) {
            auto& groups = *n->groups;
            for (size_t i = 0; i < groups.size(); ++i) {
                group& g = *groups[i];
                if (g.name_ != share_group) continue;
                removed = g.members_.erase(subscriber);
                if (g.members_.empty()) {
                    --groups_;
                    groups.erase(groups.begin() + static_cast<std::ptrdiff_t>(i));
                    if (groups.empty()) n->groups.reset();
                }
                break;
            }
        }
        if (!removed) return false;
        --size_;
        if (!n->has_subscriptions()) --filters_;

        for (auto it = path.rbegin(); it != path.rend(); ++it) {
            node* child = child_of(*it->parent, it->level);
            if (!child->is_empty()) break;
            detach(*it->parent, it->level);
        }
        return true;
    }

    /// The value stored for one subscription, or nullptr.
    const Value* find(std::string_view filter, uint64_t subscriber,
                      std::string_view share_group = {}) const {
        const node* n = &root_;
        for (level_cursor cur{filter}; cur.more;) {
            n = child_of(*n, cur.next());
            if (n == nullptr) return nullptr;
        }
        const entry* e = nullptr;
        if (share_group.empty()) {
            e = n->entries.find(subscriber);
        } else if (const group* g = find_group(*n, share_group)) {
            e = g->members_.find(subscriber);
        }
        return e == nullptr ? nullptr : &e->value;
    }

    /// Calls `on_entry(uint64_t subscriber, const Value&)` once per plain
    /// subscription whose filter matches `topic` (a subscriber with two
    /// matching filters is reported twice; the caller merges), and
    /// `on_group(shared_group<Value>&)` once per matching shared group.
    /// Order is unspecified. `topic` should be a valid topic name.
    template <class OnEntry, class OnGroup>
    void match(std::string_view topic, OnEntry&& on_entry, OnGroup&& on_group) {
        if (topic.empty()) return;
        // [MQTT-4.7.2-1] a '$' topic is not reached through a first-level wildcard.
        const bool dollar = topic.front() == '$';

        struct frame {
            node* n;
            size_t pos;     // where the topic's next level starts
            bool has_more;  // whether the topic has a level at pos
        };
        detail::small_stack<frame, 32> stack;
        stack.push(frame{&root_, 0, true});
        while (!stack.empty()) {
            const frame f = stack.pop();
            node* n = f.n;
            const bool wild_ok = !(dollar && n == &root_);
            // '#' matches the remaining levels, none included ("sport/#" ~ "sport").
            if (n->hash && wild_ok) report(*n->hash, on_entry, on_group);
            if (!f.has_more) {
                report(*n, on_entry, on_group);
                continue;
            }
            const size_t slash = topic.find('/', f.pos);
            const bool last = slash == std::string_view::npos;
            const std::string_view level =
                topic.substr(f.pos, last ? std::string_view::npos : slash - f.pos);
            const size_t next_pos = last ? topic.size() : slash + 1;
            if (node* child = n->children.find(level)) stack.push(frame{child, next_pos, !last});
            if (n->plus && wild_ok) stack.push(frame{n->plus.get(), next_pos, !last});
        }
    }

    /// Number of subscriptions (plain ones plus shared-group members).
    size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    /// Number of distinct filters with at least one subscription.
    size_t count_filters() const noexcept { return filters_; }
    /// Shared groups (a group is one name on one filter) with members.
    size_t count_groups() const noexcept { return groups_; }

    /// Trie nodes including the root, by walking the whole trie: O(nodes).
    /// For tests (pruning) and diagnostics, not for the hot path.
    size_t count_nodes() const {
        size_t count = 0;
        std::vector<const node*> stack{&root_};
        while (!stack.empty()) {
            const node* n = stack.back();
            stack.pop_back();
            ++count;
            n->children.for_each([&](std::string_view, const node& c) { stack.push_back(&c); });
            if (n->plus) stack.push_back(n->plus.get());
            if (n->hash) stack.push_back(n->hash.get());
        }
        return count;
    }

private:
    struct node;
    using group_list = std::vector<std::unique_ptr<group>>;

    struct node {
        detail::child_set<node> children;    // literal levels
        std::unique_ptr<node> plus;          // the '+' level
        std::unique_ptr<node> hash;          // the '#' level
        detail::entry_list<Value> entries;   // plain subscriptions ending here
        std::unique_ptr<group_list> groups;  // shared groups ending here (rare: off-node)

        bool has_subscriptions() const noexcept { return !entries.empty() || groups; }
        bool is_empty() const noexcept {
            return !has_subscriptions() && children.empty() && !plus && !hash;
        }
    };

    using level_cursor = detail::level_cursor;

    static node* child_of(const node& n, std::string_view level) {
        if (level == "+") return n.plus.get();
        if (level == "#") return n.hash.get();
        return n.children.find(level);
    }

    node* descend(std::string_view filter) {
        node* n = &root_;
        for (level_cursor cur{filter}; cur.more;) {
            const std::string_view level = cur.next();
            if (level == "+" || level == "#") {
                std::unique_ptr<node>& slot = level == "+" ? n->plus : n->hash;
                if (!slot) slot = std::make_unique<node>();
                n = slot.get();
            } else {
                n = &n->children.get_or_create(level);
            }
        }
        return n;
    }

    static void detach(node& parent, std::string_view level) {
        if (level == "+") {
            parent.plus.reset();
        } else if (level == "#") {
            parent.hash.reset();
        } else {
            parent.children.erase(level);
        }
    }

    static group* find_group(const node& n, std::string_view name) {
        if (!n.groups) return nullptr;
        for (const auto& g : *n.groups) {
            if (g->name_ == name) return g.get();
        }
        return nullptr;
    }

    template <class OnEntry, class OnGroup>
    static void report(node& n, OnEntry& on_entry, OnGroup& on_group) {
        for (const entry& e : n.entries.items()) on_entry(e.subscriber, e.value);
        if (n.groups) {
            for (auto& g : *n.groups) on_group(*g);
        }
    }

    node root_;
    size_t size_ = 0;
    size_t filters_ = 0;
    size_t groups_ = 0;
};

}  // namespace robust::router
