#include "hub/web/session_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

using encore::hub::web::SessionStore;
using namespace std::chrono_literals;

TEST_CASE("a session maps its opaque id to one order until it expires or is removed") {
    encore::testing::TempDir dir;
    SessionStore store(dir / "sessions.db", 24h);
    const auto now = SessionStore::Clock::now();
    const auto session = store.create("order-1", now);
    CHECK(session.id.size() >= 43); // 256 random bits
    CHECK(session.csrf_token.size() >= 22);
    CHECK(session.id.find("order-1") == std::string::npos);

    const auto found = store.find(session.id, now + 1h);
    REQUIRE(found);
    CHECK(found->order_id == "order-1");
    CHECK(found->csrf_token == session.csrf_token);
    CHECK_FALSE(store.find(session.id + "x", now));
    CHECK_FALSE(store.find(session.id, now + 24h));

    const auto other = store.create("order-2", now);
    CHECK(other.id != session.id);
    store.remove(other.id);
    CHECK_FALSE(store.find(other.id, now));
}

TEST_CASE("sessions survive a restart, and the database never holds the id itself") {
    encore::testing::TempDir dir;
    std::string id;
    {
        SessionStore store(dir / "sessions.db", 24h);
        id = store.create("order-1").id;
    }
    SessionStore reopened(dir / "sessions.db", 24h);
    CHECK(reopened.find(id));
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        CAPTURE(entry.path());
        CHECK(encore::testing::read_text_file(entry.path()).find(id) == std::string::npos);
    }
}

TEST_CASE("a session kept in memory is refused once removed or expired") {
    encore::testing::TempDir dir;
    SessionStore store(dir / "sessions.db", 24h);
    const auto now = SessionStore::Clock::now();
    const auto removed = store.create("order-1", now);
    const auto expiring = store.create("order-2", now);
    // Both found once, so both are in memory now.
    REQUIRE(store.find(removed.id, now));
    REQUIRE(store.find(expiring.id, now));
    REQUIRE(store.cached_sessions() == 2);

    store.remove(removed.id);
    CHECK_FALSE(store.find(removed.id, now));
    CHECK_FALSE(store.find(removed.id, now + 1h));

    CHECK(store.find(expiring.id, now + 24h - 1s));
    CHECK_FALSE(store.find(expiring.id, now + 24h));
    CHECK_FALSE(store.find(expiring.id, now + 48h));

    // What the memory answered, the database answers after a restart.
    SessionStore reopened(dir / "sessions.db", 24h);
    CHECK_FALSE(reopened.find(removed.id, now));
    CHECK(reopened.find(expiring.id, now + 1h));
    CHECK_FALSE(reopened.find(expiring.id, now + 24h));
}

TEST_CASE("the memory holds at most its limit of sessions, and every session is still found") {
    encore::testing::TempDir dir;
    SessionStore store(dir / "sessions.db", 24h, 3);
    const auto now = SessionStore::Clock::now();
    std::vector<encore::hub::web::GuestSession> sessions;
    for (int index = 0; index < 10; ++index) {
        sessions.push_back(store.create("order-" + std::to_string(index), now));
        CHECK(store.cached_sessions() <= 3);
    }
    for (int round = 0; round < 2; ++round) {
        for (const auto& session : sessions) {
            CAPTURE(session.order_id);
            const auto found = store.find(session.id, now);
            REQUIRE(found);
            CHECK(found->order_id == session.order_id);
            CHECK(found->csrf_token == session.csrf_token);
            CHECK(store.cached_sessions() <= 3);
        }
    }
    // Removed while out of memory: refused too.
    store.remove(sessions.front().id);
    CHECK_FALSE(store.find(sessions.front().id, now));

    SessionStore uncached(dir / "sessions.db", 24h, 0);
    CHECK(uncached.find(sessions.back().id, now));
    CHECK(uncached.cached_sessions() == 0);
}

TEST_CASE("the cart read after a change shows the change, with the session in memory") {
    encore::testing::TempDir dir;
    SessionStore store(dir / "sessions.db", 24h);
    const auto session = store.create("order-1");
    REQUIRE(store.find(session.id));
    CHECK(store.cart(session.id).empty());
    const std::string photo(64, 'a');

    store.add_to_cart(session.id, {photo, "print-4x6", 2});
    auto cart = store.cart(session.id);
    REQUIRE(cart.size() == 1);
    CHECK(cart[0].quantity == 2);

    store.add_to_cart(session.id, {photo, "print-4x6", 3});
    store.add_to_cart(session.id, {photo, "strip", 1});
    cart = store.cart(session.id);
    REQUIRE(cart.size() == 2);
    CHECK(cart[0].quantity == 5);
    CHECK(cart[1].product_id == "strip");

    store.remove_from_cart(session.id, photo, "print-4x6");
    cart = store.cart(session.id);
    REQUIRE(cart.size() == 1);
    CHECK(cart[0].product_id == "strip");

    store.clear_cart(session.id);
    CHECK(store.cart(session.id).empty());
    // The database agrees.
    store.add_to_cart(session.id, {photo, "strip", 4});
    SessionStore reopened(dir / "sessions.db", 24h);
    cart = reopened.cart(session.id);
    REQUIRE(cart.size() == 1);
    CHECK(cart[0].quantity == 4);
}

TEST_CASE("the cart version moves with every change of that session's cart and with nothing "
          "else") {
    encore::testing::TempDir dir;
    SessionStore store(dir / "sessions.db", 24h, 1);
    const auto first = store.create("order-1");
    const auto before = store.cart_version(first.id);
    CHECK(store.cart_version(first.id) == before);
    const std::string photo(64, 'b');

    store.add_to_cart(first.id, {photo, "strip", 1});
    const auto added = store.cart_version(first.id);
    CHECK(added != before);
    CHECK(store.cart(first.id).size() == 1);
    CHECK(store.cart_version(first.id) == added);
    store.remove_from_cart(first.id, photo, "strip");
    const auto removed = store.cart_version(first.id);
    CHECK(removed != added);
    store.clear_cart(first.id);
    CHECK(store.cart_version(first.id) != removed);

    // With room for one session in memory, a second one pushes the first out: the first
    // then never answers with a version it had before.
    const auto kept = store.cart_version(first.id);
    const auto second = store.create("order-2");
    REQUIRE(store.find(second.id));
    const auto again = store.cart_version(first.id);
    CHECK(again != kept);
    CHECK(store.cart_version(first.id) != again);
}
