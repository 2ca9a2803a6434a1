#include "hub/web/session_store.hpp"

#include "platform/crypto/random.hpp"
#include "platform/crypto/sha256.hpp"
#include "platform/sqlite/database.hpp"

#include <array>

namespace encore::hub::web {
namespace {

namespace sqlite = platform::sqlite;
namespace crypto = platform::crypto;

constexpr std::array<sqlite::Migration, 2> migrations = {{
    {1, "guest sessions", R"sql(
        CREATE TABLE guest_sessions (
            id_sha256  TEXT PRIMARY KEY,
            order_id   TEXT NOT NULL,
            csrf_token TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );
        CREATE INDEX guest_sessions_expiry ON guest_sessions(expires_at);
    )sql"},
    {2, "carts", R"sql(
        CREATE TABLE cart_lines (
            session_sha256 TEXT NOT NULL
                REFERENCES guest_sessions(id_sha256) ON DELETE CASCADE,
            photo_sha256   TEXT NOT NULL,
            product_id     TEXT NOT NULL,
            quantity       INTEGER NOT NULL CHECK (quantity > 0),
            PRIMARY KEY (session_sha256, photo_sha256, product_id)
        );
    )sql"},
}};

std::int64_t unix_seconds(SessionStore::Clock::time_point time) {
    return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

// A session lost to a power cut costs the guest one more scan of the QR code, so the
// commits need not wait for the disk.
sqlite::Database open_database(const std::filesystem::path& file) {
    sqlite::OpenOptions options;
    options.durability = sqlite::Durability::normal;
    return sqlite::Database::open(file, options);
}

std::string id_hash(const std::string& id) {
    return crypto::to_hex(crypto::sha256(id));
}

} // namespace

struct SessionStore::Database {
    sqlite::Database db;
};

SessionStore::SessionStore(const std::filesystem::path& file, std::chrono::seconds lifetime,
                           std::size_t cached_sessions)
    : db_(std::make_unique<Database>(Database{open_database(file)}))
    , lifetime_(lifetime)
    , cache_(cached_sessions) {
    sqlite::apply_migrations(db_->db, migrations);
}

SessionStore::~SessionStore() = default;

GuestSession SessionStore::create(const std::string& order_id, Clock::time_point now) {
    GuestSession session{crypto::random_token(32), order_id, crypto::random_token(16)};
    const auto expires_at = unix_seconds(now + lifetime_);
    db_->db.execute("DELETE FROM guest_sessions WHERE expires_at <= ?1", unix_seconds(now));
    db_->db.execute("INSERT INTO guest_sessions (id_sha256, order_id, csrf_token, created_at, "
                    "expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    id_hash(session.id), session.order_id, session.csrf_token, unix_seconds(now),
                    expires_at);
    // A new session has an empty cart.
    cache_.put(session.id, {session.order_id, session.csrf_token, expires_at,
                            std::vector<CartLine>{}, ++last_cart_version_});
    return session;
}

std::optional<GuestSession> SessionStore::find(const std::string& id, Clock::time_point now) {
    const auto now_seconds = unix_seconds(now);
    if (const auto* cached = cache_.find(id)) {
        // The same test as the query's below: expired in memory is expired on disk.
        if (cached->expires_at > now_seconds) {
            return GuestSession{id, cached->order_id, cached->csrf_token};
        }
        return std::nullopt;
    }
    auto row = db_->db.prepare("SELECT order_id, csrf_token, expires_at FROM guest_sessions "
                               "WHERE id_sha256 = ?1 AND expires_at > ?2");
    row.bind_all(id_hash(id), now_seconds);
    if (!row.step()) {
        return std::nullopt;
    }
    GuestSession session{id, row.text(0), row.text(1)};
    cache_.put(id, {session.order_id, session.csrf_token, row.int64(2), std::nullopt,
                    ++last_cart_version_});
    return session;
}

void SessionStore::remove(const std::string& id) {
    // Out of memory first: should the database fail, the next find() asks it again.
    cache_.erase(id);
    db_->db.execute("DELETE FROM guest_sessions WHERE id_sha256 = ?1", id_hash(id));
}

std::vector<CartLine> SessionStore::cart(const std::string& id) {
    auto* cached = cache_.find(id);
    if (cached != nullptr && cached->cart) {
        return *cached->cart;
    }
    auto rows = db_->db.prepare("SELECT photo_sha256, product_id, quantity FROM cart_lines "
                                "WHERE session_sha256 = ?1 ORDER BY rowid");
    rows.bind_all(id_hash(id));
    std::vector<CartLine> lines;
    while (rows.step()) {
        lines.push_back({rows.text(0), rows.text(1), static_cast<int>(rows.int64(2))});
    }
    if (cached != nullptr) {
        cached->cart = lines;
    }
    return lines;
}

void SessionStore::add_to_cart(const std::string& id, const CartLine& line) {
    forget_cart(id);
    db_->db.execute("INSERT INTO cart_lines (session_sha256, photo_sha256, product_id, quantity) "
                    "VALUES (?1, ?2, ?3, MIN(?4, ?5)) "
                    "ON CONFLICT (session_sha256, photo_sha256, product_id) "
                    "DO UPDATE SET quantity = MIN(quantity + excluded.quantity, ?5)",
                    id_hash(id), line.photo_sha256, line.product_id, line.quantity,
                    max_cart_quantity);
}

void SessionStore::remove_from_cart(const std::string& id, const std::string& photo_sha256,
                                    const std::string& product_id) {
    forget_cart(id);
    db_->db.execute("DELETE FROM cart_lines WHERE session_sha256 = ?1 AND photo_sha256 = ?2 AND "
                    "product_id = ?3",
                    id_hash(id), photo_sha256, product_id);
}

void SessionStore::clear_cart(const std::string& id) {
    forget_cart(id);
    db_->db.execute("DELETE FROM cart_lines WHERE session_sha256 = ?1", id_hash(id));
}

std::uint64_t SessionStore::cart_version(const std::string& id) {
    if (const auto* cached = cache_.find(id)) {
        return cached->cart_version;
    }
    return ++last_cart_version_;
}

void SessionStore::forget_cart(const std::string& id) {
    if (auto* cached = cache_.find(id)) {
        cached->cart.reset();
        cached->cart_version = ++last_cart_version_;
    }
}

} // namespace encore::hub::web
