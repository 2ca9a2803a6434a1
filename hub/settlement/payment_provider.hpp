#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace encore::hub::settlement {

struct CheckoutRequest {
    // The ledger's key for this attempt: the same key must give the same hosted checkout,
    // so a request repeated after a timeout or a crash opens no second one.
    std::string idempotency_key;
    std::string reorder_id;
    // Minor units.
    std::int64_t amount = 0;
    std::string currency;
    // What the guest sees on the provider's page ("2 prints, Summer Gala").
    std::string description;
    // Where the provider sends the guest afterwards (the reorder's status page), a path
    // on the hub's public side.
    std::string return_path;
};

struct HostedCheckout {
    // The provider's id of the checkout; its webhooks name it.
    std::string checkout_id;
    // Where to send the guest's browser. The guest enters payment details there, on the
    // provider's page: no card data ever reaches the hub.
    std::string url;
};

// A payment provider with a hosted checkout. It reports the outcome of a checkout only by
// webhook (POST /webhooks/payment, signed with webhook_secret(); see webhook_endpoint.hpp),
// so the same verified path settles every reorder. Runs on the hub's event loop.
class PaymentProvider {
public:
    virtual ~PaymentProvider() = default;

    // "dev", ... : recorded with each checkout attempt.
    virtual std::string_view name() const = 0;
    // The secret the provider signs its webhooks with.
    virtual std::string_view webhook_secret() const = 0;
    // Opens the hosted checkout for `request`, or finds the one opened before under its
    // idempotency key. nullopt (and a log line) when the provider cannot be reached.
    virtual boost::asio::awaitable<std::optional<HostedCheckout>>
    open_checkout(CheckoutRequest request) = 0;
};

} // namespace encore::hub::settlement
