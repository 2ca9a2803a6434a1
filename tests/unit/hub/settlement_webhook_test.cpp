// Settlement as the webhook route and the guest pages use it, with an in-test provider.

#include "hub/settlement/settlement.hpp"
#include "hub/settlement/webhook_signature.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <vector>

using namespace encore::hub::settlement;
namespace asio = boost::asio;

namespace {

constexpr std::int64_t now = 1'800'000'000;

// Records every request; fails while `unreachable` is set, and like a real provider
// answers a key it has seen with the checkout it opened for it.
class RecordingProvider : public PaymentProvider {
public:
    std::string_view name() const override { return "test"; }
    std::string_view webhook_secret() const override { return "whsec_unit"; }
    asio::awaitable<std::optional<HostedCheckout>> open_checkout(CheckoutRequest request) override {
        requests.push_back(request);
        if (unreachable) {
            co_return std::nullopt;
        }
        co_return HostedCheckout{"cs_" + request.idempotency_key,
                                 "https://pay.example/" + request.idempotency_key};
    }
    asio::awaitable<ProviderRefund> refund(RefundRequest request) override {
        refunds.push_back(request);
        if (unreachable) {
            co_return ProviderRefund{RefundStatus::unreachable, "", ""};
        }
        co_return ProviderRefund{RefundStatus::succeeded, "re_" + request.idempotency_key, ""};
    }

    bool unreachable = false;
    std::vector<CheckoutRequest> requests;
    std::vector<RefundRequest> refunds;
};

struct Shop {
    encore::testing::TempDir dir;
    Ledger ledger{dir / "settlement.db"};
    RecordingProvider provider;
    Settlement settlement{{}, ledger, provider};

    std::optional<std::string> checkout_url(const std::string& reorder_id) {
        asio::io_context loop;
        auto url = asio::co_spawn(
            loop, settlement.checkout_url(reorder_id, "2 prints", "/order/reorders/" + reorder_id),
            asio::use_future);
        loop.run();
        return url.get();
    }

    Reorder place() {
        NewReorder reorder;
        reorder.idempotency_key = "form-1";
        reorder.order_id = "order-1";
        reorder.currency = "EUR";
        reorder.lines = {{std::string(64, 'a'), "5x7", "5×7", 2, 350}};
        reorder.delivery.method = DeliveryMethod::pickup;
        return ledger.place_reorder(reorder);
    }
};

std::string completed_body(const std::string& checkout_id) {
    return payment_event_json({"evt_1", "checkout.completed", checkout_id, "ch_1", 700, "EUR"});
}

} // namespace

TEST_CASE("a checkout the provider could not open is asked again with the same key") {
    Shop shop;
    const auto reorder = shop.place();
    shop.provider.unreachable = true;
    CHECK_FALSE(shop.checkout_url(reorder.id));
    shop.provider.unreachable = false;
    const auto url = shop.checkout_url(reorder.id);
    REQUIRE(url);
    REQUIRE(shop.provider.requests.size() == 2);
    CHECK(shop.provider.requests[0].idempotency_key == shop.provider.requests[1].idempotency_key);
    CHECK(shop.provider.requests[1].amount == 700);
    CHECK(shop.provider.requests[1].currency == "EUR");
    CHECK(shop.provider.requests[1].return_path == "/order/reorders/" + reorder.id);
    // Asked once more, the open checkout is reused without asking the provider.
    CHECK(shop.checkout_url(reorder.id) == url);
    CHECK(shop.provider.requests.size() == 2);
}

TEST_CASE("a webhook settles only with a good signature, a fresh time and a known event") {
    Shop shop;
    const auto reorder = shop.place();
    REQUIRE(shop.checkout_url(reorder.id));
    const auto checkout_id = "cs_" + shop.provider.requests.at(0).idempotency_key;
    const auto body = completed_body(checkout_id);
    const auto unchanged = [&] {
        CHECK(shop.ledger.find_reorder(reorder.id)->state == ReorderState::unpaid);
        CHECK(shop.ledger.count_charges(reorder.id) == 0);
        CHECK(shop.ledger.count_applied_events() == 0);
    };

    auto answer =
        shop.settlement.receive_webhook(sign_webhook("whsec_other", now, body), body, now);
    CHECK_FALSE(answer.accepted);
    CHECK(answer.reason == "signature does not match");
    unchanged();
    answer =
        shop.settlement.receive_webhook(sign_webhook("whsec_unit", now - 301, body), body, now);
    CHECK_FALSE(answer.accepted);
    CHECK(answer.reason == "signature timestamp outside the tolerance");
    unchanged();
    const auto unknown = payment_event_json({"evt_2", "payout.paid", checkout_id, "", 0, ""});
    answer =
        shop.settlement.receive_webhook(sign_webhook("whsec_unit", now, unknown), unknown, now);
    CHECK_FALSE(answer.accepted);
    CHECK(answer.reason == "unknown event type");
    unchanged();
    answer = shop.settlement.receive_webhook("", body, now);
    CHECK_FALSE(answer.accepted);
    unchanged();

    answer = shop.settlement.receive_webhook(sign_webhook("whsec_unit", now, body), body, now);
    CHECK(answer.accepted);
    CHECK(answer.reason == "applied");
    CHECK(shop.ledger.find_reorder(reorder.id)->state == ReorderState::paid);
    answer =
        shop.settlement.receive_webhook(sign_webhook("whsec_unit", now + 5, body), body, now + 5);
    CHECK(answer.accepted);
    CHECK(answer.reason == "already applied");
    CHECK(shop.ledger.count_charges(reorder.id) == 1);
    // A paid reorder opens no further checkout.
    CHECK_FALSE(shop.checkout_url(reorder.id));
}

TEST_CASE("a refund the provider did not answer stays pending and is asked again with its key") {
    Shop shop;
    const auto reorder = shop.place();
    REQUIRE(shop.checkout_url(reorder.id));
    const auto body = completed_body("cs_" + shop.provider.requests.at(0).idempotency_key);
    REQUIRE(
        shop.settlement.receive_webhook(sign_webhook("whsec_unit", now, body), body, now).accepted);
    const auto run = [](auto awaitable) {
        asio::io_context loop;
        auto result = asio::co_spawn(loop, std::move(awaitable), asio::use_future);
        loop.run();
        return result.get();
    };
    shop.provider.unreachable = true;
    const auto cancelled = run(shop.settlement.cancel(reorder.id, "guest changed their mind"));
    CHECK(cancelled.error == CancelError::refund_pending);
    CHECK(shop.ledger.find_reorder(reorder.id)->state == ReorderState::cancelled);
    CHECK(shop.ledger.find_reorder(reorder.id)->refunding == 700);
    // The hub restarts: the same key is asked again, and the refund is done once.
    shop.provider.unreachable = false;
    CHECK(run(shop.settlement.resume_refunds()) == 1);
    REQUIRE(shop.provider.refunds.size() == 2);
    CHECK(shop.provider.refunds[0].idempotency_key == shop.provider.refunds[1].idempotency_key);
    CHECK(shop.provider.refunds[1].charge_id == "ch_1");
    CHECK(shop.ledger.find_reorder(reorder.id)->refunded == 700);
    CHECK(run(shop.settlement.resume_refunds()) == 0);
    const auto again = run(shop.settlement.cancel(reorder.id, "again"));
    CHECK(again.ok());
    CHECK(again.already_cancelled);
    CHECK(again.refunded == 700);
    CHECK(shop.provider.refunds.size() == 2);
    // Asking for more than is left is refused before any provider hears of it.
    const auto more = run(shop.settlement.refund("extra", reorder.id, 1, "goodwill"));
    CHECK(more.error == RefundError::exceeds_charged);
    CHECK(shop.provider.refunds.size() == 2);
}
