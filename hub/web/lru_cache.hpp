#pragma once

#include <cstddef>
#include <list>
#include <unordered_map>
#include <utility>

namespace encore::hub::web {

// A map that keeps at most `budget` worth of values and lets the least recently used go
// first. Each value has a cost when stored (1 to count entries, its size in bytes to
// bound memory); the sum of the costs never exceeds the budget. Not thread-safe: the
// guest pages use it on the hub's event loop only.
template <typename Key, typename Value>
class LruCache {
public:
    explicit LruCache(std::size_t budget)
        : budget_(budget) {}

    // The value under `key`, now the most recently used; nullptr when absent.
    Value* find(const Key& key) {
        const auto found = index_.find(key);
        if (found == index_.end()) {
            return nullptr;
        }
        entries_.splice(entries_.begin(), entries_, found->second);
        return &found->second->value;
    }

    // Stores `value` under `key` (replacing what was there) as the most recently used,
    // and lets the least recently used go until the costs fit the budget. A value that
    // costs more than the whole budget is not kept: returns nullptr then.
    Value* put(const Key& key, Value value, std::size_t cost = 1) {
        erase(key);
        if (cost > budget_) {
            return nullptr;
        }
        while (cost_ + cost > budget_) {
            cost_ -= entries_.back().cost;
            index_.erase(entries_.back().key);
            entries_.pop_back();
        }
        entries_.push_front(Entry{key, std::move(value), cost});
        index_.emplace(key, entries_.begin());
        cost_ += cost;
        return &entries_.front().value;
    }

    void erase(const Key& key) {
        const auto found = index_.find(key);
        if (found == index_.end()) {
            return;
        }
        cost_ -= found->second->cost;
        entries_.erase(found->second);
        index_.erase(found);
    }

    std::size_t size() const { return entries_.size(); }
    // The sum of the costs of the values kept.
    std::size_t cost() const { return cost_; }
    std::size_t budget() const { return budget_; }

private:
    struct Entry {
        Key key;
        Value value;
        std::size_t cost;
    };

    std::size_t budget_;
    std::size_t cost_ = 0;
    std::list<Entry> entries_; // the most recently used first
    std::unordered_map<Key, typename std::list<Entry>::iterator> index_;
};

} // namespace encore::hub::web
