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
