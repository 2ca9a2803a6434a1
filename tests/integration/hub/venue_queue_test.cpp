// The hub's venue queue on its own: what a release queues for which booth, recovery
// after a stop between the release and the queue, and the booth's reports moving the
// reorder in the settlement ledger.

#include "hub/settlement/ledger.hpp"
#include "hub/store/order_repository.hpp"
#include "hub/venue/venue_queue.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

using namespace encore;
namespace settlement = hub::settlement;
namespace wire = platform::wire;
using hub::venue::ReportOutcome;
using hub::venue::VenueState;

namespace {

const std::string order_id = "0b7e4a6c-2f1d-4c8e-9a3b-5d6e7f809a1b";

wire::Sha256 digest_of(std::uint8_t fill) {
    wire::Sha256 digest{};
    digest.fill(fill);
    return digest;
}

class VenueFixture {
public:
    VenueFixture()
        : orders_(hub::open_sqlite_order_repository(dir_ / "orders.db"))
        , ledger_(dir_ / "settlement.db") {
        wire::Order order;
        order.order_id = order_id;
        order.code = "K7Q-X2M";
        order.token_sha256 = std::string(64, 'a');
        order.event = "gala";
        order.created_at = "2026-11-28T12:00:00Z";
        order.copies = 1;
        order.layout = "single-4x6";
        order.photos = {{digest_of(1), 1000}, {digest_of(2), 2000}};
        REQUIRE(orders_->record_order("booth-7", order) == hub::RecordOutcome::inserted);
        venue_ = std::make_unique<hub::venue::VenueQueue>(dir_ / "venue.db", ledger_, *orders_);
    }

    // A paid pickup reorder, released (printing) as the desk does before it queues it.
    settlement::Reorder released(const std::string& key,
                                 std::vector<settlement::ReorderLine> lines) {
        settlement::NewReorder placed;
        placed.idempotency_key = key;
        placed.order_id = order_id;
        placed.currency = "EUR";
        placed.lines = std::move(lines);
        placed.delivery.method = settlement::DeliveryMethod::pickup;
        placed.delivery.name = "Aiko";
        const auto reorder = ledger_.place_reorder(placed);
        const auto attempt = ledger_.begin_checkout(reorder.id, "dev");
        REQUIRE(attempt.has_value());
        ledger_.record_checkout_opened(attempt->idempotency_key, "checkout-" + key, "https://p/");
        ledger_.apply_event({"event-" + key, "checkout.completed", "checkout-" + key,
                             "charge-" + key, reorder.total, "EUR"});
        REQUIRE(ledger_.advance(reorder.id, settlement::ReorderState::paid,
                                settlement::ReorderState::printing));
        return *ledger_.find_reorder(reorder.id);
    }

    // hubd restarting: the queue opened again on the same file.
    void reopen() {
        venue_.reset();
        venue_ = std::make_unique<hub::venue::VenueQueue>(dir_ / "venue.db", ledger_, *orders_);
    }

    hub::venue::VenueQueue& venue() { return *venue_; }
    settlement::ReorderState state(const std::string& id) {
        return ledger_.find_reorder(id)->state;
    }

private:
    testing::TempDir dir_;
    std::unique_ptr<hub::OrderRepository> orders_;
    settlement::Ledger ledger_;
    std::unique_ptr<hub::venue::VenueQueue> venue_;
};

const std::string photo_1 = wire::to_hex(digest_of(1));
const std::string photo_2 = wire::to_hex(digest_of(2));

} // namespace

TEST_CASE("a released pickup is queued for the booth of its order, once, and survives a restart") {
    VenueFixture fixture;
    const auto reorder = fixture.released(
        "k1", {{photo_1, "print-4x6", "4×6", 2, 200}, {photo_2, "print-5x7", "5×7", 1, 300}});
    CHECK(fixture.venue().queue(reorder).empty());
    CHECK(fixture.venue().queue(reorder).empty());
    fixture.reopen();
    const auto sent = fixture.venue().undelivered("booth-7");
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].reorder == reorder.id);
    CHECK(sent[0].order_id == order_id);
    CHECK(sent[0].code == "K7Q-X2M");
    CHECK(sent[0].name == "Aiko");
    REQUIRE(sent[0].items.size() == 2);
    CHECK(sent[0].items[0].sha256 == digest_of(1));
    CHECK(sent[0].items[0].size == 1000);
    CHECK(sent[0].items[0].copies == 2);
    CHECK(sent[0].items[0].product == "print-4x6");
    CHECK(sent[0].items[1].size == 2000);
    CHECK(fixture.venue().undelivered("booth-8").empty());
}

TEST_CASE("a pickup released just before hubd stopped is queued at the next start") {
    VenueFixture fixture;
    const auto reorder = fixture.released("k1", {{photo_1, "print-4x6", "4×6", 1, 200}});
    CHECK(fixture.venue().undelivered("booth-7").empty());
    fixture.reopen();
    CHECK(fixture.venue().recover() == 1);
    CHECK(fixture.venue().undelivered("booth-7").size() == 1);
    CHECK(fixture.venue().recover() == 0);
    CHECK(fixture.venue().undelivered("booth-7").size() == 1);
    CHECK(fixture.state(reorder.id) == settlement::ReorderState::printing);
}

TEST_CASE("a photo that is not the order's refuses the queue with the reason") {
    VenueFixture fixture;
    const auto stranger = wire::to_hex(digest_of(9));
    const auto reorder = fixture.released("k1", {{stranger, "print-4x6", "4×6", 1, 200}});
    CHECK(fixture.venue().queue(reorder) ==
          "photo " + stranger + " of reorder " + reorder.id + " is not a photo of order K7Q-X2M");
    CHECK_FALSE(fixture.venue().find(reorder.id));
}

TEST_CASE("the booth's reports move the reorder to packed and shipped, and only its own count") {
    VenueFixture fixture;
    const auto reorder = fixture.released("k1", {{photo_1, "print-4x6", "4×6", 1, 200}});
    REQUIRE(fixture.venue().queue(reorder).empty());

    // Another booth cannot report on it.
    CHECK(fixture.venue().report("booth-8", {wire::AckKind::venue_ready, reorder.id}) ==
          ReportOutcome::unknown);
    CHECK(fixture.state(reorder.id) == settlement::ReorderState::printing);

    CHECK(fixture.venue().report("booth-7", {wire::AckKind::venue_print, reorder.id}) ==
          ReportOutcome::recorded);
    CHECK(fixture.venue().find(reorder.id)->state == VenueState::delivered);
    CHECK(fixture.venue().undelivered("booth-7").empty());

    CHECK(fixture.venue().report("booth-7", {wire::AckKind::venue_ready, reorder.id}) ==
          ReportOutcome::recorded);
    CHECK(fixture.state(reorder.id) == settlement::ReorderState::packed);
    // Sent again (the ACK was lost): nothing changes.
    CHECK(fixture.venue().report("booth-7", {wire::AckKind::venue_ready, reorder.id}) ==
          ReportOutcome::recorded);
    CHECK(fixture.state(reorder.id) == settlement::ReorderState::packed);
    // A late receipt of the venue print does not take it back.
    fixture.venue().report("booth-7", {wire::AckKind::venue_print, reorder.id});
    CHECK(fixture.venue().find(reorder.id)->state == VenueState::ready);

    CHECK(fixture.venue().report("booth-7", {wire::AckKind::venue_picked_up, reorder.id}) ==
          ReportOutcome::recorded);
    CHECK(fixture.state(reorder.id) == settlement::ReorderState::shipped);
    CHECK(fixture.venue().find(reorder.id)->state == VenueState::picked_up);
}

TEST_CASE("a booth that cannot print a venue print leaves the reorder printing, with the reason") {
    VenueFixture fixture;
    const auto reorder = fixture.released("k1", {{photo_1, "print-4x6", "4×6", 1, 200}});
    REQUIRE(fixture.venue().queue(reorder).empty());
    const auto reason = "the booth does not hold photo " + photo_1 + ": print it on the lab";
    CHECK(fixture.venue().report("booth-7", {wire::AckKind::venue_failed, reorder.id, reason}) ==
          ReportOutcome::recorded);
    const auto entry = fixture.venue().find(reorder.id);
    REQUIRE(entry);
    CHECK(entry->state == VenueState::failed);
    CHECK(entry->reason == reason);
    CHECK(fixture.state(reorder.id) == settlement::ReorderState::printing);
}
