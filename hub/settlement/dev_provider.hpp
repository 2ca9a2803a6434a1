#pragma once

#include "hub/settlement/payment_provider.hpp"
#include "platform/config/endpoint.hpp"
#include "platform/http/router.hpp"
#include "platform/runtime/blocking_worker.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace encore::hub::settlement {

// The secret in `file`, or a new random one written there (mode 0600) when the file is
// absent or empty: what the dev provider signs its webhooks with.
std::string load_or_create_webhook_secret(const std::filesystem::path& file);

// Provider "dev": a stand-in for a provider's hosted checkout, for demos and tests. Its
// pages live on the hub's public listener (GET /dev-checkout/<id>, with "Pay" and
// "Decline" buttons that post back to the same path); a button sends a signed webhook to
// the hub over HTTP, exactly as a real provider would, and then sends the guest back to
// the reorder's status page. No money moves and no card number is asked for. Its
// checkouts, charges and refunds live in their own SQLite database, so an idempotency key
// finds its checkout or refund again after a restart.
class DevProvider : public PaymentProvider {
public:
    // `webhook_secret`: see load_or_create_webhook_secret.
    DevProvider(boost::asio::any_io_executor loop, const std::filesystem::path& database,
                std::string webhook_secret);
    ~DevProvider() override;
    DevProvider(const DevProvider&) = delete;
    DevProvider& operator=(const DevProvider&) = delete;

    // Where its webhooks go: the hub's public listener (POST /webhooks/payment).
    void set_webhook_target(platform::Endpoint hub_public_listener);
    // Adds the /dev-checkout/ pages. A prefix route: add it after GuestWeb's.
    void add_routes(platform::http::Router& router);

    std::string_view name() const override { return "dev"; }
    std::string_view webhook_secret() const override { return secret_; }
    boost::asio::awaitable<std::optional<HostedCheckout>>
    open_checkout(CheckoutRequest request) override;
    // Answers at once: the refund is recorded in its database (once per idempotency key,
    // never more than is left of the charge) and succeeded, or refused with the reason.
    boost::asio::awaitable<ProviderRefund> refund(RefundRequest request) override;

    // How many refunds the provider made of a charge (for tests and the operator).
    std::size_t count_refunds(const std::string& charge_id);

private:
    boost::asio::awaitable<platform::http::Response> handle(const platform::http::Request& request);

    struct Database;
    std::unique_ptr<Database> db_;
    std::string secret_;
    std::optional<platform::Endpoint> webhook_target_;
    // The webhook is sent with the blocking HTTP client, off the loop that must answer it.
    platform::BlockingWorker sender_;
};

} // namespace encore::hub::settlement
