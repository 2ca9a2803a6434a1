#include "platform/sqlite/database.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <array>

using namespace encore::platform::sqlite;
using encore::testing::TempDir;

namespace {

const std::array<Migration, 2> migrations = {{
    {1, "orders", "CREATE TABLE orders (id TEXT PRIMARY KEY, copies INTEGER NOT NULL);"},
    {2, "order codes",
     "ALTER TABLE orders ADD COLUMN code TEXT;"
     "CREATE UNIQUE INDEX orders_code ON orders(code);"},
}};

} // namespace

TEST_CASE("a database opens in WAL mode with synchronous=FULL") {
    TempDir dir;
    auto db = Database::open(dir / "journal.db");
    CHECK(db.journal_mode() == "wal");
    CHECK(db.synchronous_level() == 2); // FULL
    CHECK(db.integrity_check() == "ok");
}

TEST_CASE("migrations apply once, in order, and survive reopening") {
    TempDir dir;
    {
        auto db = Database::open(dir / "hub.db");
        CHECK(apply_migrations(db, migrations) == 2);
        CHECK(schema_version(db) == 2);
        CHECK(apply_migrations(db, migrations) == 0);
        db.execute("INSERT INTO orders (id, copies, code) VALUES (?1, ?2, ?3)", "o-1", 2, "K7QX");
    }
    auto db = Database::open(dir / "hub.db");
    CHECK(apply_migrations(db, migrations) == 0);
    auto row = db.prepare("SELECT copies, code FROM orders WHERE id = ?1");
    row.bind(1, "o-1");
    REQUIRE(row.step());
    CHECK(row.int64(0) == 2);
    CHECK(row.text(1) == "K7QX");
}

TEST_CASE("a migration that fails leaves the schema at the last good version") {
    TempDir dir;
    auto db = Database::open(dir / "hub.db");
    const std::array<Migration, 2> broken = {{
        migrations[0],
        {2, "broken", "ALTER TABLE orders ADD COLUMN code TEXT; THIS IS NOT SQL;"},
    }};
    CHECK_THROWS_AS(apply_migrations(db, broken), Error);
    CHECK(schema_version(db) == 1);
    // The half-applied migration rolled back: the column is not there.
    CHECK_THROWS_AS(db.execute("UPDATE orders SET code = 'x'"), Error);
    CHECK(apply_migrations(db, migrations) == 1);
}

TEST_CASE("a database newer than the program is refused with advice") {
    TempDir dir;
    auto db = Database::open(dir / "hub.db");
    db.execute_script("PRAGMA user_version=7");
    try {
        apply_migrations(db, migrations);
        FAIL("expected an error");
    } catch (const Error& error) {
        CHECK(std::string(error.what()).find("newer than this program") != std::string::npos);
    }
}

TEST_CASE("values are bound, never pasted into SQL") {
    TempDir dir;
    auto db = Database::open(dir / "hub.db");
    apply_migrations(db, migrations);
    const std::string hostile = "x'); DROP TABLE orders; --";
    db.execute("INSERT INTO orders (id, copies, code) VALUES (?1, ?2, ?3)", hostile, 1, nullptr);
    auto row = db.prepare("SELECT id, code FROM orders");
    REQUIRE(row.step());
    CHECK(row.text(0) == hostile);
    CHECK(row.is_null(1));
    CHECK_FALSE(row.optional_text(1).has_value());
}

TEST_CASE("a transaction without commit rolls back") {
    TempDir dir;
    auto db = Database::open(dir / "hub.db");
    apply_migrations(db, migrations);
    {
        Transaction transaction(db);
        db.execute("INSERT INTO orders (id, copies) VALUES (?1, ?2)", "o-2", 1);
    }
    auto count = db.prepare("SELECT count(*) FROM orders");
    REQUIRE(count.step());
    CHECK(count.int64(0) == 0);
    {
        Transaction transaction(db);
        db.execute("INSERT INTO orders (id, copies) VALUES (?1, ?2)", "o-2", 1);
        transaction.commit();
    }
    count.reset();
    REQUIRE(count.step());
    CHECK(count.int64(0) == 1);
}

TEST_CASE("blobs round-trip, including empty ones") {
    TempDir dir;
    auto db = Database::open(dir / "blobs.db");
    db.execute_script("CREATE TABLE chunks (data BLOB NOT NULL)");
    const std::array<std::byte, 3> bytes{std::byte{0}, std::byte{0xff}, std::byte{7}};
    db.execute("INSERT INTO chunks (data) VALUES (?1)", std::span<const std::byte>(bytes));
    db.execute("INSERT INTO chunks (data) VALUES (?1)", std::span<const std::byte>());
    auto rows = db.prepare("SELECT data FROM chunks ORDER BY rowid");
    REQUIRE(rows.step());
    CHECK(rows.blob(0) == std::vector<std::byte>(bytes.begin(), bytes.end()));
    REQUIRE(rows.step());
    CHECK(rows.blob(0).empty());
    CHECK_FALSE(rows.is_null(0));
}

TEST_CASE("opening a file that is not a database is a clear error") {
    TempDir dir;
    encore::testing::write_text_file(dir / "junk.db", std::string(4096, 'j'));
    CHECK_THROWS_WITH_AS(Database::open(dir / "junk.db"), doctest::Contains("not a database"),
                         Error);
}

TEST_CASE("own_changes moves with every row this connection writes and with nothing else") {
    TempDir dir;
    auto owner = Database::open(dir / "hub.db");
    auto other = Database::open(dir / "hub.db");
    apply_migrations(owner, migrations);
    const auto start = owner.own_changes();
    {
        // A read changes nothing.
        auto count = owner.prepare("SELECT COUNT(*) FROM orders");
        count.step();
    }
    CHECK(owner.own_changes() == start);

    owner.execute("INSERT INTO orders (id, copies) VALUES (?1, ?2)", "o-1", 1);
    const auto after_insert = owner.own_changes();
    CHECK(after_insert != start);
    owner.execute("UPDATE orders SET copies = 2 WHERE id = ?1", "o-1");
    const auto after_update = owner.own_changes();
    CHECK(after_update != after_insert);
    // An update that matches no row writes nothing.
    owner.execute("UPDATE orders SET copies = 3 WHERE id = ?1", "o-404");
    CHECK(owner.own_changes() == after_update);

    // Another connection's writes are its own.
    other.execute("INSERT INTO orders (id, copies) VALUES (?1, ?2)", "o-2", 1);
    CHECK(owner.own_changes() == after_update);
    CHECK(other.own_changes() == 1);

    // A moved database keeps answering.
    auto moved = std::move(owner);
    CHECK(moved.own_changes() == after_update);
}
