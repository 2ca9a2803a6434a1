#pragma once

#include "hub/web/lru_cache.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace encore::hub::web {

struct GuestSession {
    // The cookie's value: 256 random bits in base64url. Only its SHA-256 is stored, so a
    // copy of the database opens no order.
    std::string id;
    std::string order_id;
    // The CSRF token of every form on the session's pages.
    std::string csrf_token;
};

// One line of a session's cart: copies of one product of one photo.
struct CartLine {
    std::string photo_sha256;
    std::string product_id;
    int quantity = 0;
};

// The most copies of one product of one photo a cart holds.
inline constexpr int max_cart_quantity = 99;

// The sessions SessionStore keeps in memory by default: every page and photo of a guest
// asks for its session, so the busy ones are answered without the database.
inline constexpr std::size_t default_cached_sessions = 10'000;

// Guests' sessions in their own SQLite database (DATA/guest_sessions.db): which order a
// browser has opened with its QR link or short code. Calls are made on the hub's event
// loop; a failure of the database throws.
//
// The store is the only writer of its database, so it keeps the most recently used
// sessions (and their carts) in memory, written through: create() and remove() change
// the database and the memory together, a cart change drops the remembered cart, and a
// remembered session is checked against its expiry on every find(). A session that was
// removed or has expired is never found, remembered or not.
class SessionStore {
public:
    using Clock = std::chrono::system_clock;

    // `cached_sessions`: how many sessions to keep in memory (least recently used go
    // first); 0 asks the database every time.
    SessionStore(const std::filesystem::path& file, std::chrono::seconds lifetime,
                 std::size_t cached_sessions = default_cached_sessions);
    ~SessionStore();
    SessionStore(const SessionStore&) = delete;
    SessionStore& operator=(const SessionStore&) = delete;

    // A new session for `order_id`, valid for the lifetime from `now`. Sessions that
    // have expired are removed on the way.
    GuestSession create(const std::string& order_id, Clock::time_point now = Clock::now());
    // The session with this id, unless it has expired or was removed.
    std::optional<GuestSession> find(const std::string& id, Clock::time_point now = Clock::now());
    // Removes the session and its cart.
    void remove(const std::string& id);

    // The session's cart, in the order lines were first added. The cart lives on the
    // server, tied to the session, and ends with it.
    std::vector<CartLine> cart(const std::string& id);
    // Adds copies to the cart (to the line of the same photo and product if there is
    // one, up to max_cart_quantity).
    void add_to_cart(const std::string& id, const CartLine& line);
    void remove_from_cart(const std::string& id, const std::string& photo_sha256,
                          const std::string& product_id);
    void clear_cart(const std::string& id);
    // A number that changes whenever the session's cart may have changed: what was drawn
    // from the cart under one number may be kept until it changes. A session not in
    // memory gets a number never given before.
    std::uint64_t cart_version(const std::string& id);

    // How many sessions are in memory now (at most `cached_sessions`).
    std::size_t cached_sessions() const { return cache_.size(); }

private:
    struct Cached {
        std::string order_id;
        std::string csrf_token;
        std::int64_t expires_at = 0; // Unix seconds, as in the database
        // The cart as last read; empty when it must be read again.
        std::optional<std::vector<CartLine>> cart;
        // cart_version(): new whenever the cart changes or the session is read again.
        std::uint64_t cart_version = 0;
    };

    void forget_cart(const std::string& id);

    struct Database;
    std::unique_ptr<Database> db_;
    std::chrono::seconds lifetime_;
    // By session id (the cookie's value, never written anywhere).
    LruCache<std::string, Cached> cache_;
    std::uint64_t last_cart_version_ = 0;
};

} // namespace encore::hub::web
