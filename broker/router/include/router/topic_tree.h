#pragma once
// topic_tree: values stored by topic name (retained messages), searchable by
// topic filter.
//
// The mirror image of subscription_index: the trie holds topic names and the
// query is a filter. match_filter() walks only the branches the filter can
// reach: a literal level is one hash lookup, '+' fans out over one node's
// children, '#' takes a whole subtree. A subscription to "a/b/+" therefore
// never looks at the retained messages under "x/...".
//
// Threading: not thread-safe; owned and used by one thread (the retained
// message service's, or a worker's replica). Callbacks must not modify the
// tree they are called from.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "router/detail/containers.h"

namespace robust::router {

template <class Value>
class topic_tree {
public:
    topic_tree() = default;
    topic_tree(topic_tree&&) noexcept = default;
    topic_tree& operator=(topic_tree&&) noexcept = default;
    topic_tree(const topic_tree&) = delete;
    topic_tree& operator=(const topic_tree&) = delete;

    /// Stores `v` under `topic` (a valid topic name), replacing any previous
    /// value. Returns whether the topic was new.
    bool set(std::string_view topic, Value v) {
        node* n = &root_;
        for (detail::level_cursor cur{topic}; cur.more;) {
            const std::string_view level = cur.next();
            n = &n->children.get_or_create(level);
        }
        const bool added = !n->value.has_value();
        n->value = std::move(v);
        if (added) ++size_;
        return added;
    }

    /// Removes `topic` and prunes nodes left empty. Returns whether it existed.
    bool erase(std::string_view topic) {
        struct step {
            node* parent;
            std::string_view level;
        };
        std::vector<step> path;
        node* n = &root_;
        for (detail::level_cursor cur{topic}; cur.more;) {
            const std::string_view level = cur.next();
            node* child = child_of(*n, level);
            if (child == nullptr) return false;
            path.push_back(step{n, level});
            n = child;
        }
        if (!n->value) return false;
        n->value.reset();
        --size_;
        for (auto it = path.rbegin(); it != path.rend(); ++it) {
            const node* child = child_of(*it->parent, it->level);
            if (child->value || !child->children.empty()) break;
            it->parent->children.erase(it->level);
        }
        return true;
    }

    /// The value stored under exactly `topic`, or nullptr.
    const Value* find(std::string_view topic) const {
        const node* n = &root_;
        for (detail::level_cursor cur{topic}; cur.more;) {
            n = child_of(*n, cur.next());
            if (n == nullptr) return nullptr;
        }
        return n->value ? &*n->value : nullptr;
    }
    Value* find(std::string_view topic) {
        return const_cast<Value*>(std::as_const(*this).find(topic));
    }

    /// Calls `cb(std::string_view topic, const Value&)` for every stored topic
    /// that the plain `filter` matches (topic_matches semantics, including
    /// the '$' rule [MQTT-4.7.2-1]). The topic view is valid during the call
    /// only. Order is unspecified.
    template <class Callback>
    void match_filter(std::string_view filter, Callback&& cb) const {
        if (filter.empty()) return;
        // [MQTT-4.7.2-1] a first-level wildcard does not reach "$..." topics.
        const std::string_view first = filter.substr(0, filter.find('/'));
        const bool skip_dollar = first == "+" || first == "#";

        struct frame {
            const node* n;
            std::string_view key;  // this node's level; points into the parent's map
            size_t parent_len;     // length of the parent's topic in `path`
            size_t depth;          // 0 for the root
            size_t fpos;           // where the filter's next level starts
            bool fmore;            // whether the filter has a level at fpos
            bool subtree;          // under a '#': everything below matches
        };
        std::vector<frame> stack;
        std::string path;  // the topic of the node being visited
        stack.push_back(frame{&root_, {}, 0, 0, 0, true, false});

        auto push_children = [&](const frame& f, size_t len, size_t fpos, bool fmore,
                                 bool subtree) {
            f.n->children.for_each([&](std::string_view key, const node& child) {
                if (f.depth == 0 && skip_dollar && key.starts_with('$')) return;
                stack.push_back(frame{&child, key, len, f.depth + 1, fpos, fmore, subtree});
            });
        };

        while (!stack.empty()) {
            const frame f = stack.back();
            stack.pop_back();
            path.resize(f.parent_len);
            if (f.depth >= 2) path.push_back('/');
            path.append(f.key);
            const size_t len = path.size();

            if (f.subtree) {
                if (f.n->value) cb(std::string_view(path), *f.n->value);
                push_children(f, len, 0, false, true);
                continue;
            }
            if (!f.fmore) {
                if (f.n->value) cb(std::string_view(path), *f.n->value);
                continue;
            }
            const size_t slash = filter.find('/', f.fpos);
            const bool last = slash == std::string_view::npos;
            const std::string_view level =
                filter.substr(f.fpos, last ? std::string_view::npos : slash - f.fpos);
            const size_t next_pos = last ? filter.size() : slash + 1;
            if (level == "#") {
                // '#' includes the parent level: "sport/#" matches "sport".
                if (f.n->value && f.depth > 0) cb(std::string_view(path), *f.n->value);
                push_children(f, len, 0, false, true);
            } else if (level == "+") {
                push_children(f, len, next_pos, !last, false);
            } else if (const node* child = child_of(*f.n, level)) {
                stack.push_back(frame{child, level, len, f.depth + 1, next_pos, !last, false});
            }
        }
    }

    size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }

    /// Trie nodes including the root, by walking the whole trie: O(nodes).
    /// For tests (pruning) and diagnostics.
    size_t count_nodes() const {
        size_t count = 0;
        std::vector<const node*> stack{&root_};
        while (!stack.empty()) {
            const node* n = stack.back();
            stack.pop_back();
            ++count;
            n->children.for_each([&](std::string_view, const node& c) { stack.push_back(&c); });
        }
        return count;
    }

private:
    struct node {
        detail::child_set<node> children;
        std::optional<Value> value;
    };

    static node* child_of(const node& n, std::string_view level) { return n.children.find(level); }

    node root_;
    size_t size_ = 0;
};

}  // namespace robust::router
