#pragma once

#include "platform/wire/messages.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace encore::hub {

struct StoredPhoto {
    std::string sha256;
    std::uint64_t size = 0;
    bool stored = false; // the image store holds its bytes
};

struct StoredOrder {
    std::string order_id;
    std::string kiosk;
    std::string code;
    std::string token_sha256;
    std::string event;
    std::string created_at;
    std::string received_at;
    std::uint32_t copies = 0;
    std::string layout;
    std::string state;
    std::vector<StoredPhoto> photos;
};

enum class RecordOutcome {
    inserted,  // new and now durable
    duplicate, // the same kiosk sent this order before: nothing changed
    conflict,  // another kiosk holds this order id or token: refused
};

// Where the hub keeps orders and the photos they name. Every implementation passes
// the same conformance tests (tests/unit/hub/order_repository_conformance.hpp):
// SQLite now, PostgreSQL later. Calls are made on the hub's event loop; a failure
// of the database throws, and the intake turns it into an error for that kiosk only.
class OrderRepository {
public:
    virtual ~OrderRepository() = default;

    // Records an order and its photo list in one transaction; durable on return.
    virtual RecordOutcome record_order(const std::string& kiosk,
                                       const platform::wire::Order& order) = 0;
    // Records that the image store now holds a photo (durable on return).
    virtual void record_photo(const std::string& kiosk, const std::string& sha256,
                              std::uint64_t size) = 0;

    virtual std::optional<StoredOrder> find_order(const std::string& order_id) = 0;
    virtual std::optional<StoredOrder> find_by_token_sha256(const std::string& token_sha256) = 0;
    virtual std::vector<StoredOrder> find_by_code(const std::string& code) = 0;
    // Newest first; an empty `state` lists every order.
    virtual std::vector<StoredOrder> list_orders(const std::string& state, std::size_t limit) = 0;
    virtual std::size_t count_orders() = 0;
};

std::unique_ptr<OrderRepository> open_sqlite_order_repository(const std::filesystem::path& file);

} // namespace encore::hub
