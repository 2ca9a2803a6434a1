#include "hub/settlement/ledger.hpp"
#include "hub/settlement/price_list.hpp"
#include "hub/settlement/webhook_signature.hpp"
#include "platform/sqlite/database.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <thread>
#include <vector>

using namespace encore::hub::settlement;

namespace {

constexpr std::int64_t signed_at = 1'800'000'000;
const std::string secret = "whsec_test_secret_0123456789";

NewReorder two_five_by_seven(const std::string& key) {
    NewReorder reorder;
    reorder.idempotency_key = key;
    reorder.order_id = "order-1";
    reorder.currency = "EUR";
    reorder.lines = {{std::string(64, 'a'), "5x7", "5×7", 2, 350}};
    reorder.delivery = {DeliveryMethod::ship, "Ada Guest", "1 Main St", "10115", "Berlin", "DE"};
    return reorder;
}

// A reorder with an open checkout "cs_1" of 700 cents, as after the guest was sent to
// the provider's page.
struct OpenCheckout {
    Reorder reorder;
    CheckoutAttempt attempt;
};

OpenCheckout open_checkout(Ledger& ledger) {
    OpenCheckout opened;
    opened.reorder = ledger.place_reorder(two_five_by_seven("form-1"));
    auto attempt = ledger.begin_checkout(opened.reorder.id, "dev");
    REQUIRE(attempt);
    ledger.record_checkout_opened(attempt->idempotency_key, "cs_1", "/dev-checkout/cs_1");
    opened.attempt = *attempt;
    return opened;
}

PaymentEvent completed(const std::string& event_id) {
    return {event_id, "checkout.completed", "cs_1", "ch_1", 700, "EUR"};
}

} // namespace

TEST_CASE("a webhook signature is accepted only with the secret, the same body and a fresh time") {
    const std::string body = R"({"id":"evt_1","type":"checkout.completed"})";
    const auto header = sign_webhook(secret, signed_at, body);
    CHECK(header.starts_with("t=1800000000,v1="));
    CHECK(header.size() == std::string("t=1800000000,v1=").size() + 64);
    CHECK(verify_webhook_signature(header, body, secret, signed_at) == SignatureVerdict::valid);
    CHECK(verify_webhook_signature(header, body, secret, signed_at + 300) ==
          SignatureVerdict::valid);
    CHECK(verify_webhook_signature(header, body, secret, signed_at - 300) ==
          SignatureVerdict::valid);
    CHECK(verify_webhook_signature(header, body, secret, signed_at + 301) ==
          SignatureVerdict::stale);
    CHECK(verify_webhook_signature(header, body, secret, signed_at - 301) ==
          SignatureVerdict::stale);
    CHECK(verify_webhook_signature(header, body + " ", secret, signed_at) ==
          SignatureVerdict::mismatch);
    CHECK(verify_webhook_signature(header, body, "another secret", signed_at) ==
          SignatureVerdict::mismatch);
    // The time is signed too: moving it forward breaks the signature.
    auto moved = header;
    moved.replace(2, 10, std::to_string(signed_at + 100));
    CHECK(verify_webhook_signature(moved, body, secret, signed_at + 100) ==
          SignatureVerdict::mismatch);
    // A rotated secret: one matching v1 among several is enough.
    const auto rotated = "t=1800000000,v1=" + std::string(64, '0') + "," + header.substr(13);
    CHECK(verify_webhook_signature(rotated, body, secret, signed_at) == SignatureVerdict::valid);
    for (const std::string& malformed :
         {std::string(), std::string("v1=abc"), std::string("t=,v1=abc"),
          std::string("t=12x,v1=abc"), std::string("t=1800000000"),
          std::string("t=1,t=2,v1=" + std::string(64, '0'))}) {
        CAPTURE(malformed);
        CHECK(verify_webhook_signature(malformed, body, secret, signed_at) ==
              SignatureVerdict::malformed);
    }
}

TEST_CASE("a reorder placed twice with one idempotency key is one reorder") {
    encore::testing::TempDir dir;
    Ledger ledger(dir / "settlement.db");
    const auto first = ledger.place_reorder(two_five_by_seven("form-1"));
    CHECK(first.state == ReorderState::unpaid);
    CHECK(first.total == 700);
    REQUIRE(first.lines.size() == 1);
    CHECK(first.lines[0].quantity == 2);
    CHECK(first.delivery.city == "Berlin");
    const auto again = ledger.place_reorder(two_five_by_seven("form-1"));
    CHECK(again.id == first.id);
    CHECK(ledger.find_reorder_by_key("form-1")->id == first.id);
    CHECK_FALSE(ledger.find_reorder_by_key("form-9"));
    CHECK(ledger.reorders_of_order("order-1").size() == 1);
    const auto other = ledger.place_reorder(two_five_by_seven("form-2"));
    CHECK(other.id != first.id);
    CHECK(ledger.reorders_of_order("order-1").size() == 2);
}

TEST_CASE("a checkout attempt is stored before the provider is asked and reused until it ends") {
    encore::testing::TempDir dir;
    std::string key;
    std::string reorder_id;
    {
        Ledger ledger(dir / "settlement.db");
        reorder_id = ledger.place_reorder(two_five_by_seven("form-1")).id;
        const auto attempt = ledger.begin_checkout(reorder_id, "dev");
        REQUIRE(attempt);
        CHECK(attempt->state == CheckoutState::creating);
        CHECK(attempt->amount == 700);
        CHECK_FALSE(attempt->checkout_id);
        key = attempt->idempotency_key;
    }
    // After a crash before the provider answered, the same key is sent again.
    Ledger reopened(dir / "settlement.db");
    const auto resumed = reopened.begin_checkout(reorder_id, "dev");
    REQUIRE(resumed);
    CHECK(resumed->idempotency_key == key);
    reopened.record_checkout_opened(key, "cs_1", "/dev-checkout/cs_1");
    const auto open = reopened.begin_checkout(reorder_id, "dev");
    REQUIRE(open);
    CHECK(open->idempotency_key == key);
    CHECK(open->url == "/dev-checkout/cs_1");
    CHECK_FALSE(reopened.begin_checkout("no-such-reorder", "dev"));
}

TEST_CASE("a completed checkout settles the reorder, and a declined one leaves it retryable") {
    encore::testing::TempDir dir;
    Ledger ledger(dir / "settlement.db");
    const auto opened = open_checkout(ledger);
    CHECK(ledger.apply_event({"evt_d", "checkout.declined", "cs_1", "", 0, ""}) ==
          EventOutcome::applied);
    CHECK(ledger.find_reorder(opened.reorder.id)->state == ReorderState::unpaid);
    const auto retry = ledger.begin_checkout(opened.reorder.id, "dev");
    REQUIRE(retry);
    CHECK(retry->idempotency_key != opened.attempt.idempotency_key);
    ledger.record_checkout_opened(retry->idempotency_key, "cs_2", "/dev-checkout/cs_2");
    CHECK(ledger.apply_event({"evt_c", "checkout.completed", "cs_2", "ch_2", 700, "EUR"}) ==
          EventOutcome::applied);
    const auto paid = ledger.find_reorder(opened.reorder.id);
    CHECK(paid->state == ReorderState::paid);
    CHECK(paid->charged == 700);
    // Paid: no further checkout.
    CHECK_FALSE(ledger.begin_checkout(opened.reorder.id, "dev"));
}

TEST_CASE("unknown events and mismatched charges change nothing") {
    encore::testing::TempDir dir;
    Ledger ledger(dir / "settlement.db");
    const auto opened = open_checkout(ledger);
    CHECK(ledger.apply_event({"evt_1", "charge.disputed", "cs_1", "ch_1", 700, "EUR"}) ==
          EventOutcome::unknown_type);
    CHECK(ledger.apply_event({"evt_2", "checkout.completed", "cs_unknown", "ch_1", 700, "EUR"}) ==
          EventOutcome::unknown_checkout);
    CHECK(ledger.apply_event({"evt_3", "checkout.completed", "cs_1", "ch_1", 1, "EUR"}) ==
          EventOutcome::amount_mismatch);
    CHECK(ledger.apply_event({"evt_4", "checkout.completed", "cs_1", "ch_1", 700, "USD"}) ==
          EventOutcome::amount_mismatch);
    CHECK(ledger.find_reorder(opened.reorder.id)->state == ReorderState::unpaid);
    CHECK(ledger.count_charges(opened.reorder.id) == 0);
    CHECK(ledger.count_applied_events() == 0);
    // The refused event ids are not burnt: once right, the same id applies.
    CHECK(ledger.apply_event(completed("evt_2")) == EventOutcome::applied);
}

TEST_CASE("one event delivered 5 times concurrently settles once") {
    encore::testing::TempDir dir;
    std::string reorder_id;
    {
        Ledger ledger(dir / "settlement.db");
        reorder_id = open_checkout(ledger).reorder.id;
    }
    // Five deliveries, each with its own connection to the same file, as five hubd
    // front ends or five threads would have.
    constexpr int deliveries = 5;
    std::vector<std::unique_ptr<Ledger>> ledgers;
    for (int index = 0; index < deliveries; ++index) {
        ledgers.push_back(std::make_unique<Ledger>(dir / "settlement.db"));
    }
    std::atomic<int> ready = 0;
    std::vector<EventOutcome> outcomes(deliveries);
    std::vector<std::thread> threads;
    for (int index = 0; index < deliveries; ++index) {
        threads.emplace_back([&, index] {
            ++ready;
            while (ready < deliveries) {
                std::this_thread::yield();
            }
            outcomes[index] = ledgers[index]->apply_event(completed("evt_once"));
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    CHECK(std::count(outcomes.begin(), outcomes.end(), EventOutcome::applied) == 1);
    CHECK(std::count(outcomes.begin(), outcomes.end(), EventOutcome::duplicate) == 4);
    Ledger ledger(dir / "settlement.db");
    CHECK(ledger.count_charges(reorder_id) == 1);
    CHECK(ledger.count_applied_events() == 1);
    const auto reorder = ledger.find_reorder(reorder_id);
    CHECK(reorder->state == ReorderState::paid);
    CHECK(reorder->charged == 700);
    // The same payment announced under another event id adds no second charge.
    CHECK(ledger.apply_event(completed("evt_other")) == EventOutcome::applied);
    CHECK(ledger.find_reorder(reorder_id)->charged == 700);
}

TEST_CASE("refunds never exceed what was charged, and a refund key counts once") {
    encore::testing::TempDir dir;
    Ledger ledger(dir / "settlement.db");
    const auto opened = open_checkout(ledger);
    const auto& id = opened.reorder.id;
    // Nothing charged yet: nothing to refund.
    CHECK(ledger.record_refund("refund-0", id, 100) == RefundOutcome::exceeds_charged);
    REQUIRE(ledger.apply_event(completed("evt_1")) == EventOutcome::applied);
    CHECK(ledger.record_refund("refund-1", id, 701) == RefundOutcome::exceeds_charged);
    CHECK(ledger.record_refund("refund-1", id, 500) == RefundOutcome::recorded);
    CHECK(ledger.record_refund("refund-1", id, 500) == RefundOutcome::duplicate);
    CHECK(ledger.record_refund("refund-2", id, 201) == RefundOutcome::exceeds_charged);
    CHECK(ledger.record_refund("refund-2", id, 200) == RefundOutcome::recorded);
    CHECK(ledger.record_refund("refund-3", id, 1) == RefundOutcome::exceeds_charged);
    CHECK(ledger.record_refund("refund-4", id, 0) == RefundOutcome::invalid);
    CHECK(ledger.record_refund("refund-5", "no-such-reorder", 1) == RefundOutcome::invalid);
    CHECK(ledger.find_reorder(id)->refunded == 700);
}

TEST_CASE("a price list from the config is checked, and the default one has the four products") {
    const auto defaults = default_price_list();
    CHECK(defaults.currency == "EUR");
    for (const auto* id : {"4x6", "5x7", "8x10", "strip"}) {
        CAPTURE(id);
        REQUIRE(defaults.find(id));
        CHECK(defaults.find(id)->unit_price > 0);
    }
    PriceList list;
    CHECK_FALSE(parse_price_list(
        nlohmann::json::parse(
            R"({"currency":"JPY","products":[{"id":"l","label":"L","price":500}]})"),
        list));
    CHECK(list.currency == "JPY");
    CHECK(currency_decimals("JPY") == 0);
    CHECK(currency_decimals("EUR") == 2);
    for (const auto* bad : {R"({"currency":"eur","products":[{"id":"a","label":"A","price":1}]})",
                            R"({"currency":"EUR","products":[]})",
                            R"({"currency":"EUR","products":[{"id":"a","label":"A","price":1.5}]})",
                            R"({"currency":"EUR","products":[{"id":"A","label":"A","price":1}]})",
                            R"({"currency":"EUR","products":[{"id":"a","label":"A","price":0}]})",
                            R"({"currency":"EUR","products":[{"id":"a","label":"A","price":1},
                                {"id":"a","label":"B","price":2}]})"}) {
        CAPTURE(bad);
        CHECK(parse_price_list(nlohmann::json::parse(bad), list));
    }
}

TEST_CASE("a pending refund holds its amount, a failed one frees it, and a key is asked once") {
    encore::testing::TempDir dir;
    Ledger ledger(dir / "settlement.db");
    const auto id = open_checkout(ledger).reorder.id;
    REQUIRE(ledger.apply_event(completed("evt_1")) == EventOutcome::applied);
    const auto first = ledger.request_refund("refund-a", id, 500, "bad print");
    REQUIRE(first.outcome == RefundOutcome::recorded);
    REQUIRE(first.refunds.size() == 1);
    CHECK(first.refunds[0].state == RefundState::pending);
    CHECK(first.refunds[0].charge_id == "ch_1");
    CHECK(first.refunds[0].provider == "dev");
    // Pending counts: 500 + 201 is more than the 700 charged.
    CHECK(ledger.request_refund("refund-b", id, 201, "more").outcome ==
          RefundOutcome::exceeds_charged);
    const auto again = ledger.request_refund("refund-a", id, 500, "bad print");
    CHECK(again.outcome == RefundOutcome::duplicate);
    CHECK(again.refunds.size() == 1);
    CHECK(ledger.pending_refunds().size() == 1);
    CHECK(ledger.find_reorder(id)->refunding == 500);
    CHECK(ledger.find_reorder(id)->refunded == 0);
    ledger.finish_refund("refund-a", RefundState::failed, "provider said no");
    CHECK(ledger.find_reorder(id)->refunding == 0);
    CHECK(ledger.request_refund("refund-b", id, 700, "all").outcome == RefundOutcome::recorded);
    ledger.finish_refund("refund-b", RefundState::succeeded, "re_1");
    // Finishing again changes nothing.
    ledger.finish_refund("refund-b", RefundState::failed, "late");
    CHECK(ledger.find_reorder(id)->refunded == 700);
    CHECK(ledger.pending_refunds().empty());
}

TEST_CASE("cancelling: unpaid without money, paid with a refund of each charge, released "
          "refused") {
    encore::testing::TempDir dir;
    Ledger ledger(dir / "settlement.db");
    const auto opened = open_checkout(ledger);
    const auto unpaid = ledger.place_reorder(two_five_by_seven("form-2"));
    auto plan = ledger.cancel_reorder(unpaid.id, "guest asked");
    CHECK(plan.outcome == CancelOutcome::cancelled);
    CHECK(plan.refunds.empty());
    CHECK(ledger.find_reorder(unpaid.id)->state == ReorderState::cancelled);
    CHECK(ledger.find_reorder(unpaid.id)->cancel_reason == "guest asked");
    CHECK_FALSE(ledger.begin_checkout(unpaid.id, "dev"));

    REQUIRE(ledger.apply_event(completed("evt_1")) == EventOutcome::applied);
    plan = ledger.cancel_reorder(opened.reorder.id, "wrong photo");
    CHECK(plan.outcome == CancelOutcome::cancelled);
    REQUIRE(plan.refunds.size() == 1);
    CHECK(plan.refunds[0].idempotency_key == "cancel-ch_1");
    CHECK(plan.refunds[0].amount == 700);
    // The desk cannot release it any more, and a second cancel stores nothing new.
    CHECK_FALSE(ledger.advance(opened.reorder.id, ReorderState::paid, ReorderState::printing));
    plan = ledger.cancel_reorder(opened.reorder.id, "again");
    CHECK(plan.outcome == CancelOutcome::already_cancelled);
    CHECK(plan.refunds.size() == 1);
    CHECK(ledger.refunds_of(opened.reorder.id).size() == 1);

    auto printing = ledger.place_reorder(two_five_by_seven("form-3"));
    auto attempt = ledger.begin_checkout(printing.id, "dev");
    ledger.record_checkout_opened(attempt->idempotency_key, "cs_3", "/x");
    REQUIRE(ledger.apply_event({"evt_3", "checkout.completed", "cs_3", "ch_3", 700, "EUR"}) ==
            EventOutcome::applied);
    REQUIRE(ledger.advance(printing.id, ReorderState::paid, ReorderState::printing));
    CHECK(ledger.cancel_reorder(printing.id, "late").outcome == CancelOutcome::released);
    CHECK(ledger.find_reorder(printing.id)->state == ReorderState::printing);
    CHECK(ledger.cancel_reorder("no-such", "x").outcome == CancelOutcome::unknown_reorder);
}

TEST_CASE("a second payment of a paid reorder is recorded and a refund of it is stored at once") {
    encore::testing::TempDir dir;
    Ledger ledger(dir / "settlement.db");
    const auto opened = open_checkout(ledger);
    ledger.apply_event({"evt_0", "checkout.declined", "cs_1", "", 0, ""});
    auto second = ledger.begin_checkout(opened.reorder.id, "dev");
    REQUIRE(second);
    ledger.record_checkout_opened(second->idempotency_key, "cs_2", "/dev-checkout/cs_2");
    std::optional<RefundRecord> due;
    REQUIRE(ledger.apply_event({"evt_2", "checkout.completed", "cs_2", "ch_2", 700, "EUR"}, &due) ==
            EventOutcome::applied);
    CHECK_FALSE(due);
    // The declined attempt completes late: the money was taken twice.
    REQUIRE(ledger.apply_event(completed("evt_1"), &due) == EventOutcome::applied);
    REQUIRE(due);
    CHECK(due->idempotency_key == "duplicate-ch_1");
    CHECK(due->charge_id == "ch_1");
    CHECK(due->amount == 700);
    CHECK(due->state == RefundState::pending);
    const auto reorder = ledger.find_reorder(opened.reorder.id);
    CHECK(reorder->charged == 1400);
    CHECK(reorder->refunding == 700);
    CHECK(ledger.count_charges(opened.reorder.id) == 2);
    // The same event again stores nothing.
    std::optional<RefundRecord> again;
    CHECK(ledger.apply_event(completed("evt_1"), &again) == EventOutcome::duplicate);
    CHECK_FALSE(again);
    CHECK(ledger.pending_refunds().size() == 1);
}

TEST_CASE("a shipped reorder's total includes its shipping and a pickup pays none") {
    encore::testing::TempDir dir;
    Ledger ledger(dir / "settlement.db");
    auto shipped = two_five_by_seven("form-ship");
    shipped.shipping = 495;
    const auto placed = ledger.place_reorder(shipped);
    CHECK(placed.shipping == 495);
    CHECK(placed.total == 1195);
    CHECK(ledger.find_reorder(placed.id)->total == 1195);
    // The provider is asked for the total, shipping included.
    const auto attempt = ledger.begin_checkout(placed.id, "dev");
    REQUIRE(attempt);
    CHECK(attempt->amount == 1195);
    ledger.record_checkout_opened(attempt->idempotency_key, "cs_1", "/dev-checkout/cs_1");
    // A charge of the prints alone is not this checkout's.
    CHECK(ledger.apply_event({"evt_0", "checkout.completed", "cs_1", "ch_1", 700, "EUR"}) ==
          EventOutcome::amount_mismatch);
    CHECK(ledger.apply_event({"evt_1", "checkout.completed", "cs_1", "ch_1", 1195, "EUR"}) ==
          EventOutcome::applied);
    CHECK(ledger.find_reorder(placed.id)->charged == 1195);

    auto pickup = two_five_by_seven("form-pickup");
    pickup.shipping = 495;
    pickup.delivery = {DeliveryMethod::pickup, "", "", "", "", ""};
    const auto collected = ledger.place_reorder(pickup);
    CHECK(collected.shipping == 0);
    CHECK(collected.total == 700);
}

TEST_CASE("refunds and cancelling count the shipping of a shipped reorder") {
    encore::testing::TempDir dir;
    Ledger ledger(dir / "settlement.db");
    auto shipped = two_five_by_seven("form-ship");
    shipped.shipping = 495;
    const auto id = ledger.place_reorder(shipped).id;
    const auto attempt = ledger.begin_checkout(id, "dev");
    REQUIRE(attempt);
    ledger.record_checkout_opened(attempt->idempotency_key, "cs_1", "/dev-checkout/cs_1");
    REQUIRE(ledger.apply_event({"evt_1", "checkout.completed", "cs_1", "ch_1", 1195, "EUR"}) ==
            EventOutcome::applied);
    // The prints and the postage can be given back, not a cent more.
    CHECK(ledger.request_refund("refund-a", id, 1196, "too much").outcome ==
          RefundOutcome::exceeds_charged);
    CHECK(ledger.request_refund("refund-a", id, 700, "prints").outcome == RefundOutcome::recorded);
    CHECK(ledger.request_refund("refund-b", id, 496, "postage").outcome ==
          RefundOutcome::exceeds_charged);
    CHECK(ledger.request_refund("refund-b", id, 495, "postage").outcome == RefundOutcome::recorded);
    CHECK(ledger.find_reorder(id)->refunding == 1195);

    // Cancelling a paid shipped reorder gives back all of it, shipping included.
    auto other = two_five_by_seven("form-other");
    other.shipping = 495;
    const auto second = ledger.place_reorder(other).id;
    const auto second_attempt = ledger.begin_checkout(second, "dev");
    REQUIRE(second_attempt);
    ledger.record_checkout_opened(second_attempt->idempotency_key, "cs_2", "/dev-checkout/cs_2");
    REQUIRE(ledger.apply_event({"evt_2", "checkout.completed", "cs_2", "ch_2", 1195, "EUR"}) ==
            EventOutcome::applied);
    const auto plan = ledger.cancel_reorder(second, "wrong photo");
    CHECK(plan.outcome == CancelOutcome::cancelled);
    REQUIRE(plan.refunds.size() == 1);
    CHECK(plan.refunds[0].amount == 1195);
}

TEST_CASE("reorders placed before shipping was charged read with shipping 0 and their total") {
    encore::testing::TempDir dir;
    std::string id;
    {
        Ledger ledger(dir / "settlement.db");
        id = ledger.place_reorder(two_five_by_seven("form-old")).id;
    }
    {
        // The file as the hub wrote it before the shipping column existed.
        auto db = encore::platform::sqlite::Database::open(dir / "settlement.db");
        db.execute_script("ALTER TABLE reorders DROP COLUMN shipping; PRAGMA user_version=4;");
    }
    Ledger upgraded(dir / "settlement.db");
    const auto old = upgraded.find_reorder(id);
    REQUIRE(old);
    CHECK(old->shipping == 0);
    CHECK(old->total == 700);
    CHECK(upgraded.begin_checkout(id, "dev")->amount == 700);
}

TEST_CASE("a price list may set the shipping of a reorder, 0 to 10000000 minor units") {
    PriceList list;
    REQUIRE_FALSE(parse_price_list(
        nlohmann::json::parse(
            R"({"currency":"EUR","products":[{"id":"5x7","label":"5×7","price":350}]})"),
        list));
    CHECK(list.shipping == 0);
    CHECK(default_price_list().shipping == 0);
    REQUIRE_FALSE(parse_price_list(nlohmann::json::parse(R"({"currency":"EUR","shipping":495,
            "products":[{"id":"5x7","label":"5×7","price":350}]})"),
                                   list));
    CHECK(list.shipping == 495);
    REQUIRE_FALSE(parse_price_list(nlohmann::json::parse(R"({"currency":"EUR","shipping":0,
            "products":[{"id":"5x7","label":"5×7","price":350}]})"),
                                   list));
    CHECK(list.shipping == 0);
    for (const auto* bad : {R"(-1)", R"(10000001)", R"(4.95)", R"("4.95")", R"(true)", R"(null)",
                            R"(18446744073709551615)"}) {
        CAPTURE(bad);
        const auto json = nlohmann::json::parse(
            std::string(R"({"currency":"EUR","products":[{"id":"a","label":"A","price":1}],)") +
            R"("shipping":)" + bad + "}");
        const auto error = parse_price_list(json, list);
        REQUIRE(error);
        CHECK(error->find("\"shipping\" must be 0 to 10000000 minor units") != std::string::npos);
    }
    // A refused list leaves the one read before as it was.
    CHECK(list.shipping == 0);
}
