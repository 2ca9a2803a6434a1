#include "drivers/printer/ledger.hpp"
#include "drivers/printer/spooler.hpp"
#include "platform/sqlite/database.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

using namespace encore::drivers::printer;
using encore::testing::TempDir;

namespace {

PrintOrder order(const std::string& id, int copies) {
    PrintOrder order;
    order.order_id = id;
    order.copies = copies;
    order.queue = "booth";
    order.document = "/var/lib/encore/prints/" + id + ".jpg";
    order.media = MediaSize::size_4x6;
    order.borderless = true;
    order.scaling = Scaling::fill;
    return order;
}

} // namespace

TEST_CASE("a recorded order is one row per copy, committed before record returns") {
    TempDir dir;
    auto ledger = PrintLedger::open(dir / "ledger.db");
    const auto recorded = ledger.record(order("A7K3", 3));
    REQUIRE(recorded.has_value());
    CHECK(recorded->added.size() == 3);
    REQUIRE(recorded->entries.size() == 3);
    for (int copy = 1; copy <= 3; ++copy) {
        const auto& entry = recorded->entries[static_cast<std::size_t>(copy - 1)];
        CHECK(entry.copy == copy);
        CHECK(entry.job_name == "encore.A7K3.copy" + std::to_string(copy));
        CHECK(entry.state == LedgerState::recorded);
        CHECK(entry.queue == "booth");
        CHECK(entry.media == MediaSize::size_4x6);
        CHECK(entry.borderless);
        CHECK(entry.scaling == Scaling::fill);
        CHECK_FALSE(entry.cups_job_id.has_value());
        CHECK(entry.sends == 0);
    }
    // Another connection (another process after a crash) sees the rows at once.
    auto other = encore::platform::sqlite::Database::open(dir / "ledger.db");
    auto count = other.prepare("SELECT count(*) FROM print_jobs WHERE state = 'recorded'");
    REQUIRE(count.step());
    CHECK(count.int64(0) == 3);
}

TEST_CASE("recording an order again adds nothing, more copies add only the new ones") {
    TempDir dir;
    auto ledger = PrintLedger::open(dir / "ledger.db");
    REQUIRE(ledger.record(order("B1", 2)).has_value());
    const auto again = ledger.record(order("B1", 2));
    REQUIRE(again.has_value());
    CHECK(again->added.empty());
    CHECK(again->entries.size() == 2);
    const auto more = ledger.record(order("B1", 3));
    REQUIRE(more.has_value());
    REQUIRE(more->added.size() == 1);
    CHECK(more->entries.size() == 3);
    CHECK(more->entries.back().id == more->added.front());
    CHECK(more->entries.back().copy == 3);
}

TEST_CASE("updates survive reopening, unfinished and recently finished rows are found") {
    TempDir dir;
    {
        auto ledger = PrintLedger::open(dir / "ledger.db");
        auto recorded = ledger.record(order("C9", 2));
        REQUIRE(recorded.has_value());
        auto first = recorded->entries[0];
        first.state = LedgerState::completed;
        first.cups_job_id = 17;
        first.sends = 1;
        REQUIRE(ledger.update(first).has_value());
        auto second = recorded->entries[1];
        second.state = LedgerState::printing;
        second.cups_job_id = 18;
        second.sends = 1;
        second.message = "Printing slowly";
        REQUIRE(ledger.update(second).has_value());
    }
    auto ledger = PrintLedger::open(dir / "ledger.db");
    const auto unfinished = ledger.unfinished();
    REQUIRE(unfinished.has_value());
    REQUIRE(unfinished->size() == 1);
    CHECK(unfinished->front().job_name == "encore.C9.copy2");
    CHECK(unfinished->front().state == LedgerState::printing);
    CHECK(unfinished->front().cups_job_id == 18);
    CHECK(unfinished->front().message == "Printing slowly");
    const auto finished = ledger.finished_since(unix_millis() - 60'000);
    REQUIRE(finished.has_value());
    REQUIRE(finished->size() == 1);
    CHECK(finished->front().job_name == "encore.C9.copy1");
    CHECK(ledger.finished_since(unix_millis() + 60'000)->empty());
    const auto found = ledger.find("encore.C9.copy1");
    REQUIRE(found.has_value());
    REQUIRE(found->has_value());
    CHECK((*found)->state == LedgerState::completed);
    CHECK_FALSE(ledger.find("encore.C9.copy3")->has_value());
}

TEST_CASE("a bad order is refused and nothing is written") {
    TempDir dir;
    auto ledger = PrintLedger::open(dir / "ledger.db");
    auto bad = order("has space", 1);
    const auto refused = ledger.record(bad);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == make_error_code(Errc::invalid_argument));
    CHECK(refused.error().message.find("'has space'") != std::string::npos);
    CHECK_FALSE(ledger.record(order("ok", 0)).has_value());
    CHECK_FALSE(ledger.record(order("ok", 100)).has_value());
    CHECK_FALSE(ledger.record(order(std::string(65, 'x'), 1)).has_value());
    CHECK(ledger.unfinished()->empty());
}

TEST_CASE("a ledger entry asks CUPS for one copy with the order's paper") {
    TempDir dir;
    auto ledger = PrintLedger::open(dir / "ledger.db");
    const auto recorded = ledger.record(order("D4", 2));
    REQUIRE(recorded.has_value());
    const auto request = recorded->entries[1].submit_request();
    CHECK(request.queue == "booth");
    CHECK(request.job_name == "encore.D4.copy2");
    CHECK(request.options.copies == 1);
    CHECK(request.options.media == MediaSize::size_4x6);
    CHECK(request.options.borderless);
}

TEST_CASE("spooler options are checked: a change must show within 2 s") {
    SpoolerOptions options;
    CHECK(validate(options).has_value());
    options.poll_interval = std::chrono::milliseconds(1500);
    CHECK_FALSE(validate(options).has_value());
    options = {};
    options.resume_max_probe = std::chrono::milliseconds(100);
    CHECK_FALSE(validate(options).has_value());
}
