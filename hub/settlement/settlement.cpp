#include "hub/settlement/settlement.hpp"

#include "hub/settlement/counter_provider.hpp"
#include "hub/settlement/vouchers.hpp"
#include "hub/settlement/webhook_signature.hpp"
#include "platform/log/logger.hpp"

#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>

namespace encore::hub::settlement {

namespace http = platform::http;

Settlement::Settlement(SettlementSettings settings, Ledger& ledger, PaymentProvider& provider,
                       PaymentProvider* counter)
    : settings_(std::move(settings))
    , ledger_(ledger)
    , provider_(provider)
    , counter_(counter) {}

const PriceList& Settlement::prices(std::string_view event) const {
    const auto found = settings_.events.find(event);
    return found != settings_.events.end() && found->second.prices ? *found->second.prices
                                                                   : settings_.prices;
}

bool Settlement::venue_pickup(std::string_view event) const {
    const auto found = settings_.events.find(event);
    return found != settings_.events.end() && found->second.venue_pickup
               ? *found->second.venue_pickup
               : settings_.venue_pickup;
}

std::vector<UnprintableProduct>
unprintable_products(const SettlementSettings& settings,
                     const std::function<bool(std::string_view product_id)>& printable) {
    std::vector<UnprintableProduct> missing;
    const auto check = [&](const std::string& event, const PriceList& list) {
        for (const auto& product : list.products) {
            if (!printable(product.id)) {
                missing.push_back({event, product.id});
            }
        }
    };
    check("", settings.prices);
    for (const auto& [event, event_settings] : settings.events) {
        if (event_settings.prices) {
            check(event, *event_settings.prices);
        }
    }
    return missing;
}

PaymentProvider* Settlement::provider_named(std::string_view name) {
    if (name == provider_.name()) {
        return &provider_;
    }
    if (counter_ != nullptr && name == counter_->name()) {
        return counter_;
    }
    return nullptr;
}

bool Settlement::choose_counter(const std::string& reorder_id, const std::string& return_path) {
    if (!counter()) {
        return false;
    }
    const auto attempt = ledger_.begin_checkout(reorder_id, counter_->name());
    if (!attempt) {
        return false;
    }
    if (!attempt->checkout_id) {
        ledger_.record_checkout_opened(attempt->idempotency_key,
                                       counter_checkout_id(attempt->idempotency_key), return_path);
    }
    return true;
}

namespace {

std::string trimmed(std::string text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.erase(0, 1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.pop_back();
    }
    return text;
}

} // namespace

ConfirmResult Settlement::confirm_at_counter(const std::string& reference, CounterMethod method,
                                             const std::string& voucher_code) {
    platform::Logger log("settlement");
    if (counter_ == nullptr || !settings_.counter) {
        return {ConfirmOutcome::refused, reference,
                "paying at the counter is off: set \"settlement.counter\": true in the hub's "
                "config and restart hubd"};
    }
    auto reorder = ledger_.find_reorder(reference);
    if (!reorder) {
        reorder = ledger_.find_reorder_by_counter_reference(reference);
    }
    if (!reorder) {
        return {ConfirmOutcome::unknown_reorder, reference,
                "no reorder " + reference +
                    ": give its id or the counter reference the guest shows (like C3F2A9B1C)"};
    }
    const auto& id = reorder->id;
    const auto typed_code = trimmed(voucher_code);
    if (method == CounterMethod::voucher && (typed_code.empty() || typed_code.size() > 64)) {
        return {ConfirmOutcome::invalid, id,
                "a voucher needs its code: type the code printed on it (like "
                "ENC-4KQ9-M3XR-6CFW)"};
    }
    const auto amount = format_amount(reorder->total, reorder->currency);
    if (reorder->state == ReorderState::cancelled) {
        return {ConfirmOutcome::refused, id,
                "reorder " + id + " was cancelled: take no money for it"};
    }
    if (reorder->state != ReorderState::unpaid) {
        for (const auto& charge : ledger_.charges_of(id)) {
            if (charge.provider == counter_->name()) {
                return {ConfirmOutcome::already_paid, id,
                        "reorder " + id + " was paid at the counter already (" + charge.method +
                            (charge.reference.empty() ? "" : " " + charge.reference) +
                            "): take no money for it"};
            }
        }
        return {ConfirmOutcome::refused, id,
                "reorder " + id + " was paid online already: take no money for it"};
    }
    VoucherUse use;
    if (method == CounterMethod::voucher) {
        use.code = typed_code;
        use.event = order_events_ ? order_events_(reorder->order_id) : std::string();
        use.currency = reorder->currency;
        use.amount = reorder->total;
        // Checked before a counter checkout is opened, so a refused voucher leaves no
        // trace; checked again, with the charge, in one transaction below.
        const auto check = ledger_.check_voucher(use);
        if (check.problem != VoucherProblem::none) {
            return {ConfirmOutcome::refused, id, voucher_refusal(check, use, typed_code)};
        }
    }
    const auto attempt = ledger_.begin_checkout(id, counter_->name());
    if (!attempt) {
        return {ConfirmOutcome::refused, id,
                "reorder " + id + " changed meanwhile: open the order desk again"};
    }
    auto checkout_id = attempt->checkout_id.value_or("");
    if (checkout_id.empty()) {
        checkout_id = counter_checkout_id(attempt->idempotency_key);
        ledger_.record_checkout_opened(attempt->idempotency_key, checkout_id,
                                       "/order/reorders/" + id);
    }
    // The same once-only path as a provider's webhook: the event id is the idempotency
    // key of this confirmation.
    PaymentEvent event;
    event.id = "counter-" + checkout_id;
    event.type = "checkout.completed";
    event.checkout_id = checkout_id;
    event.charge_id = "ch_" + checkout_id;
    event.amount = attempt->amount;
    event.currency = attempt->currency;
    CounterPayment payment;
    payment.method = method == CounterMethod::cash ? "cash" : "voucher";
    std::optional<RefundRecord> refund_due;
    auto outcome = EventOutcome::applied;
    if (method == CounterMethod::voucher) {
        const auto redemption = ledger_.redeem_voucher(event, use, &refund_due);
        if (!redemption.outcome) {
            // Another clerk redeemed it (or voided it) a moment ago.
            return {ConfirmOutcome::refused, id,
                    voucher_refusal(redemption.check, use, typed_code)};
        }
        outcome = *redemption.outcome;
        payment.reference = redemption.check.voucher ? redemption.check.voucher->code : "";
    } else {
        outcome = ledger_.apply_event(event, &refund_due, payment);
    }
    if (outcome == EventOutcome::duplicate) {
        return {ConfirmOutcome::already_paid, id,
                "reorder " + id + " was paid at the counter already: take no money for it"};
    }
    if (outcome != EventOutcome::applied) {
        return {ConfirmOutcome::invalid, id, std::string(to_string(outcome))};
    }
    if (refund_due) {
        // Paid online in the same instant: the cash goes straight back.
        ledger_.finish_refund(refund_due->idempotency_key, RefundState::succeeded,
                              "cash_" + refund_due->idempotency_key);
        if (method == CounterMethod::voucher) {
            // The voucher's charge is refunded in full, so the voucher is open again.
            log.warning("reorder ", id, " was paid online while the counter took voucher ",
                        payment.reference, ": it stays valid");
            return {ConfirmOutcome::refused, id,
                    "reorder " + id + " was paid online meanwhile: give the guest voucher " +
                        payment.reference + " back, it stays valid"};
        }
        log.warning("reorder ", id, " was paid online while the counter took ", amount,
                    ": handed back in cash");
        return {ConfirmOutcome::refused, id,
                "reorder " + id + " was paid online meanwhile: give the guest the " + amount +
                    " back"};
    }
    log.info("reorder ", id, " paid at the counter: ", amount, " by ", payment.method);
    return {ConfirmOutcome::paid, id,
            "reorder " + id + " paid at the counter: " + amount + " by " + payment.method +
                (payment.reference.empty() ? "" : " " + payment.reference) +
                "; it is in the order desk's queue"};
}

boost::asio::awaitable<std::vector<RefundRecord>>
Settlement::ask_refunds(std::vector<RefundRecord> refunds) {
    platform::Logger log("settlement");
    for (auto& refund : refunds) {
        if (refund.state != RefundState::pending) {
            continue;
        }
        auto* provider = provider_named(refund.provider);
        if (provider == nullptr) {
            log.error("refund ", refund.idempotency_key, " is for provider '", refund.provider,
                      "', which this hub does not run: it stays pending");
            continue;
        }
        RefundRequest request{refund.idempotency_key, refund.charge_id, refund.amount,
                              refund.currency, refund.reason};
        // Bound to a local first: GCC 12 mishandles temporaries inside a co_await.
        auto asking = provider->refund(std::move(request));
        const auto answer = co_await std::move(asking);
        switch (answer.status) {
        case RefundStatus::succeeded:
            ledger_.finish_refund(refund.idempotency_key, RefundState::succeeded, answer.refund_id);
            refund.state = RefundState::succeeded;
            refund.provider_refund_id = answer.refund_id;
            log.info("refund ", refund.idempotency_key, " of ",
                     format_amount(refund.amount, refund.currency), " for reorder ",
                     refund.reorder_id, " done by ", refund.provider, " (", answer.refund_id, ")");
            break;
        case RefundStatus::refused:
            ledger_.finish_refund(refund.idempotency_key, RefundState::failed, answer.message);
            refund.state = RefundState::failed;
            refund.provider_refund_id = answer.message;
            log.error("provider ", refund.provider, " refused refund ", refund.idempotency_key,
                      ": ", answer.message);
            break;
        case RefundStatus::unreachable:
            log.warning("provider ", refund.provider, " did not answer refund ",
                        refund.idempotency_key, ": it stays pending and is asked again");
            break;
        }
    }
    co_return refunds;
}

boost::asio::awaitable<int> Settlement::resume_refunds() {
    auto asking = ask_refunds(ledger_.pending_refunds());
    const auto refunds = co_await std::move(asking);
    co_return static_cast<int>(std::count_if(refunds.begin(), refunds.end(), [](const auto& r) {
        return r.state == RefundState::succeeded;
    }));
}

namespace {

// "7.00 EUR back by dev (re_...)", "7.00 EUR to hand back in cash at the counter".
std::string refunds_text(Ledger& ledger, const std::vector<RefundRecord>& refunds) {
    // A counter charge paid by a voucher: its code.
    const auto voucher_of = [&ledger](const RefundRecord& refund) -> std::optional<std::string> {
        for (const auto& charge : ledger.charges_of(refund.reorder_id)) {
            if (charge.charge_id == refund.charge_id && charge.method == "voucher") {
                return charge.reference;
            }
        }
        return std::nullopt;
    };
    std::string text;
    for (const auto& refund : refunds) {
        text += text.empty() ? "" : ", ";
        text += format_amount(refund.amount, refund.currency);
        if (refund.state == RefundState::failed) {
            text += " refused by " + refund.provider + " (" + refund.provider_refund_id +
                    "): give it back by hand";
        } else if (refund.state == RefundState::pending) {
            text += " pending with " + refund.provider + " (asked again at the next start)";
        } else if (refund.provider == "counter") {
            const auto voucher = voucher_of(refund);
            // Refunded in full, a voucher pays again: the guest gets it back, not cash.
            text += voucher && !ledger.voucher_redeemed_by(*voucher)
                        ? " on voucher " + *voucher +
                              ", which is valid again: hand it back to the guest"
                        : " to hand back in cash at the counter";
        } else {
            text += " back by " + refund.provider + " (" + refund.provider_refund_id + ")";
        }
    }
    return text;
}

} // namespace

boost::asio::awaitable<RefundResult> Settlement::refund(std::string idempotency_key,
                                                        std::string reorder_id, std::int64_t amount,
                                                        std::string reason) {
    RefundResult result;
    reason = trimmed(std::move(reason));
    if (idempotency_key.empty() || idempotency_key.size() > 200 || reason.empty()) {
        result.error = RefundError::invalid;
        result.message = "give a reason and an idempotency key";
        co_return result;
    }
    const auto reorder = ledger_.find_reorder(reorder_id);
    if (!reorder) {
        result.error = RefundError::unknown_reorder;
        result.message = "no reorder " + reorder_id;
        co_return result;
    }
    result.currency = reorder->currency;
    const auto plan = ledger_.request_refund(idempotency_key, reorder_id, amount, reason);
    if (plan.outcome == RefundOutcome::invalid) {
        result.error = RefundError::invalid;
        result.message = "a refund is a positive amount in minor units (cents)";
        co_return result;
    }
    if (plan.outcome == RefundOutcome::exceeds_charged) {
        result.error = RefundError::exceeds_charged;
        result.message = "a refund of " + format_amount(amount, reorder->currency) +
                         " exceeds what is left of reorder " + reorder_id + ": " +
                         format_amount(reorder->charged, reorder->currency) + " charged, " +
                         format_amount(reorder->refunded + reorder->refunding, reorder->currency) +
                         " refunded or under way";
        co_return result;
    }
    result.repeated = plan.outcome == RefundOutcome::duplicate;
    auto asking = ask_refunds(plan.refunds);
    result.refunds = co_await std::move(asking);
    for (const auto& refund : result.refunds) {
        result.amount += refund.amount;
        if (refund.state == RefundState::failed) {
            result.error = RefundError::provider_refused;
        } else if (refund.state == RefundState::pending && result.ok()) {
            result.error = RefundError::provider_unreachable;
        }
    }
    result.message = "reorder " + reorder_id +
                     (result.repeated ? ", refund asked before: " : ": ") +
                     refunds_text(ledger_, result.refunds);
    co_return result;
}

boost::asio::awaitable<CancelResult> Settlement::cancel(std::string reorder_id,
                                                        std::string reason) {
    CancelResult result;
    reason = trimmed(std::move(reason));
    if (reason.empty() || reason.size() > 500) {
        result.error = CancelError::invalid;
        result.message = "give the reason for cancelling (up to 500 characters)";
        co_return result;
    }
    const auto plan = ledger_.cancel_reorder(reorder_id, reason);
    switch (plan.outcome) {
    case CancelOutcome::unknown_reorder:
        result.error = CancelError::unknown_reorder;
        result.message = "no reorder " + reorder_id;
        co_return result;
    case CancelOutcome::released:
        result.error = CancelError::released;
        result.message = "already at the lab: reorder " + reorder_id + " is " +
                         std::string(to_string(plan.state)) +
                         ", so it can no longer be cancelled. Let it finish (or take its prints "
                         "out of the lab's output) and give money back with `encore pay refund " +
                         reorder_id + " --amount CENTS --reason TEXT`";
        co_return result;
    case CancelOutcome::cancelled:
    case CancelOutcome::already_cancelled:
        break;
    }
    result.already_cancelled = plan.outcome == CancelOutcome::already_cancelled;
    // A refund left pending by an earlier attempt is asked again, with its key.
    auto asking = ask_refunds(plan.refunds);
    const auto refunds = co_await std::move(asking);
    const auto reorder = ledger_.find_reorder(reorder_id);
    result.currency = reorder ? reorder->currency : "";
    result.refunded = reorder ? reorder->refunded : 0;
    bool unfinished = false;
    for (const auto& refund : refunds) {
        unfinished = unfinished || refund.state != RefundState::succeeded;
    }
    if (unfinished) {
        result.error = CancelError::refund_pending;
    }
    result.message = "reorder " + reorder_id +
                     (result.already_cancelled ? " was cancelled already" : " cancelled");
    if (refunds.empty()) {
        result.message += plan.state == ReorderState::unpaid || result.already_cancelled
                              ? " (no money was taken: nothing to refund)"
                              : "";
    } else {
        result.message += "; refunds: " + refunds_text(ledger_, refunds);
    }
    platform::Logger("settlement").info(result.message, " (reason: ", reason, ")");
    co_return result;
}

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
        return {false, std::string(to_string(verdict)), std::nullopt};
    }
    const auto event = parse_event(body);
    if (!event) {
        return {false, "not a payment event", std::nullopt};
    }
    WebhookAnswer answer;
    const auto outcome = ledger_.apply_event(*event, &answer.refund_due);
    answer.accepted = outcome == EventOutcome::applied || outcome == EventOutcome::duplicate;
    answer.reason = std::string(to_string(outcome));
    if (answer.refund_due) {
        platform::Logger("settlement")
            .warning("charge ", event->charge_id, " of checkout ", event->checkout_id,
                     " for reorder ", answer.refund_due->reorder_id, ": ",
                     answer.refund_due->reason, "; refunding all of it (",
                     answer.refund_due->idempotency_key, ")");
    }
    return answer;
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
            if (answer.refund_due) {
                // The event is applied whatever the provider says to the refund; one it
                // does not answer stays pending and is asked again at the next start.
                try {
                    std::vector<RefundRecord> due{*answer.refund_due};
                    auto asking = settlement.ask_refunds(std::move(due));
                    co_await std::move(asking);
                } catch (const std::exception& error) {
                    log.error("the refund of a second payment failed: ", error.what());
                }
            }
            co_return webhook_answer(request, http::Status::ok, {{"status", answer.reason}});
        });
}

} // namespace encore::hub::settlement
