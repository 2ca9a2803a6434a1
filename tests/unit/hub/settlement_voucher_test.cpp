// Issued vouchers: their codes, the ledger that keeps them, and a clerk confirming a
// counter payment with one (Settlement::confirm_at_counter) over a real SQLite ledger.

#include "hub/settlement/counter_provider.hpp"
#include "hub/settlement/ledger.hpp"
#include "hub/settlement/settlement.hpp"
#include "hub/settlement/vouchers.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <regex>
#include <set>
#include <thread>
#include <vector>

using namespace encore::hub::settlement;

namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

SettlementSettings counter_on() {
    SettlementSettings settings;
    settings.counter = true;
    return settings;
}

// A counter shop: the counter is on, and the booth orders "gala-*" are of the event
// "Summer Gala".
struct Counter {
    explicit Counter(const std::filesystem::path& file)
        : ledger(file) {
        settlement.set_order_events([](const std::string& order_id) {
            return order_id.starts_with("gala-") ? std::string("Summer Gala") : std::string();
        });
    }

    // 2 × 5×7 at 3.50 EUR: 7.00 EUR, unpaid, the guest chose the counter.
    Reorder place(const std::string& key, const std::string& order_id = "gala-1") {
        NewReorder reorder;
        reorder.idempotency_key = key;
        reorder.order_id = order_id;
        reorder.currency = "EUR";
        reorder.lines = {{std::string(64, 'a'), "5x7", "5×7", 2, 350}};
        reorder.delivery.method = DeliveryMethod::pickup;
        const auto placed = ledger.place_reorder(reorder);
        REQUIRE(settlement.choose_counter(placed.id, "/order/reorders/" + placed.id));
        return placed;
    }

    std::string issue(std::int64_t value, const std::string& currency = "EUR",
                      const std::string& event = "") {
        NewVouchers request;
        request.value = value;
        request.currency = currency;
        request.event = event;
        const auto issued = ledger.issue_vouchers(request);
        REQUIRE(issued.size() == 1);
        return issued.front().code;
    }

    ConfirmResult by_voucher(const std::string& reorder_id, const std::string& code) {
        return settlement.confirm_at_counter(reorder_id, CounterMethod::voucher, code);
    }

    Ledger ledger;
    CounterProvider counter;
    Settlement settlement{counter_on(), ledger, counter, &counter};
};

// "ENC-4KQ9-M3XR-6CFW" as a clerk might type it: lower case, no dashes.
std::string sloppy(std::string code) {
    std::erase(code, '-');
    std::transform(code.begin(), code.end(), code.begin(),
                   [](char c) { return static_cast<char>(std::tolower(c)); });
    return code;
}

} // namespace

TEST_CASE("voucher codes read aloud in groups of 4, carry 55 random bits, and are typed in any "
          "case with or without dashes") {
    const std::regex shape("ENC-[ACDEFGHJKMNPQRTUVWXY3469]{4}-[ACDEFGHJKMNPQRTUVWXY3469]{4}-"
                           "[ACDEFGHJKMNPQRTUVWXY3469]{4}");
    std::set<std::string> codes;
    for (int index = 0; index < 500; ++index) {
        const auto code = new_voucher_code();
        CAPTURE(code);
        CHECK(std::regex_match(code, shape));
        codes.insert(code);
        CHECK(normalize_voucher_code(sloppy(code)) == code);
        CHECK(normalize_voucher_code(sloppy(code).substr(3)) == code);
    }
    CHECK(codes.size() == 500);
    CHECK(normalize_voucher_code("enc 7kq4 m9xr 3cfw") == std::nullopt); // 7 is not a symbol
    CHECK(normalize_voucher_code("enc-4kq4-m9xr-3cfw") == "ENC-4KQ4-M9XR-3CFW");
    CHECK(normalize_voucher_code("ENC-4KQ4-M9XR-3CF") == std::nullopt);
    CHECK(normalize_voucher_code("ENC-4KQ4-M9XR-3CFWW") == std::nullopt);
    CHECK(normalize_voucher_code("ENC-4KQ0-M9XR-3CFW") == std::nullopt);
    CHECK(normalize_voucher_code("ENC-4KQO-M9XR-3CFW") == std::nullopt);
    CHECK(normalize_voucher_code("") == std::nullopt);
}

TEST_CASE("a voucher request is checked: value, currency, count, and an expiry date that is a "
          "real day not in the past") {
    NewVouchers out;
    VoucherRequest request{500, "EUR", 10, "Summer Gala", "2999-12-31", "prizes"};
    CHECK(check_voucher_request(request, out) == std::nullopt);
    CHECK(out.count == 10);
    CHECK(out.expires_on == "2999-12-31");
    REQUIRE(out.expires_at);
    CHECK(*out.expires_at > unix_now());
    const auto problem = [&](auto change) {
        auto changed = request;
        change(changed);
        NewVouchers ignored;
        return check_voucher_request(changed, ignored).value_or("accepted");
    };
    CHECK(contains(problem([](auto& r) { r.value = 0; }), "1 to 10,000,000 minor units"));
    CHECK(contains(problem([](auto& r) { r.currency = "eur"; }), "three capital letters"));
    CHECK(contains(problem([](auto& r) { r.count = 0; }), "1 to 500"));
    CHECK(contains(problem([](auto& r) { r.count = 501; }), "1 to 500"));
    CHECK(contains(problem([](auto& r) { r.expires = "2027-02-30"; }), "YYYY-MM-DD"));
    CHECK(contains(problem([](auto& r) { r.expires = "31.12.2027"; }), "YYYY-MM-DD"));
    CHECK(contains(problem([](auto& r) { r.expires = "2020-01-01"; }),
                   "expires 2020-01-01 is in the past"));
    CHECK(problem([](auto& r) { r.expires = ""; }) == "accepted");
}

TEST_CASE("the ledger keeps issued vouchers, finds them by a sloppily typed code and lists them "
          "by state") {
    encore::testing::TempDir dir;
    Counter shop(dir / "settlement.db");
    NewVouchers request;
    request.value = 700;
    request.currency = "EUR";
    request.count = 3;
    request.note = "gala prizes";
    const auto issued = shop.ledger.issue_vouchers(request);
    REQUIRE(issued.size() == 3);
    const auto found = shop.ledger.find_voucher(sloppy(issued[1].code));
    REQUIRE(found);
    CHECK(found->code == issued[1].code);
    CHECK(found->value == 700);
    CHECK(found->note == "gala prizes");
    CHECK(found->state == VoucherState::open);
    CHECK_FALSE(shop.ledger.find_voucher("ENC-AAAA-AAAA-AAAA"));
    CHECK(shop.ledger.vouchers().size() == 3);
    CHECK(shop.ledger.vouchers(VoucherState::open).size() == 3);

    const auto reorder = shop.place("form-1");
    CHECK(shop.by_voucher(reorder.id, issued[0].code).outcome == ConfirmOutcome::paid);
    const auto voided = shop.ledger.void_voucher(issued[1].code, "lost");
    CHECK(voided.outcome == VoidOutcome::voided);
    const auto redeemed = shop.ledger.vouchers(VoucherState::redeemed);
    REQUIRE(redeemed.size() == 1);
    CHECK(redeemed[0].code == issued[0].code);
    CHECK(redeemed[0].redeemed_by == reorder.id);
    const auto void_list = shop.ledger.vouchers(VoucherState::voided);
    REQUIRE(void_list.size() == 1);
    CHECK(void_list[0].void_reason == "lost");
    CHECK(shop.ledger.vouchers(VoucherState::open).size() == 1);
    CHECK(shop.ledger.vouchers(VoucherState::expired).empty());

    // Voiding: again changes nothing, a redeemed one is refused, an unknown one is unknown.
    CHECK(shop.ledger.void_voucher(issued[1].code, "again").outcome == VoidOutcome::already_voided);
    CHECK(shop.ledger.find_voucher(issued[1].code)->void_reason == "lost");
    CHECK(shop.ledger.void_voucher(issued[0].code, "oops").outcome == VoidOutcome::redeemed);
    CHECK(shop.ledger.find_voucher(issued[0].code)->state == VoucherState::redeemed);
    CHECK(shop.ledger.void_voucher("ENC-AAAA-AAAA-AAAA", "x").outcome == VoidOutcome::unknown);
}

TEST_CASE("the counter refuses a voucher never issued, voided, expired, of another event or "
          "currency, or worth too little, saying what to do, and takes no money") {
    encore::testing::TempDir dir;
    Counter shop(dir / "settlement.db");
    const auto reorder = shop.place("form-1");

    const auto refused = [&](const std::string& code) {
        const auto result = shop.by_voucher(reorder.id, code);
        CHECK(result.outcome == ConfirmOutcome::refused);
        CHECK(shop.ledger.count_charges(reorder.id) == 0);
        CHECK(shop.ledger.find_reorder(reorder.id)->state == ReorderState::unpaid);
        return result.message;
    };

    CHECK(refused("ENC-AAAA-CCCC-DDDD") ==
          "no voucher ENC-AAAA-CCCC-DDDD was issued by this store: check the code with the "
          "guest (codes look like ENC-4KQ9-M3XR-6CFW; `encore pay vouchers list` shows them), "
          "or take cash");
    CHECK(contains(refused("GALA-2026"), "no voucher GALA-2026 was issued by this store"));

    const auto lost = shop.issue(700);
    REQUIRE(shop.ledger.void_voucher(lost, "reported stolen").outcome == VoidOutcome::voided);
    CHECK(refused(lost) ==
          "voucher " + lost + " was voided (reported stolen): keep it, and take cash instead");

    NewVouchers old;
    old.value = 700;
    old.currency = "EUR";
    old.expires_on = "2020-01-01";
    old.expires_at = unix_now() - 1;
    const auto expired = shop.ledger.issue_vouchers(old).at(0).code;
    CHECK(shop.ledger.find_voucher(expired)->state == VoucherState::expired);
    CHECK(refused(sloppy(expired)) ==
          "voucher " + expired + " expired at the end of 2020-01-01: take cash instead");

    const auto ball = shop.issue(700, "EUR", "Winter Ball");
    CHECK(refused(ball) == "voucher " + ball +
                               " is valid only for the event Winter Ball, and this reorder is "
                               "from Summer Gala: take cash instead");

    const auto dollars = shop.issue(700, "USD");
    CHECK(refused(dollars) ==
          "voucher " + dollars + " is in USD, the reorder is in EUR: take cash instead");

    const auto five = shop.issue(500);
    CHECK(refused(five) ==
          "voucher " + five + " is worth 5.00 EUR, the reorder is 7.00 EUR: take cash instead");

    // A voucher without a code is not a voucher payment at all.
    CHECK(shop.by_voucher(reorder.id, "  ").outcome == ConfirmOutcome::invalid);

    // The event's own voucher, worth more than the reorder, typed in lower case without
    // dashes: paid, with the voucher's code on the charge.
    const auto gala = shop.issue(1000, "EUR", "Summer Gala");
    const auto paid = shop.by_voucher(reorder.id, sloppy(gala));
    CHECK(paid.outcome == ConfirmOutcome::paid);
    CHECK(paid.message == "reorder " + reorder.id + " paid at the counter: 7.00 EUR by voucher " +
                              gala + "; it is in the order desk's queue");
    const auto charges = shop.ledger.charges_of(reorder.id);
    REQUIRE(charges.size() == 1);
    CHECK(charges[0].method == "voucher");
    CHECK(charges[0].reference == gala);
    CHECK(charges[0].amount == 700);
    CHECK(shop.ledger.find_reorder(reorder.id)->state == ReorderState::paid);
}

TEST_CASE("a redeemed voucher pays no second reorder until the first one's charge is refunded") {
    encore::testing::TempDir dir;
    Counter shop(dir / "settlement.db");
    const auto first = shop.place("form-1");
    const auto second = shop.place("form-2", "order-elsewhere");
    const auto code = shop.issue(700);
    REQUIRE(shop.by_voucher(first.id, code).outcome == ConfirmOutcome::paid);
    // The same reorder again: already paid, nothing more recorded.
    CHECK(shop.by_voucher(first.id, code).outcome == ConfirmOutcome::already_paid);

    const auto again = shop.by_voucher(second.id, sloppy(code));
    CHECK(again.outcome == ConfirmOutcome::refused);
    CHECK(again.message == "voucher " + code + " was redeemed already (reorder " + first.id +
                               "): ask for another voucher or cash");
    CHECK(shop.ledger.count_charges(second.id) == 0);
    CHECK(shop.ledger.voucher_redeemed_by(sloppy(code)) == first.id);

    // Part of it refunded: still redeemed. All of it: free again.
    REQUIRE(shop.ledger.record_refund("part", first.id, 200) == RefundOutcome::recorded);
    CHECK(shop.by_voucher(second.id, code).outcome == ConfirmOutcome::refused);
    REQUIRE(shop.ledger.record_refund("rest", first.id, 500) == RefundOutcome::recorded);
    CHECK(shop.ledger.find_voucher(code)->state == VoucherState::open);
    const auto reused = shop.by_voucher(second.id, code);
    CHECK(reused.outcome == ConfirmOutcome::paid);
    CHECK(shop.ledger.voucher_redeemed_by(code) == second.id);
    CHECK(shop.ledger.find_voucher(code)->redeemed_by == second.id);
}

TEST_CASE("cancelling a reorder paid by voucher gives the guest the voucher back, valid again, "
          "not cash") {
    encore::testing::TempDir dir;
    Counter shop(dir / "settlement.db");
    const auto reorder = shop.place("form-1");
    const auto code = shop.issue(700);
    REQUIRE(shop.by_voucher(reorder.id, code).outcome == ConfirmOutcome::paid);
    boost::asio::io_context loop;
    auto cancelling = boost::asio::co_spawn(loop, shop.settlement.cancel(reorder.id, "wrong photo"),
                                            boost::asio::use_future);
    loop.run();
    const auto result = cancelling.get();
    CHECK(result.ok());
    CHECK(result.message == "reorder " + reorder.id + " cancelled; refunds: 7.00 EUR on voucher " +
                                code + ", which is valid again: hand it back to the guest");
    CHECK(shop.ledger.find_voucher(code)->state == VoucherState::open);
    const auto next = shop.place("form-2");
    CHECK(shop.by_voucher(next.id, code).outcome == ConfirmOutcome::paid);
}

TEST_CASE("five clerks confirming five reorders with one voucher at the same time redeem it "
          "once") {
    encore::testing::TempDir dir;
    constexpr int clerks = 5;
    std::vector<std::string> reorders;
    std::string code;
    {
        Counter shop(dir / "settlement.db");
        for (int index = 0; index < clerks; ++index) {
            reorders.push_back(shop.place("form-" + std::to_string(index)).id);
        }
        code = shop.issue(700);
    }
    // Each clerk's desk with its own connection to the ledger, as several hubd front ends
    // (or threads) would have.
    std::vector<std::unique_ptr<Counter>> desks;
    for (int index = 0; index < clerks; ++index) {
        desks.push_back(std::make_unique<Counter>(dir / "settlement.db"));
    }
    std::atomic<int> ready = 0;
    std::vector<ConfirmResult> results(clerks);
    std::vector<std::thread> threads;
    for (int index = 0; index < clerks; ++index) {
        threads.emplace_back([&, index] {
            ++ready;
            while (ready < clerks) {
                std::this_thread::yield();
            }
            results[index] = desks[index]->by_voucher(reorders[index], code);
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    int paid = 0;
    for (const auto& result : results) {
        CAPTURE(result.message);
        paid += result.outcome == ConfirmOutcome::paid;
        if (result.outcome != ConfirmOutcome::paid) {
            CHECK(result.outcome == ConfirmOutcome::refused);
            CHECK(contains(result.message, "was redeemed already"));
        }
    }
    CHECK(paid == 1);
    Counter shop(dir / "settlement.db");
    int charged = 0;
    for (const auto& id : reorders) {
        charged += static_cast<int>(shop.ledger.count_charges(id));
    }
    CHECK(charged == 1);
    CHECK(shop.ledger.vouchers(VoucherState::redeemed).size() == 1);
}

TEST_CASE("the ledger's redemption checks the voucher inside its transaction: five redemptions "
          "of one voucher at once charge one reorder") {
    encore::testing::TempDir dir;
    constexpr int clerks = 5;
    std::vector<PaymentEvent> events;
    std::string code;
    {
        Counter shop(dir / "settlement.db");
        code = shop.issue(700);
        for (int index = 0; index < clerks; ++index) {
            const auto reorder = shop.place("form-" + std::to_string(index));
            const auto attempt = shop.ledger.begin_checkout(reorder.id, "counter");
            REQUIRE(attempt);
            const auto checkout = *attempt->checkout_id;
            events.push_back({"counter-" + checkout, "checkout.completed", checkout,
                              "ch_" + checkout, 700, "EUR"});
        }
    }
    std::vector<std::unique_ptr<Ledger>> ledgers;
    for (int index = 0; index < clerks; ++index) {
        ledgers.push_back(std::make_unique<Ledger>(dir / "settlement.db"));
    }
    std::atomic<int> ready = 0;
    std::vector<Redemption> redemptions(clerks);
    std::vector<std::thread> threads;
    for (int index = 0; index < clerks; ++index) {
        threads.emplace_back([&, index] {
            ++ready;
            while (ready < clerks) {
                std::this_thread::yield();
            }
            redemptions[index] = ledgers[index]->redeem_voucher(
                events[index], {sloppy(code), "Summer Gala", "EUR", 700});
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    int applied = 0;
    int refused = 0;
    for (const auto& redemption : redemptions) {
        applied += redemption.outcome == EventOutcome::applied;
        refused += !redemption.outcome && redemption.check.problem == VoucherProblem::redeemed;
    }
    CHECK(applied == 1);
    CHECK(refused == clerks - 1);
    CHECK(ledgers[0]->vouchers(VoucherState::redeemed).size() == 1);
}

TEST_CASE("a voucher must cover a shipped reorder's total, shipping included") {
    encore::testing::TempDir dir;
    Counter shop(dir / "settlement.db");
    NewReorder shipped;
    shipped.idempotency_key = "form-ship";
    shipped.order_id = "gala-1";
    shipped.currency = "EUR";
    shipped.lines = {{std::string(64, 'a'), "5x7", "5×7", 2, 350}};
    shipped.delivery = {DeliveryMethod::ship, "Ada Guest", "1 Main St", "10115", "Berlin", "DE"};
    shipped.shipping = 495;
    const auto reorder = shop.ledger.place_reorder(shipped);
    REQUIRE(shop.settlement.choose_counter(reorder.id, "/order/reorders/" + reorder.id));

    // Worth the prints but not the postage.
    const auto prints_only = shop.issue(700);
    const auto refused = shop.by_voucher(reorder.id, prints_only);
    CHECK(refused.outcome == ConfirmOutcome::refused);
    CHECK(refused.message == "voucher " + prints_only +
                                 " is worth 7.00 EUR, the reorder is 11.95 EUR: take cash instead");
    CHECK(shop.ledger.count_charges(reorder.id) == 0);

    const auto enough = shop.issue(1195);
    const auto paid = shop.by_voucher(reorder.id, enough);
    CHECK(paid.outcome == ConfirmOutcome::paid);
    CHECK(paid.message == "reorder " + reorder.id + " paid at the counter: 11.95 EUR by voucher " +
                              enough + "; it is in the order desk's queue");
    CHECK(shop.ledger.find_reorder(reorder.id)->charged == 1195);
}
