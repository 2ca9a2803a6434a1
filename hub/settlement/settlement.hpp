#pragma once

#include "hub/settlement/ledger.hpp"
#include "hub/settlement/payment_provider.hpp"
#include "hub/settlement/price_list.hpp"
#include "platform/http/router.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace encore::hub::settlement {

struct SettlementSettings {
    PriceList prices = default_price_list();
    // Whether guests may collect their prints at the venue instead of having them shipped.
    bool venue_pickup = true;
};

// What a webhook delivery came to.
struct WebhookAnswer {
    // False: the hub answers 400 and nothing changed.
    bool accepted = false;
    // For the response and the log: "applied", "already applied", "signature does not
    // match", ...
    std::string reason;
};

// Settlement as the guest pages and the webhook see it: the price list, the ledger, and
// the provider whose hosted checkout takes the money. Runs on the hub's event loop.
class Settlement {
public:
    Settlement(SettlementSettings settings, Ledger& ledger, PaymentProvider& provider);

    const PriceList& prices() const { return settings_.prices; }
    bool venue_pickup() const { return settings_.venue_pickup; }
    Ledger& ledger() { return ledger_; }

    // Where to send the guest to pay an unpaid reorder: the hosted page of its open
    // checkout, or of a new one (its idempotency key stored before the provider is
    // asked). nullopt when the reorder is not unpaid or the provider failed.
    boost::asio::awaitable<std::optional<std::string>>
    checkout_url(std::string reorder_id, std::string description, std::string return_path);

    // A webhook delivery: verifies the Encore-Signature header against the raw body
    // with the provider's secret at `now_unix_seconds`, then applies the event once.
    // Refused (nothing changed): a bad or stale signature, a body that is not an event,
    // an unknown event type or checkout, a charge that does not match the checkout.
    // Accepted: applied now, or applied before (a replay).
    WebhookAnswer receive_webhook(std::string_view signature_header, std::string_view body,
                                  std::int64_t now_unix_seconds);

private:
    SettlementSettings settings_;
    Ledger& ledger_;
    PaymentProvider& provider_;
};

// POST /webhooks/payment on the public listener: 200 {"status": "applied"} (or
// "already applied"), 400 {"error": ...} with nothing changed.
void add_webhook_route(platform::http::Router& router, Settlement& settlement);

// The body of a provider event, as the dev provider sends it and receive_webhook reads it:
// {"id", "type", "data": {"checkout_id", "charge_id", "amount", "currency"}}.
std::string payment_event_json(const PaymentEvent& event);

} // namespace encore::hub::settlement
