#include "hub/web/order_cache.hpp"

#include <algorithm>

namespace encore::hub::web {

OrderCache::OrderCache(OrderRepository& orders, std::size_t capacity)
    : orders_(orders)
    , cache_(capacity) {}

std::shared_ptr<const StoredOrder> OrderCache::find(const std::string& order_id) {
    if (const auto* cached = cache_.find(order_id)) {
        return *cached;
    }
    auto found = orders_.find_order(order_id);
    if (!found) {
        return nullptr;
    }
    auto order = std::make_shared<const StoredOrder>(std::move(*found));
    const bool complete = std::all_of(order->photos.begin(), order->photos.end(),
                                      [](const StoredPhoto& photo) { return photo.stored; });
    if (complete) {
        cache_.put(order_id, order);
    }
    return order;
}

} // namespace encore::hub::web
