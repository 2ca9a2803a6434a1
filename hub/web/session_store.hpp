#pragma once

#include <chrono>
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

// Guests' sessions in their own SQLite database (DATA/guest_sessions.db): which order a
// browser has opened with its QR link or short code. Calls are made on the hub's event
// loop; a failure of the database throws.
class SessionStore {
public:
    using Clock = std::chrono::system_clock;

    SessionStore(const std::filesystem::path& file, std::chrono::seconds lifetime);
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

private:
    struct Database;
    std::unique_ptr<Database> db_;
    std::chrono::seconds lifetime_;
};

} // namespace encore::hub::web
