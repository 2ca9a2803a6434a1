// The printer driver and the spooler against a private cupsd (tests/peers/print-rig):
// what a guest's print goes through when nothing goes wrong, and the clear errors when
// the queue or the server is not there.

#include "drivers/printer/condition.hpp"
#include "tests/integration/printer/print_rig.hpp"
#include "tests/support/child_process.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <map>

using namespace encore::drivers::printer;
using namespace encore::testing;
using namespace std::chrono_literals;

namespace {

bool finished(SpoolerHarness& harness, const std::string& order_id) {
    const auto entries = harness.ledger().order(order_id);
    return entries && !entries->empty() &&
           std::all_of(entries->begin(), entries->end(),
                       [](const LedgerEntry& entry) { return is_finished(entry.state); });
}

} // namespace

TEST_CASE("the rig's queues are listed, booth as the default") {
    PrintRig rig;
    const auto printer = rig.printer();
    const auto destinations = printer->destinations();
    REQUIRE(destinations.has_value());
    std::vector<std::string> names;
    for (const auto& destination : *destinations) {
        names.push_back(destination.name);
        CHECK(destination.is_default == (destination.name == "booth"));
        CHECK(destination.accepting);
    }
    CHECK(names == std::vector<std::string>{"booth", "lab"});
    const auto status = printer->status("lab");
    REQUIRE(status.has_value());
    CHECK(status->state == PrinterState::idle);
    CHECK(status->reasons.empty());
    CHECK(printer->server() == rig.server());
}

TEST_CASE("a photo sent through the spooler arrives at the printer byte for byte") {
    PrintRig rig;
    const auto photo = rig.work() / "photo.jpg";
    const auto bytes = write_photo(photo, "order P1");
    SpoolerHarness harness(rig, rig.work() / "ledger.db", test_spooler_options());
    harness.spooler().start();
    auto order = photo_order("P1", 1, photo);
    order.media = MediaSize::size_5x7;
    const auto started = std::chrono::steady_clock::now();
    const auto submitted = harness.submit(order);
    REQUIRE(submitted.has_value());
    REQUIRE(harness.run_until([&] { return finished(harness, "P1"); }, 15s));
    const auto took = std::chrono::steady_clock::now() - started;
    MESSAGE("submit to completed in ledger: ",
            std::chrono::duration_cast<std::chrono::milliseconds>(took).count(), " ms");
    const auto entry = harness.entry("encore.P1.copy1");
    CHECK(entry.state == LedgerState::completed);
    CHECK(entry.sends == 1);
    REQUIRE(entry.cups_job_id.has_value());
    const auto files = rig.prints_of("booth", "encore.P1.copy1");
    REQUIRE(files.size() == 1);
    CHECK(read_bytes(files.front()) == bytes);
    CHECK(files.front().filename().string() ==
          std::to_string(*entry.cups_job_id) + "-encore.P1.copy1.jpg");
    // The queue's own name for 5x7 paper reached the printer.
    CHECK(rig.backend_log().find("media=na_5x7_5x7in") != std::string::npos);
    // CUPS remembers the finished job by name.
    const auto found = harness.printer().find_jobs("booth", "encore.P1.copy1");
    REQUIRE(found.has_value());
    REQUIRE(found->size() == 1);
    CHECK(found->front().state == JobState::completed);
    CHECK(found->front().id == *entry.cups_job_id);
}

TEST_CASE("copies are separate jobs, and submitting the same order again prints nothing more") {
    PrintRig rig;
    const auto photo = rig.work() / "photo.jpg";
    write_photo(photo, "order C3");
    SpoolerHarness harness(rig, rig.work() / "ledger.db", test_spooler_options());
    harness.spooler().start();
    const auto first = harness.submit(photo_order("C3", 3, photo));
    REQUIRE(first.has_value());
    CHECK(first->size() == 3);
    // A double tap: the same order again, at once and after it printed.
    REQUIRE(harness.submit(photo_order("C3", 3, photo)).has_value());
    REQUIRE(harness.run_until([&] { return finished(harness, "C3"); }, 15s));
    REQUIRE(harness.submit(photo_order("C3", 3, photo)).has_value());
    harness.run_for(1500ms);
    const auto files = rig.prints("booth");
    CHECK(files.size() == 3);
    for (int copy = 1; copy <= 3; ++copy) {
        const auto name = "encore.C3.copy" + std::to_string(copy);
        CHECK(rig.prints_of("booth", name).size() == 1);
        CHECK(harness.entry(name).state == LedgerState::completed);
        CHECK(harness.entry(name).sends == 1);
    }
}

TEST_CASE("a PDF prints as it is") {
    PrintRig rig;
    const auto pdf = rig.work() / "packing-slip.pdf";
    const std::string bytes =
        "%PDF-1.4\n% Encore test\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
    std::ofstream(pdf, std::ios::binary) << bytes;
    const auto printer = rig.printer();
    SubmitRequest request;
    request.queue = "lab";
    request.job_name = "encore.slip-1.copy1";
    request.document = pdf;
    const auto job = printer->submit(request);
    REQUIRE(job.has_value());
    REQUIRE(wait_until([&] { return rig.prints("lab").size() == 1; }, 10s));
    CHECK(read_bytes(rig.prints("lab").front()) == bytes);
    CHECK(rig.prints("lab").front().extension() == ".pdf");
}

TEST_CASE("each queue gets its own name for borderless paper, and a 2x6 strip") {
    PrintRigOptions with_ipp;
    with_ipp.ipp = true;
    PrintRig rig(with_ipp);
    const auto photo = rig.work() / "photo.jpg";
    write_photo(photo, "borderless");
    const auto printer = rig.printer();
    SubmitRequest request;
    request.document = photo;
    request.options.media = MediaSize::size_4x6;
    request.options.borderless = true;
    request.queue = "booth";
    request.job_name = "encore.B1.copy1";
    REQUIRE(printer->submit(request).has_value());
    request.queue = "ipp";
    request.job_name = "encore.B2.copy1";
    REQUIRE(printer->submit(request).has_value());
    request.queue = "booth";
    request.job_name = "encore.S1.copy1";
    request.options.media = MediaSize::strip_2x6;
    request.options.borderless = false;
    request.options.scaling = Scaling::fit;
    REQUIRE(printer->submit(request).has_value());
    REQUIRE(wait_until(
        [&] { return rig.prints("booth").size() == 2 && rig.prints("ipp").size() == 1; }, 15s));
    const auto log = rig.backend_log();
    CHECK(log.find("media=oe_w-288h-432-borderless_4x6in") != std::string::npos);
    CHECK(log.find("PageSize=w288h432.Borderless") != std::string::npos);
    // ippeveprinter got a 4x6 without margins.
    CHECK(log.find("media-col={media-size={x-dimension=10160 y-dimension=15240} "
                   "media-bottom-margin=0") != std::string::npos);
    CHECK(log.find("media=custom_2x6in_2x6in") != std::string::npos);
    CHECK(log.find("print-scaling=fit") != std::string::npos);
    const auto supported = printer->supported_media("booth");
    REQUIRE(supported.has_value());
    CHECK(supported->size() == 10);
}

TEST_CASE("a missing queue is a clear error, and nothing is recorded") {
    PrintRig rig;
    const auto photo = rig.work() / "photo.jpg";
    write_photo(photo, "nowhere");
    const auto printer = rig.printer();
    SubmitRequest request;
    request.queue = "nosuch";
    request.job_name = "encore.N1.copy1";
    request.document = photo;
    const auto submitted = printer->submit(request);
    REQUIRE_FALSE(submitted.has_value());
    CHECK(submitted.error().code == make_error_code(Errc::no_such_queue));
    CHECK(submitted.error().message ==
          "no such print queue 'nosuch': check the printer name with `encore printer status`");
    CHECK(printer->status("nosuch").error().code == make_error_code(Errc::no_such_queue));
    CHECK(printer->status("bad/name").error().code == make_error_code(Errc::no_such_queue));

    SpoolerHarness harness(rig, rig.work() / "ledger.db", test_spooler_options());
    harness.spooler().start();
    const auto refused = harness.submit(photo_order("N1", 1, photo, "nosuch"));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().message ==
          "no such print queue 'nosuch': check the printer name with `encore printer status`");
    CHECK(harness.ledger().order("N1")->empty());
    // Not a JPEG or PDF: refused before anything is recorded.
    const auto text = rig.work() / "notes.txt";
    std::ofstream(text) << "hello";
    const auto not_a_photo = harness.submit(photo_order("N2", 1, text));
    REQUIRE_FALSE(not_a_photo.has_value());
    CHECK(not_a_photo.error().code == make_error_code(Errc::unsupported_format));
}

TEST_CASE("an unreachable print server is a clear error") {
    CupsOptions options;
    options.server = "127.0.0.1:1"; // nothing listens on port 1
    options.timeout = 2s;
    const auto printer = make_cups_printer(options);
    const auto status = printer->status("booth");
    REQUIRE_FALSE(status.has_value());
    CHECK(status.error().code == make_error_code(Errc::server_unreachable));
    CHECK(status.error().message == "print server unreachable at 127.0.0.1:1: is cupsd running?");
    CHECK(status.error().code.category().name() == std::string("printer"));
}

TEST_CASE("one at a time: a queue's next print is sent only after the previous one completed") {
    PrintRig rig;
    rig.fault("booth", "slow=1");
    const auto photo = rig.work() / "photo.jpg";
    write_photo(photo, "one at a time");
    auto options = test_spooler_options();
    options.pacing = Pacing::one_at_a_time;
    SpoolerHarness harness(rig, rig.work() / "ledger.db", options);
    harness.spooler().start();
    REQUIRE(harness.submit(photo_order("T1", 3, photo)).has_value());
    int most_active = 0;
    REQUIRE(harness.run_until(
        [&] {
            const auto active = harness.printer().jobs("booth", WhichJobs::active);
            if (active) {
                most_active = std::max(most_active, static_cast<int>(active->size()));
            }
            return finished(harness, "T1");
        },
        20s));
    CHECK(most_active == 1);
    // Each copy got its CUPS job only after the one before had completed.
    std::map<int, int> completed_at_event;
    std::map<int, int> sent_at_event;
    int index = 0;
    for (const auto& timed : harness.events()) {
        ++index;
        if (!timed.event.job) {
            continue;
        }
        const auto& entry = *timed.event.job;
        if (entry.cups_job_id && !sent_at_event.contains(entry.copy)) {
            sent_at_event[entry.copy] = index;
        }
        if (entry.state == LedgerState::completed && !completed_at_event.contains(entry.copy)) {
            completed_at_event[entry.copy] = index;
        }
    }
    REQUIRE(completed_at_event.size() == 3);
    CHECK(sent_at_event[2] > completed_at_event[1]);
    CHECK(sent_at_event[3] > completed_at_event[2]);
    CHECK(rig.prints("booth").size() == 3);
}

TEST_CASE("a held job is reported and released by resume") {
    PrintRig rig;
    const auto photo = rig.work() / "photo.jpg";
    write_photo(photo, "held");
    const auto lp =
        run_program("/usr/bin/lp", {"-h", rig.server(), "-d", "booth", "-H", "indefinite", "-t",
                                    "held-by-operator", photo.string()});
    REQUIRE(lp.exit_code == 0);
    const auto printer = rig.printer();
    const auto active = printer->jobs("booth", WhichJobs::active);
    REQUIRE(active.has_value());
    REQUIRE(active->size() == 1);
    CHECK(active->front().state == JobState::held);
    CHECK(active->front().name == "held-by-operator");
    const auto released = printer->release_held_jobs("booth");
    REQUIRE(released.has_value());
    CHECK(*released == 1);
    REQUIRE(wait_until([&] { return rig.prints("booth").size() == 1; }, 10s));
}

TEST_CASE("an offline printer is reported while its job keeps waiting, then it prints") {
    PrintRig rig;
    rig.fault("booth", "offline");
    const auto photo = rig.work() / "photo.jpg";
    write_photo(photo, "offline");
    SpoolerHarness harness(rig, rig.work() / "ledger.db", test_spooler_options());
    harness.spooler().start();
    const auto started = std::chrono::steady_clock::now();
    REQUIRE(harness.submit(photo_order("F1", 1, photo)).has_value());
    REQUIRE(harness.run_until(
        [&] { return harness.condition_seen(Errc::printer_offline, started).has_value(); }, 5s));
    const auto seen = *harness.condition_seen(Errc::printer_offline, started);
    MESSAGE("offline seen after ",
            std::chrono::duration_cast<std::chrono::milliseconds>(seen - started).count(), " ms");
    CHECK(seen - started < 2s);
    CHECK(harness.state("encore.F1.copy1") == LedgerState::printing);
    rig.fault("booth", "clear");
    REQUIRE(harness.run_until([&] { return finished(harness, "F1"); }, 10s));
    CHECK(harness.state("encore.F1.copy1") == LedgerState::completed);
    CHECK(rig.prints("booth").size() == 1);
}
