#include "hub/web/order_cache.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/hub/order_repository_conformance.hpp"

#include <doctest/doctest.h>

using encore::hub::web::OrderCache;

TEST_CASE("an order waiting for a photo is read anew until every photo has arrived") {
    encore::testing::TempDir dir;
    auto repository = encore::hub::open_sqlite_order_repository(dir / "hub.db");
    const std::string id = "0b7e4a6c-2f1d-4c8e-9a3b-5d6e7f809a1b";
    const auto sent = encore::testing::sample_order(id, 10);
    repository->record_order("booth-1", sent);
    OrderCache orders(*repository);

    auto order = orders.find(id);
    REQUIRE(order);
    REQUIRE(order->photos.size() == 2);
    CHECK_FALSE(order->photos[0].stored);
    CHECK(orders.size() == 0);

    repository->record_photo("booth-1", order->photos[0].sha256, 1000);
    order = orders.find(id);
    CHECK(order->photos[0].stored);
    CHECK_FALSE(order->photos[1].stored);
    CHECK(orders.size() == 0);

    repository->record_photo("booth-1", order->photos[1].sha256, 2000);
    order = orders.find(id);
    CHECK(order->photos[0].stored);
    CHECK(order->photos[1].stored);
    CHECK(orders.size() == 1);
    // Kept: the same order again.
    const auto again = orders.find(id);
    CHECK(again == order);
    CHECK(again->event == "wedding");

    CHECK(orders.find("1c8f5b7d-3a2e-4d9f-8b4c-6e7f8091a2b3") == nullptr);
}

TEST_CASE("the order cache keeps at most its capacity, and every order is still found") {
    encore::testing::TempDir dir;
    auto repository = encore::hub::open_sqlite_order_repository(dir / "hub.db");
    OrderCache orders(*repository, 2);
    std::vector<std::string> ids;
    for (std::uint8_t seed = 1; seed <= 5; ++seed) {
        auto order = encore::testing::sample_order("order-" + std::to_string(seed), seed * 10);
        order.photos.clear(); // nothing to wait for: complete as sent
        repository->record_order("booth-1", order);
        ids.push_back(order.order_id);
    }
    for (int round = 0; round < 2; ++round) {
        for (const auto& id : ids) {
            const auto order = orders.find(id);
            REQUIRE(order);
            CHECK(order->order_id == id);
            CHECK(orders.size() <= 2);
        }
    }
}
