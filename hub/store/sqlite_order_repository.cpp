#include "hub/store/order_repository.hpp"
#include "platform/runtime/program.hpp"
#include "platform/sqlite/database.hpp"

#include <array>
#include <chrono>
#include <ctime>

namespace encore::hub {
namespace {

namespace sqlite = platform::sqlite;

constexpr std::array<sqlite::Migration, 1> migrations = {{
    {1, "orders and photos", R"sql(
        CREATE TABLE orders (
            order_id     TEXT PRIMARY KEY,
            kiosk        TEXT NOT NULL,
            code         TEXT NOT NULL,
            token_sha256 TEXT NOT NULL UNIQUE,
            event        TEXT NOT NULL,
            created_at   TEXT NOT NULL,
            received_at  TEXT NOT NULL,
            copies       INTEGER NOT NULL,
            layout       TEXT NOT NULL,
            state        TEXT NOT NULL DEFAULT 'received'
        );
        CREATE INDEX orders_code ON orders(code);
        CREATE INDEX orders_state ON orders(state, received_at);
        CREATE TABLE order_photos (
            order_id TEXT NOT NULL REFERENCES orders(order_id),
            position INTEGER NOT NULL,
            sha256   TEXT NOT NULL,
            size     INTEGER NOT NULL,
            PRIMARY KEY (order_id, position)
        );
        CREATE INDEX order_photos_sha256 ON order_photos(sha256);
        CREATE TABLE photos (
            sha256    TEXT PRIMARY KEY,
            size      INTEGER NOT NULL,
            kiosk     TEXT NOT NULL,
            stored_at TEXT NOT NULL
        );
    )sql"},
}};

constexpr const char* order_columns =
    "order_id, kiosk, code, token_sha256, event, created_at, received_at, copies, layout, state";

class SqliteOrderRepository final : public OrderRepository {
public:
    explicit SqliteOrderRepository(const std::filesystem::path& file)
        : db_(sqlite::Database::open(file)) {
        sqlite::apply_migrations(db_, migrations);
    }

    RecordOutcome record_order(const std::string& kiosk,
                               const platform::wire::Order& order) override {
        sqlite::Transaction transaction(db_);
        auto existing = db_.prepare(
            "SELECT kiosk, order_id FROM orders WHERE order_id = ?1 OR token_sha256 = ?2");
        existing.bind_all(order.order_id, order.token_sha256);
        while (existing.step()) {
            const bool resent = existing.text(0) == kiosk && existing.text(1) == order.order_id;
            if (!resent) {
                return RecordOutcome::conflict;
            }
        }
        existing.reset();
        existing.bind_all(order.order_id, order.token_sha256);
        if (existing.step()) {
            return RecordOutcome::duplicate;
        }
        db_.execute("INSERT INTO orders (order_id, kiosk, code, token_sha256, event, created_at, "
                    "received_at, copies, layout) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    order.order_id, kiosk, order.code, order.token_sha256, order.event,
                    order.created_at, platform::utc_now_text(),
                    static_cast<std::int64_t>(order.copies), order.layout);
        auto insert_photo = db_.prepare(
            "INSERT INTO order_photos (order_id, position, sha256, size) VALUES (?1, ?2, ?3, ?4)");
        int position = 0;
        for (const auto& photo : order.photos) {
            insert_photo.reset();
            insert_photo.bind_all(order.order_id, position++, platform::wire::to_hex(photo.sha256),
                                  static_cast<std::int64_t>(photo.size));
            insert_photo.run();
        }
        transaction.commit();
        return RecordOutcome::inserted;
    }

    void record_photo(const std::string& kiosk, const std::string& sha256,
                      std::uint64_t size) override {
        db_.execute("INSERT INTO photos (sha256, size, kiosk, stored_at) VALUES (?1, ?2, ?3, ?4) "
                    "ON CONFLICT (sha256) DO NOTHING",
                    sha256, static_cast<std::int64_t>(size), kiosk, platform::utc_now_text());
    }

    std::optional<StoredOrder> find_order(const std::string& order_id) override {
        return first(select_orders("WHERE order_id = ?1", order_id));
    }

    std::optional<StoredOrder> find_by_token_sha256(const std::string& token_sha256) override {
        return first(select_orders("WHERE token_sha256 = ?1", token_sha256));
    }

    std::vector<StoredOrder> find_by_code(const std::string& code) override {
        return select_orders("WHERE code = ?1", code);
    }

    std::vector<StoredOrder> list_orders(const std::string& state, std::size_t limit) override {
        if (state.empty()) {
            return select_orders("ORDER BY received_at DESC, rowid DESC LIMIT ?1",
                                 static_cast<std::int64_t>(limit));
        }
        return select_orders("WHERE state = ?2 ORDER BY received_at DESC, rowid DESC LIMIT ?1",
                             static_cast<std::int64_t>(limit), state);
    }

    std::size_t count_orders() override {
        auto count = db_.prepare("SELECT count(*) FROM orders");
        count.step();
        return static_cast<std::size_t>(count.int64(0));
    }

private:
    static std::optional<StoredOrder> first(std::vector<StoredOrder> orders) {
        if (orders.empty()) {
            return std::nullopt;
        }
        return std::move(orders.front());
    }

    template <typename... Values>
    std::vector<StoredOrder> select_orders(const std::string& where, const Values&... values) {
        auto rows = db_.prepare(std::string("SELECT ") + order_columns + " FROM orders " + where);
        rows.bind_all(values...);
        std::vector<StoredOrder> orders;
        while (rows.step()) {
            StoredOrder order;
            order.order_id = rows.text(0);
            order.kiosk = rows.text(1);
            order.code = rows.text(2);
            order.token_sha256 = rows.text(3);
            order.event = rows.text(4);
            order.created_at = rows.text(5);
            order.received_at = rows.text(6);
            order.copies = static_cast<std::uint32_t>(rows.int64(7));
            order.layout = rows.text(8);
            order.state = rows.text(9);
            orders.push_back(std::move(order));
        }
        auto photos =
            db_.prepare("SELECT op.sha256, op.size, p.sha256 IS NOT NULL FROM order_photos op "
                        "LEFT JOIN photos p ON p.sha256 = op.sha256 WHERE op.order_id = ?1 ORDER "
                        "BY op.position");
        for (auto& order : orders) {
            photos.reset();
            photos.bind(1, order.order_id);
            while (photos.step()) {
                order.photos.push_back({photos.text(0), static_cast<std::uint64_t>(photos.int64(1)),
                                        photos.int64(2) != 0});
            }
        }
        return orders;
    }

    sqlite::Database db_;
};

} // namespace

std::unique_ptr<OrderRepository> open_sqlite_order_repository(const std::filesystem::path& file) {
    return std::make_unique<SqliteOrderRepository>(file);
}

} // namespace encore::hub
