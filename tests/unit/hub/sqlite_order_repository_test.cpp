#include "tests/support/temp_dir.hpp"
#include "tests/unit/hub/order_repository_conformance.hpp"

#include <doctest/doctest.h>

TEST_CASE("the SQLite order repository passes the conformance suite") {
    encore::testing::TempDir dir;
    int opened = 0;
    encore::testing::run_order_repository_conformance([&] {
        return encore::hub::open_sqlite_order_repository(
            dir / ("hub-" + std::to_string(++opened) + ".db"));
    });
}

TEST_CASE("SQLite orders survive reopening the database") {
    encore::testing::TempDir dir;
    const std::string id = "0b7e4a6c-2f1d-4c8e-9a3b-5d6e7f809a1b";
    encore::hub::open_sqlite_order_repository(dir / "hub.db")
        ->record_order("booth-1", encore::testing::sample_order(id, 1));
    auto reopened = encore::hub::open_sqlite_order_repository(dir / "hub.db");
    CHECK(reopened->find_order(id).has_value());
    CHECK(reopened->record_order("booth-1", encore::testing::sample_order(id, 1)) ==
          encore::hub::RecordOutcome::duplicate);
}
