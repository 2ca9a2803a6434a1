#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace encore::hub::settlement {

// Where a reorder stands, as the guest sees it. Only a verified webhook moves a reorder
// from unpaid to paid ("settled"); the order desk and shipping move it on from there.
enum class ReorderState { unpaid, paid, printing, packed, shipped };

std::string_view to_string(ReorderState state);
std::optional<ReorderState> parse_reorder_state(std::string_view text);

struct ReorderLine {
    // The photo to print (SHA-256 hex of the original).
    std::string photo_sha256;
    std::string product_id;
    std::string product_label;
    int quantity = 0;
    // Minor units, as the price list said when the reorder was placed.
    std::int64_t unit_price = 0;
};

enum class DeliveryMethod { ship, pickup };

struct Delivery {
    DeliveryMethod method = DeliveryMethod::ship;
    // Empty for pickup at the venue.
    std::string name;
    std::string street;
    std::string postal_code;
    std::string city;
    std::string country;
};

struct NewReorder {
    // Chosen by the caller before the first attempt (the checkout form carries one), so
    // a form sent twice places one reorder.
    std::string idempotency_key;
    // The booth order whose photos are reordered.
    std::string order_id;
    std::string currency;
    std::vector<ReorderLine> lines;
    Delivery delivery;
};

struct Reorder {
    std::string id;
    std::string order_id;
    ReorderState state = ReorderState::unpaid;
    std::string currency;
    std::int64_t total = 0;
    std::vector<ReorderLine> lines;
    Delivery delivery;
    std::int64_t created_at = 0;
    // Sums over the reorder's charges and refunds, in minor units.
    std::int64_t charged = 0;
    std::int64_t refunded = 0;
    // Once shipped: who carries it and the number the guest follows it by.
    std::string carrier;
    std::string tracking;
};

enum class CheckoutState { creating, open, completed, declined };

// One attempt to have a reorder paid through a provider's hosted checkout.
struct CheckoutAttempt {
    // Persisted before the provider is asked, and sent to it: asking again after a
    // crash or timeout with the same key finds the same hosted checkout.
    std::string idempotency_key;
    std::string reorder_id;
    std::string provider;
    std::int64_t amount = 0;
    std::string currency;
    CheckoutState state = CheckoutState::creating;
    // Known once the provider has answered.
    std::optional<std::string> checkout_id;
    std::optional<std::string> url;
};

// A provider's notification, from a webhook whose signature has been verified.
struct PaymentEvent {
    std::string id;
    // "checkout.completed" or "checkout.declined".
    std::string type;
    std::string checkout_id;
    // For checkout.completed: the provider's charge and what it took.
    std::string charge_id;
    std::int64_t amount = 0;
    std::string currency;
};

enum class EventOutcome {
    // Applied now (a charge recorded, a checkout declined).
    applied,
    // This event id was applied before: nothing changed.
    duplicate,
    // A type the ledger does not know: nothing changed.
    unknown_type,
    // No checkout of ours has this id: nothing changed.
    unknown_checkout,
    // The charge does not match the checkout's amount or currency: nothing changed.
    amount_mismatch,
};

std::string_view to_string(EventOutcome outcome);

enum class RefundOutcome {
    recorded,
    // This idempotency key was recorded before: nothing changed.
    duplicate,
    // More than was charged, counting earlier refunds: refused.
    exceeds_charged,
    // Zero or negative, or an unknown reorder: refused.
    invalid,
};

// The settlement ledger in its own SQLite database (DATA/settlement.db, WAL,
// synchronous=FULL): reorders, checkout attempts, charges, refunds and the ids of
// applied webhook events. Every change is one transaction (BEGIN IMMEDIATE), so several
// Ledger objects, threads or processes on one file see each event applied once. A
// failure of the database throws.
class Ledger {
public:
    explicit Ledger(const std::filesystem::path& file);
    ~Ledger();
    Ledger(const Ledger&) = delete;
    Ledger& operator=(const Ledger&) = delete;

    // Places a reorder, unpaid, with its total computed from the lines. The same
    // idempotency key returns the reorder placed the first time, unchanged.
    Reorder place_reorder(const NewReorder& reorder);
    std::optional<Reorder> find_reorder(const std::string& reorder_id);
    // The reorder placed under this idempotency key, if any.
    std::optional<Reorder> find_reorder_by_key(const std::string& idempotency_key);
    // Newest first.
    std::vector<Reorder> reorders_of_order(const std::string& order_id);
    // Oldest first: the order desk's queue (paid), the lab's work (printing), the
    // shipping station's list (printing, packed).
    std::vector<Reorder> reorders_in_state(ReorderState state);
    // Moves a reorder from `from` to `to` in one transaction; false (nothing changed)
    // when it is not in `from`: not paid yet, or someone moved it first.
    bool advance(const std::string& reorder_id, ReorderState from, ReorderState to);
    // Marks a printing or packed reorder shipped with its carrier and tracking number;
    // false (nothing changed) in any other state.
    bool mark_shipped(const std::string& reorder_id, const std::string& carrier,
                      const std::string& tracking);

    // The checkout attempt to send the guest to: the reorder's attempt still creating or
    // open, or a new one (with a new idempotency key, stored before this returns).
    // nullopt when the reorder is unknown or no longer unpaid.
    std::optional<CheckoutAttempt> begin_checkout(const std::string& reorder_id,
                                                  std::string_view provider);
    // The provider answered the attempt with this hosted checkout.
    void record_checkout_opened(const std::string& idempotency_key, const std::string& checkout_id,
                                const std::string& url);
    std::optional<CheckoutAttempt> find_checkout(const std::string& checkout_id);

    // Applies a verified provider event, once per event id however often and however
    // concurrently it arrives. checkout.completed records the charge and marks the
    // reorder paid; checkout.declined closes the attempt and leaves the reorder unpaid
    // (a new checkout can be begun).
    EventOutcome apply_event(const PaymentEvent& event);

    // Records a refund of `amount` against the reorder's charges, keyed like every other
    // money movement; never more than was charged in total.
    RefundOutcome record_refund(const std::string& idempotency_key, const std::string& reorder_id,
                                std::int64_t amount);

    std::size_t count_charges(const std::string& reorder_id);
    std::size_t count_applied_events();

private:
    struct Database;
    std::unique_ptr<Database> db_;
};

} // namespace encore::hub::settlement
