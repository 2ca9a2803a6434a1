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

struct RefundRequest {
    // The ledger's key for this refund, stored before the provider is asked: the same key
    // asked again (a retry after a timeout or a crash) must give back the money once.
    std::string idempotency_key;
    // The provider's charge the money goes back from.
    std::string charge_id;
    // Minor units, never more than is left of the charge.
    std::int64_t amount = 0;
    std::string currency;
    // Why, for the provider's records ("cancelled at the order desk: ...").
    std::string reason;
};

enum class RefundStatus {
    // The money is on its way back; `refund_id` names it.
    succeeded,
    // The provider will not give it back (unknown charge, more than is left of it):
    // `message` says why. The ledger frees the amount.
    refused,
    // No answer: the refund stays pending and is asked again with the same key.
    unreachable,
};

struct ProviderRefund {
    RefundStatus status = RefundStatus::unreachable;
    std::string refund_id;
    std::string message;
};

// A payment provider: a hosted checkout, or the counter of the venue or store. It reports
// the outcome of a checkout only by webhook (POST /webhooks/payment, signed with
// webhook_secret()) or, for the counter, by a confirmation from the back office, so the
// same once-only path of the ledger settles every reorder. Refunds are answered
// synchronously. Runs on the hub's event loop.
class PaymentProvider {
public:
    virtual ~PaymentProvider() = default;

    // "dev", "counter", ... : recorded with each checkout attempt.
    virtual std::string_view name() const = 0;
    // The secret the provider signs its webhooks with.
    virtual std::string_view webhook_secret() const = 0;
    // Opens the hosted checkout for `request`, or finds the one opened before under its
    // idempotency key. nullopt (and a log line) when the provider cannot be reached.
    virtual boost::asio::awaitable<std::optional<HostedCheckout>>
    open_checkout(CheckoutRequest request) = 0;
    // Gives `request.amount` of a charge back, once per idempotency key however often it
    // is asked.
    virtual boost::asio::awaitable<ProviderRefund> refund(RefundRequest request) = 0;
};

} // namespace encore::hub::settlement
