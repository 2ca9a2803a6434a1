#include "hub/settlement/counter_provider.hpp"

namespace encore::hub::settlement {

std::string counter_reference(const std::string& reorder_id) {
    std::string reference = "C";
    for (const char c : reorder_id) {
        if (reference.size() == 9) {
            break;
        }
        if (c != '-') {
            reference += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
        }
    }
    return reference;
}

std::string counter_checkout_id(const std::string& idempotency_key) {
    return "ctr_" + idempotency_key;
}

boost::asio::awaitable<std::optional<HostedCheckout>>
CounterProvider::open_checkout(CheckoutRequest request) {
    co_return HostedCheckout{counter_checkout_id(request.idempotency_key), request.return_path};
}

boost::asio::awaitable<ProviderRefund> CounterProvider::refund(RefundRequest request) {
    co_return ProviderRefund{RefundStatus::succeeded, "cash_" + request.idempotency_key,
                             "pay it back in cash at the counter"};
}

} // namespace encore::hub::settlement
