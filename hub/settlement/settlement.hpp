#pragma once

#include "hub/settlement/ledger.hpp"
#include "hub/settlement/payment_provider.hpp"
#include "hub/settlement/price_list.hpp"
#include "platform/http/router.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace encore::hub::settlement {

// What one event sells differently from the hub: each part it leaves out is the hub's.
struct EventSettings {
    std::optional<PriceList> prices;
    std::optional<bool> venue_pickup;
};

struct SettlementSettings {
    // The products and prices of every event without a price list of its own.
    PriceList prices = default_price_list();
    // Whether guests may collect their prints at the venue instead of having them shipped
    // (for every event that does not say otherwise).
    bool venue_pickup = true;
    // Whether guests may choose to pay at the counter (cash or voucher).
    bool counter = false;
    // Events, by name as the booths report it (StoredOrder::event), with settings of
    // their own.
    std::map<std::string, EventSettings, std::less<>> events;
};

// A product a price list offers that the lab cannot print.
struct UnprintableProduct {
    // Empty for the hub-wide list.
    std::string event;
    std::string product_id;
};

// Every product of the hub-wide price list and of each event's own list for which
// `printable` says no, the hub-wide list first, events in name order.
std::vector<UnprintableProduct>
unprintable_products(const SettlementSettings& settings,
                     const std::function<bool(std::string_view product_id)>& printable);

// What a webhook delivery came to.
struct WebhookAnswer {
    // False: the hub answers 400 and nothing changed.
    bool accepted = false;
    // For the response and the log: "applied", "already applied", "signature does not
    // match", ...
    std::string reason;
    // A payment for a reorder that was paid already or cancelled: the refund of it,
    // stored pending, to ask the provider for (refund_pending).
    std::optional<RefundRecord> refund_due;
};

enum class CounterMethod { cash, voucher };

enum class ConfirmOutcome {
    // Recorded now: the reorder is paid and in the desk's queue.
    paid,
    // Paid at the counter before: nothing changed.
    already_paid,
    unknown_reorder,
    // No cash or voucher, or a voucher without a code: nothing changed.
    invalid,
    // Paid online, cancelled, a voucher that cannot pay it (never issued, voided, expired,
    // used before, another event or currency, worth too little), or the counter is off:
    // nothing changed, take no money.
    refused,
};

struct ConfirmResult {
    ConfirmOutcome outcome = ConfirmOutcome::invalid;
    std::string reorder_id;
    // For the clerk: what happened, or why not and what to do.
    std::string message;
};

enum class RefundError {
    none,
    unknown_reorder,
    // Zero, negative, no reason.
    invalid,
    // More than was charged, counting earlier refunds.
    exceeds_charged,
    // The provider refused (the amount is free again) or did not answer (the refund stays
    // pending and is asked again with its key).
    provider_refused,
    provider_unreachable,
};

struct RefundResult {
    RefundError error = RefundError::none;
    // The same key was asked before: its refunds, as they stand now.
    bool repeated = false;
    std::int64_t amount = 0;
    std::string currency;
    std::vector<RefundRecord> refunds;
    std::string message;
    bool ok() const { return error == RefundError::none; }
};

enum class CancelError {
    none,
    unknown_reorder,
    // No reason given.
    invalid,
    // Printing, packed or shipped: at the lab already.
    released,
    // Cancelled, but a refund is still pending with the provider (asked again later).
    refund_pending,
};

struct CancelResult {
    CancelError error = CancelError::none;
    // It was cancelled before this request: nothing changed.
    bool already_cancelled = false;
    // What the guest got back, and in which currency.
    std::int64_t refunded = 0;
    std::string currency;
    std::string message;
    bool ok() const { return error == CancelError::none; }
};

// Settlement as the guest pages and the webhook see it: the price list, the ledger, and
// the provider whose hosted checkout takes the money. Runs on the hub's event loop.
class Settlement {
public:
    // `counter`: the counter provider, which refunds counter payments even while
    // settings.counter is off; null when there is none.
    Settlement(SettlementSettings settings, Ledger& ledger, PaymentProvider& provider,
               PaymentProvider* counter = nullptr);

    // The price list of an event (its own, else the hub's). Read when a guest adds to the
    // cart or checks out: a reorder keeps the prices it was placed with.
    const PriceList& prices(std::string_view event) const;
    // Whether guests of an event may pick their prints up at the venue.
    bool venue_pickup(std::string_view event) const;
    bool counter() const { return settings_.counter && counter_ != nullptr; }
    Ledger& ledger() { return ledger_; }

    // Where to send the guest to pay an unpaid reorder: the hosted page of its open
    // checkout, or of a new one (its idempotency key stored before the provider is
    // asked). nullopt when the reorder is not unpaid or the provider failed.
    boost::asio::awaitable<std::optional<std::string>>
    checkout_url(std::string reorder_id, std::string description, std::string return_path);
    // The guest will pay an unpaid reorder at the counter: opens its counter checkout
    // (once), so the back office lists it. False when the counter is off or the reorder
    // is not unpaid.
    bool choose_counter(const std::string& reorder_id, const std::string& return_path);

    // A clerk took cash or a voucher for a reorder (by id or counter reference): records
    // the charge through the ledger's once-only event path, with the event id
    // "counter-<checkout id>" as its idempotency key, so confirming twice records one
    // charge. Only an unpaid reorder can be confirmed.
    // A voucher must have been issued (Ledger::issue_vouchers) and be open, of the
    // reorder's event (see set_order_events) when it names one, in its currency and worth
    // at least its total; it is checked and charged in one ledger transaction.
    ConfirmResult confirm_at_counter(const std::string& reorder, CounterMethod method,
                                     const std::string& voucher_code);
    // How to find the event of a booth order (StoredOrder::event), for vouchers issued for
    // one event. Without it such a voucher pays no reorder.
    using OrderEvents = std::function<std::string(const std::string& order_id)>;
    void set_order_events(OrderEvents order_events) { order_events_ = std::move(order_events); }

    // Gives `amount` of a reorder's charges back through the providers that took them:
    // the refunds are stored pending under `idempotency_key` before any provider is
    // asked, and the same key asked again (a retry, a crash) asks with the same keys.
    boost::asio::awaitable<RefundResult> refund(std::string idempotency_key, std::string reorder_id,
                                                std::int64_t amount, std::string reason);
    // Cancels a reorder at the order desk: a paid one with a refund of everything charged,
    // an unpaid one without money movement; refused once it is at the lab. A second
    // cancel changes nothing (it asks again for a refund still pending).
    boost::asio::awaitable<CancelResult> cancel(std::string reorder_id, std::string reason);
    // Asks the providers for these refunds (pending ones; others are skipped) and
    // records their answers. Returns the refunds as they stand afterwards.
    boost::asio::awaitable<std::vector<RefundRecord>>
    ask_refunds(std::vector<RefundRecord> refunds);
    // At start: asks again for every refund left pending (the hub stopped, or the
    // provider did not answer). Returns how many succeeded.
    boost::asio::awaitable<int> resume_refunds();

    // A webhook delivery: verifies the Encore-Signature header against the raw body
    // with the provider's secret at `now_unix_seconds`, then applies the event once.
    // Refused (nothing changed): a bad or stale signature, a body that is not an event,
    // an unknown event type or checkout, a charge that does not match the checkout.
    // Accepted: applied now, or applied before (a replay).
    WebhookAnswer receive_webhook(std::string_view signature_header, std::string_view body,
                                  std::int64_t now_unix_seconds);

private:
    PaymentProvider* provider_named(std::string_view name);

    SettlementSettings settings_;
    Ledger& ledger_;
    PaymentProvider& provider_;
    PaymentProvider* counter_;
    OrderEvents order_events_;
};

// POST /webhooks/payment on the public listener: 200 {"status": "applied"} (or
// "already applied"), 400 {"error": ...} with nothing changed.
void add_webhook_route(platform::http::Router& router, Settlement& settlement);

// The body of a provider event, as the dev provider sends it and receive_webhook reads it:
// {"id", "type", "data": {"checkout_id", "charge_id", "amount", "currency"}}.
std::string payment_event_json(const PaymentEvent& event);

} // namespace encore::hub::settlement
