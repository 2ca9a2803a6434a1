#pragma once

// The behaviour every OrderRepository must have, written once and run against each
// backend. A backend's test file includes this header inside a TEST_CASE_TEMPLATE-like
// wrapper: see sqlite_order_repository_test.cpp.

#include "hub/store/order_repository.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <memory>

namespace encore::testing {

using RepositoryFactory = std::function<std::unique_ptr<hub::OrderRepository>()>;

inline platform::wire::Order sample_order(const std::string& order_id, std::uint8_t seed) {
    platform::wire::Order order;
    order.order_id = order_id;
    order.code = "K7Q-X4M";
    platform::wire::Sha256 token{};
    token.fill(seed);
    order.token_sha256 = platform::wire::to_hex(token);
    order.event = "wedding";
    order.created_at = "2026-11-28T12:00:00Z";
    order.copies = 2;
    order.layout = "grid-2x2-4x6";
    for (std::uint8_t photo = 1; photo <= 2; ++photo) {
        platform::wire::Sha256 digest{};
        digest.fill(static_cast<std::uint8_t>(seed + photo));
        order.photos.push_back({digest, 1000u * photo});
    }
    return order;
}

inline void run_order_repository_conformance(const RepositoryFactory& open) {
    const std::string first_id = "0b7e4a6c-2f1d-4c8e-9a3b-5d6e7f809a1b";
    const std::string second_id = "1c8f5b7d-3a2e-4d9f-8b4c-6e7f8091a2b3";

    SUBCASE("a new order is recorded with its photos, in order") {
        auto repository = open();
        CHECK(repository->record_order("booth-1", sample_order(first_id, 10)) ==
              hub::RecordOutcome::inserted);
        const auto stored = repository->find_order(first_id);
        REQUIRE(stored);
        CHECK(stored->kiosk == "booth-1");
        CHECK(stored->copies == 2);
        CHECK(stored->state == "received");
        REQUIRE(stored->photos.size() == 2);
        CHECK(stored->photos[0].size == 1000);
        CHECK(stored->photos[1].size == 2000);
        CHECK_FALSE(stored->photos[0].stored);
    }

    SUBCASE("the same order from the same kiosk again is a duplicate, stored once") {
        auto repository = open();
        repository->record_order("booth-1", sample_order(first_id, 10));
        CHECK(repository->record_order("booth-1", sample_order(first_id, 10)) ==
              hub::RecordOutcome::duplicate);
        CHECK(repository->count_orders() == 1);
        CHECK(repository->find_order(first_id)->photos.size() == 2);
    }

    SUBCASE("an order id or token another kiosk holds is a conflict") {
        auto repository = open();
        repository->record_order("booth-1", sample_order(first_id, 10));
        CHECK(repository->record_order("booth-2", sample_order(first_id, 20)) ==
              hub::RecordOutcome::conflict);
        CHECK(repository->record_order("booth-1", sample_order(second_id, 10)) ==
              hub::RecordOutcome::conflict);
        CHECK(repository->find_order(first_id)->kiosk == "booth-1");
        CHECK(repository->count_orders() == 1);
    }

    SUBCASE("orders are found by token hash and by short code") {
        auto repository = open();
        const auto order = sample_order(first_id, 10);
        repository->record_order("booth-1", order);
        repository->record_order("booth-1", sample_order(second_id, 30));
        CHECK(repository->find_by_token_sha256(order.token_sha256)->order_id == first_id);
        CHECK_FALSE(repository->find_by_token_sha256(std::string(64, '0')));
        CHECK(repository->find_by_code("K7Q-X4M").size() == 2);
        CHECK(repository->find_by_code("NOPE").empty());
    }

    SUBCASE("a stored photo shows as stored in every order naming it") {
        auto repository = open();
        const auto order = sample_order(first_id, 10);
        repository->record_order("booth-1", order);
        const auto hash = platform::wire::to_hex(order.photos[0].sha256);
        repository->record_photo("booth-1", hash, 1000);
        repository->record_photo("booth-1", hash, 1000);
        const auto stored = repository->find_order(first_id);
        CHECK(stored->photos[0].stored);
        CHECK_FALSE(stored->photos[1].stored);
    }

    SUBCASE("listing is newest first, filtered by state, bounded") {
        auto repository = open();
        repository->record_order("booth-1", sample_order(first_id, 10));
        repository->record_order("booth-1", sample_order(second_id, 30));
        const auto all = repository->list_orders("", 10);
        REQUIRE(all.size() == 2);
        CHECK(all[0].order_id == second_id);
        CHECK(repository->list_orders("", 1).size() == 1);
        CHECK(repository->list_orders("received", 10).size() == 2);
        CHECK(repository->list_orders("shipped", 10).empty());
    }
}

} // namespace encore::testing
