#pragma once

#include "hub/store/order_repository.hpp"
#include "hub/web/lru_cache.hpp"

#include <cstddef>
#include <memory>
#include <string>

namespace encore::hub::web {

// The orders kept in memory by default: one for each guest browsing at the same time.
inline constexpr std::size_t default_cached_orders = 2'000;

// Orders as the guest pages read them, for every page and photo a guest asks for.
// An order whose photos are all stored no longer changes: the booth sent it once, the
// repository never rewrites it, and the image store only ever adds photos. Those orders
// are kept in memory (the least recently used go first); an order still waiting for a
// photo is read from the repository every time, so the photo appears once it arrives.
// Calls are made on the hub's event loop.
class OrderCache {
public:
    // `capacity`: how many complete orders to keep; 0 asks the repository every time.
    explicit OrderCache(OrderRepository& orders, std::size_t capacity = default_cached_orders);

    // The order, or nullptr when the repository has none. Throws what the repository
    // throws.
    std::shared_ptr<const StoredOrder> find(const std::string& order_id);

    std::size_t size() const { return cache_.size(); }

private:
    OrderRepository& orders_;
    LruCache<std::string, std::shared_ptr<const StoredOrder>> cache_;
};

} // namespace encore::hub::web
