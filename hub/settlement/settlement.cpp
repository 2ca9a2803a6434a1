#include "hub/settlement/settlement.hpp"

#include "hub/settlement/webhook_signature.hpp"
#include "platform/log/logger.hpp"

#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

#include <chrono>

namespace encore::hub::settlement {

namespace http = platform::http;

Settlement::Settlement(SettlementSettings settings, Ledger& ledger, PaymentProvider& provider)
    : settings_(std::move(settings))
    , ledger_(ledger)
    , provider_(provider) {}

boost::asio::awaitable<std::optional<std::string>>
Settlement::checkout_url(std::string reorder_id, std::string description, std::string return_path) {
    const auto attempt = ledger_.begin_checkout(reorder_id, provider_.name());
    if (!attempt) {
        co_return std::nullopt;
    }
    if (attempt->url) {
        co_return attempt->url;
    }
    CheckoutRequest request{attempt->idempotency_key, reorder_id,
                            attempt->amount,          attempt->currency,
                            std::move(description),   std::move(return_path)};
    // Bound to a local first: GCC 12 mishandles temporaries inside a co_await.
    auto opening = provider_.open_checkout(std::move(request));
    const auto hosted = co_await std::move(opening);
    if (!hosted) {
        co_return std::nullopt;
    }
    ledger_.record_checkout_opened(attempt->idempotency_key, hosted->checkout_id, hosted->url);
    co_return hosted->url;
}

namespace {

std::optional<PaymentEvent> parse_event(std::string_view body) {
    const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object() || !json.contains("id") || !json["id"].is_string() ||
        !json.contains("type") || !json["type"].is_string() || !json.contains("data") ||
        !json["data"].is_object()) {
        return std::nullopt;
    }
    const auto& data = json["data"];
    PaymentEvent event;
    event.id = json["id"].get<std::string>();
    event.type = json["type"].get<std::string>();
    const auto text = [&](const char* key) {
        return data.contains(key) && data[key].is_string() ? data[key].get<std::string>()
                                                           : std::string();
    };
    event.checkout_id = text("checkout_id");
    event.charge_id = text("charge_id");
    event.currency = text("currency");
    if (data.contains("amount") && data["amount"].is_number_integer()) {
        event.amount = data["amount"].get<std::int64_t>();
    }
    if (event.id.empty() || event.id.size() > 255 || event.checkout_id.empty()) {
        return std::nullopt;
    }
    return event;
}

} // namespace

std::string payment_event_json(const PaymentEvent& event) {
    nlohmann::json data = {{"checkout_id", event.checkout_id}};
    if (!event.charge_id.empty()) {
        data["charge_id"] = event.charge_id;
        data["amount"] = event.amount;
        data["currency"] = event.currency;
    }
    return nlohmann::json{{"id", event.id}, {"type", event.type}, {"data", data}}.dump();
}

WebhookAnswer Settlement::receive_webhook(std::string_view signature_header, std::string_view body,
                                          std::int64_t now_unix_seconds) {
    const auto verdict = verify_webhook_signature(signature_header, body,
                                                  provider_.webhook_secret(), now_unix_seconds);
    if (verdict != SignatureVerdict::valid) {
        return {false, std::string(to_string(verdict))};
    }
    const auto event = parse_event(body);
    if (!event) {
        return {false, "not a payment event"};
    }
    const auto outcome = ledger_.apply_event(*event);
    const bool accepted = outcome == EventOutcome::applied || outcome == EventOutcome::duplicate;
    return {accepted, std::string(to_string(outcome))};
}

namespace {

// The public listener's headers on every answer, a provider's included.
http::Response webhook_answer(const http::Request& request, http::Status status,
                              const nlohmann::json& body) {
    auto response = http::json_response(request, status, body);
    response.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    response.set(boost::beast::http::field::cache_control, "no-store");
    return response;
}

} // namespace

void add_webhook_route(http::Router& router, Settlement& settlement) {
    router.add(
        http::Method::post, "/webhooks/payment",
        [&settlement](const http::Request& request) -> boost::asio::awaitable<http::Response> {
            platform::Logger log("settlement");
            const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
            WebhookAnswer answer;
            try {
                answer =
                    settlement.receive_webhook(request[signature_header_name], request.body(), now);
            } catch (const std::exception& error) {
                // The provider retries a webhook that was not answered 2xx.
                log.error("a payment webhook failed: ", error.what());
                co_return webhook_answer(request, http::Status::internal_server_error,
                                         {{"error", "internal error"}});
            }
            if (!answer.accepted) {
                log.warning("payment webhook refused: ", answer.reason);
                co_return webhook_answer(request, http::Status::bad_request,
                                         {{"error", answer.reason}});
            }
            log.info("payment webhook ", answer.reason);
            co_return webhook_answer(request, http::Status::ok, {{"status", answer.reason}});
        });
}

} // namespace encore::hub::settlement
