#pragma once

#include "hub/settlement/payment_provider.hpp"

#include <string>

namespace encore::hub::settlement {

// "C3F2A9B1C": what a guest paying at the counter shows the clerk, made from the
// reorder's id (its first 8 hex digits, upper case). The back office finds the reorder
// by it.
std::string counter_reference(const std::string& reorder_id);

// The counter's "checkout id" for a ledger attempt key: "ctr_<key>".
std::string counter_checkout_id(const std::string& idempotency_key);

// Provider "counter": cash, or a voucher the store issued (Ledger::issue_vouchers), taken
// at the venue or store counter. The guest chooses it at checkout and is sent to the
// reorder's status page, which shows the reference and the amount; no money moves until
// a clerk (desk or admin role, or the admin token) confirms it from the back office
// (Settlement::confirm_at_counter). Its refunds are paid back at the counter (in cash, or
// by handing back a voucher refunded in full), so they succeed at once.
class CounterProvider : public PaymentProvider {
public:
    std::string_view name() const override { return "counter"; }
    // The counter sends no webhooks.
    std::string_view webhook_secret() const override { return {}; }
    // A "checkout" that only waits for the clerk: id "ctr_<key>", and the guest's status
    // page as its URL.
    boost::asio::awaitable<std::optional<HostedCheckout>>
    open_checkout(CheckoutRequest request) override;
    boost::asio::awaitable<ProviderRefund> refund(RefundRequest request) override;
};

} // namespace encore::hub::settlement
