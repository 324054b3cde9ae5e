#pragma once
// Building blocks of the router's tries; not part of the router's API.
// Header-only because the tries are templates over the broker's value type.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace robust::router {

/// One subscriber's subscription to one filter, with what the broker keeps
/// about it (QoS, options, subscription id...).
template <class Value>
struct subscriber_entry {
    uint64_t subscriber;
    Value value;
};

}  // namespace robust::router

namespace robust::router::detail {

// Cuts the next level off the front of `rest`; `more` says whether a level
// is still left ("a/" has two levels, the second one empty).
struct level_cursor {
    std::string_view rest;
    bool more = true;

    std::string_view next() {
        const size_t slash = rest.find('/');
        const std::string_view level = rest.substr(0, slash);
        if (slash == std::string_view::npos) {
            rest = {};
            more = false;
        } else {
            rest.remove_prefix(slash + 1);
        }
        return level;
    }
};

// Transparent hash so a trie level can be looked up with a string_view cut
// from the topic, without building a std::string per level.
struct string_hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

// The literal children of a trie node, by level. Most nodes have one child
// ("device/42" -> "temp"), for which a hash map costs ~240 bytes (libstdc++
// allocates 13 buckets on the first insert), so a node starts with a short
// vector searched linearly and switches to a hash map past few_limit
// children. Lookups take a string_view and never allocate.
template <class Node>
class child_set {
public:
    Node* find(std::string_view level) const {
        if (many_) {
            auto it = many_->find(level);
            return it == many_->end() ? nullptr : it->second.get();
        }
        for (const auto& [key, child] : few_) {
            if (key == level) return child.get();
        }
        return nullptr;
    }

    Node& get_or_create(std::string_view level) {
        if (Node* n = find(level)) return *n;
        auto child = std::make_unique<Node>();
        Node& ref = *child;
        if (!many_ && few_.size() < few_limit) {
            few_.emplace_back(std::string(level), std::move(child));
            return ref;
        }
        if (!many_) {
            many_ = std::make_unique<map_type>();
            for (auto& [key, n] : few_) many_->emplace(std::move(key), std::move(n));
            few_ = few_type();
        }
        many_->emplace(std::string(level), std::move(child));
        return ref;
    }

    /// Destroys the child (and its subtree). Returns whether it existed.
    bool erase(std::string_view level) {
        if (many_) {
            auto it = many_->find(level);
            if (it == many_->end()) return false;
            many_->erase(it);
            if (many_->empty()) many_.reset();
            return true;
        }
        for (size_t i = 0; i < few_.size(); ++i) {
            if (few_[i].first != level) continue;
            if (i + 1 != few_.size()) few_[i] = std::move(few_.back());
            few_.pop_back();
            if (few_.empty()) few_ = few_type();  // give the capacity back
            return true;
        }
        return false;
    }

    bool empty() const noexcept { return few_.empty() && !many_; }

    /// Calls f(std::string_view level, const Node& child) for every child.
    /// The level view stays valid until the child is erased.
    template <class F>
    void for_each(F&& f) const {
        if (many_) {
            for (const auto& [key, child] : *many_) f(std::string_view(key), *child);
        } else {
            for (const auto& [key, child] : few_) f(std::string_view(key), *child);
        }
    }

private:
    using map_type =
        std::unordered_map<std::string, std::unique_ptr<Node>, string_hash, std::equal_to<>>;

    using few_type = std::vector<std::pair<std::string, std::unique_ptr<Node>>>;
    static constexpr size_t few_limit = 8;

    few_type few_;
    std::unique_ptr<map_type> many_;  // null while there are at most few_limit children
};

// The subscribers of one filter (or one shared group). A flat vector keeps
// iteration during matching cache-friendly; once the list is long a side
// index keeps add/remove O(1), so 100k subscribers of one filter do not make
// subscribing quadratic. Order is not preserved by erase.
template <class Value>
class entry_list {
public:
    using entry = subscriber_entry<Value>;

    /// Inserts or replaces; returns whether the subscriber was new.
    bool upsert(uint64_t subscriber, Value&& v) {
        if (entry* e = find(subscriber)) {
            e->value = std::move(v);
            return false;
        }
        items_.push_back(entry{subscriber, std::move(v)});
        if (index_) {
            index_->emplace(subscriber, items_.size() - 1);
        } else if (items_.size() > index_threshold) {
            build_index();
        }
        return true;
    }

    /// Returns whether the subscriber was there.
    bool erase(uint64_t subscriber) {
        const size_t pos = position(subscriber);
        if (pos == npos) return false;
        if (index_) index_->erase(subscriber);
        if (pos != items_.size() - 1) {
            items_[pos] = std::move(items_.back());
            if (index_) (*index_)[items_[pos].subscriber] = pos;
        }
        items_.pop_back();
        if (items_.empty()) {
            index_.reset();
            items_.shrink_to_fit();  // emptied nodes are pruned; keep survivors small too
        }
        return true;
    }

    entry* find(uint64_t subscriber) {
        const size_t pos = position(subscriber);
        return pos == npos ? nullptr : &items_[pos];
    }
    const entry* find(uint64_t subscriber) const {
        const size_t pos = position(subscriber);
        return pos == npos ? nullptr : &items_[pos];
    }

    std::span<const entry> items() const noexcept { return items_; }
    size_t size() const noexcept { return items_.size(); }
    bool empty() const noexcept { return items_.empty(); }

private:
    static constexpr size_t index_threshold = 16;
    static constexpr size_t npos = static_cast<size_t>(-1);

    size_t position(uint64_t subscriber) const {
        if (index_) {
            auto it = index_->find(subscriber);
            return it == index_->end() ? npos : it->second;
        }
        for (size_t i = 0; i < items_.size(); ++i) {
            if (items_[i].subscriber == subscriber) return i;
        }
        return npos;
    }

    void build_index() {
        index_ = std::make_unique<std::unordered_map<uint64_t, size_t>>();
        index_->reserve(items_.size() * 2);
        for (size_t i = 0; i < items_.size(); ++i) index_->emplace(items_[i].subscriber, i);
    }

    std::vector<entry> items_;
    std::unique_ptr<std::unordered_map<uint64_t, size_t>> index_;  // null while small
};

// A LIFO stack that lives on the caller's stack until it outgrows N, so a
// trie walk allocates nothing for ordinary topics yet cannot overflow the
// thread's stack on a pathological 30,000-level one.
template <class T, size_t N>
class small_stack {
public:
    bool empty() const noexcept { return size_ == 0; }
    void push(const T& v) {
        if (size_ < N) {
            inline_[size_] = v;
        } else {
            spill_.push_back(v);
        }
        ++size_;
    }
    T pop() {
        --size_;
        if (size_ < N) return inline_[size_];
        T v = spill_.back();
        spill_.pop_back();
        return v;
    }

private:
    std::array<T, N> inline_;
    std::vector<T> spill_;
    size_t size_ = 0;
};

}  // namespace robust::router::detail
