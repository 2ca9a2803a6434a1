// Fault drills against a private cupsd (tests/peers/print-rig): paper out, jam, ribbon,
// the printing process killed mid-job, cupsd killed mid-job. Each ends with a count of
// the physical prints the rig's backend saved: exactly one per ordered copy.

#include "drivers/printer/condition.hpp"
#include "tests/integration/printer/print_rig.hpp"
#include "tests/support/child_process.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <regex>
#include <thread>

using namespace encore::drivers::printer;
using namespace encore::testing;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

long long ms_since(Clock::time_point start, Clock::time_point end = Clock::now()) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(end - start).count();
}

bool finished(SpoolerHarness& harness, const std::string& job_name) {
    return is_finished(harness.state(job_name));
}

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t found = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++found;
    }
    return found;
}

std::vector<std::string> encore_print(const PrintRig& rig, const std::filesystem::path& photo,
                                      const std::string& order) {
    return {"print",
            "--printer",
            "booth",
            "--order",
            order,
            "--ledger",
            (rig.work() / "ledger.db").string(),
            photo.string()};
}

} // namespace

TEST_CASE("paper out: seen within 2 s with the job kept, and after loading paper it prints once "
          "by itself") {
    PrintRig rig;
    rig.fault("booth", "media-empty");
    const auto photo = rig.work() / "photo.jpg";
    write_photo(photo, "paper out");
    SpoolerHarness harness(rig, rig.work() / "ledger.db", test_spooler_options());
    harness.spooler().start();
    const auto submitted_at = Clock::now();
    REQUIRE(harness.submit(photo_order("E1", 1, photo)).has_value());
    REQUIRE(harness.run_until(
        [&] { return harness.condition_seen(Errc::out_of_paper, submitted_at).has_value(); }, 5s));
    const auto seen_after =
        ms_since(submitted_at, *harness.condition_seen(Errc::out_of_paper, submitted_at));
    MESSAGE("media-empty seen by the spooler ", seen_after, " ms after submit");
    CHECK(seen_after < 2000);
    CHECK(harness.last_condition_message() ==
          "printer 'booth' is out of paper: load paper, printing resumes by itself");

    // The job is kept, waiting, while the printer is stopped.
    const auto jobs = harness.printer().find_jobs("booth", "encore.E1.copy1");
    REQUIRE(jobs.has_value());
    REQUIRE(jobs->size() == 1);
    CHECK(jobs->front().state == JobState::pending);
    CHECK(harness.state("encore.E1.copy1") == LedgerState::queued);
    CHECK(harness.printer().status("booth")->state == PrinterState::stopped);

    // Still empty: the spooler's probes re-enable the queue, which stops again at once.
    harness.run_for(2500ms);
    CHECK(rig.prints("booth").empty());
    CHECK(count(rig.backend_log(), "\tfault\tmedia-empty") >= 2);
    CHECK(harness.state("encore.E1.copy1") == LedgerState::queued);

    const auto loaded_at = Clock::now();
    rig.fault("booth", "clear");
    REQUIRE(harness.run_until([&] { return finished(harness, "encore.E1.copy1"); }, 10s));
    MESSAGE("printed ", ms_since(loaded_at),
            " ms after the paper was loaded (probe interval "
            "500 ms doubling to 1 s in this test)");
    harness.run_for(1000ms);
    CHECK(rig.prints("booth").size() == 1);
    CHECK(harness.state("encore.E1.copy1") == LedgerState::completed);
    CHECK(harness.entry("encore.E1.copy1").sends == 1);
    CHECK(harness.printer().status("booth")->reasons.empty());
}

TEST_CASE("paper out with auto-resume off: the queue waits for `resume`, then prints once") {
    PrintRig rig;
    rig.fault("booth", "media-empty");
    const auto photo = rig.work() / "photo.jpg";
    write_photo(photo, "manual resume");
    auto options = test_spooler_options();
    options.auto_resume = AutoResume::off;
    SpoolerHarness harness(rig, rig.work() / "ledger.db", options);
    harness.spooler().start();
    const auto submitted_at = Clock::now();
    REQUIRE(harness.submit(photo_order("M1", 1, photo)).has_value());
    REQUIRE(harness.run_until(
        [&] { return harness.condition_seen(Errc::out_of_paper, submitted_at).has_value(); }, 5s));
    CHECK(harness.last_condition_message() ==
          "printer 'booth' is out of paper: load paper, then run `encore printer resume booth`");
    rig.fault("booth", "clear");
    harness.run_for(2000ms);
    CHECK(rig.prints("booth").empty());
    CHECK(harness.printer().status("booth")->state == PrinterState::stopped);
    std::optional<Result<int>> resumed;
    harness.spooler().resume("booth", [&](Result<int> result) { resumed = std::move(result); });
    REQUIRE(harness.run_until([&] { return finished(harness, "encore.M1.copy1"); }, 10s));
    REQUIRE(resumed.has_value());
    CHECK(resumed->has_value());
    CHECK(rig.prints("booth").size() == 1);
}

TEST_CASE("a jam, then an empty ribbon: each is named, and once fixed the copy prints once") {
    PrintRig rig;
    rig.fault("booth", "media-jam");
    const auto photo = rig.work() / "photo.jpg";
    write_photo(photo, "jam and ribbon");
    SpoolerHarness harness(rig, rig.work() / "ledger.db", test_spooler_options());
    harness.spooler().start();
    const auto submitted_at = Clock::now();
    REQUIRE(harness.submit(photo_order("J1", 1, photo)).has_value());
    REQUIRE(harness.run_until(
        [&] { return harness.condition_seen(Errc::paper_jam, submitted_at).has_value(); }, 5s));
    const auto jam_cleared_at = Clock::now();
    rig.fault("booth", "ribbon-empty");
    REQUIRE(harness.run_until(
        [&] { return harness.condition_seen(Errc::out_of_ribbon, jam_cleared_at).has_value(); },
        5s));
    rig.fault("booth", "clear");
    REQUIRE(harness.run_until([&] { return finished(harness, "encore.J1.copy1"); }, 10s));
    harness.run_for(1000ms);
    CHECK(rig.prints("booth").size() == 1);
    CHECK(harness.entry("encore.J1.copy1").sends == 1);
}

TEST_CASE("kill -9 of `encore print` while the job prints, then the same command: one copy") {
    PrintRig rig;
    rig.fault("booth", "slow=2");
    const auto photo = rig.work() / "photo.jpg";
    write_photo(photo, "killed");
    const std::vector<std::string> environment = {"CUPS_SERVER=" + rig.server()};
    {
        ChildProcess first(bin_dir() / "encore", encore_print(rig, photo, "drill"), environment);
        REQUIRE(first.wait_for_line("copy 1: printing", 10s).has_value());
        first.send_signal(SIGKILL);
        CHECK(first.wait_for_exit(5s) == 128 + SIGKILL);
    }
    // The job is still in flight in CUPS, and nothing has come out yet.
    const auto printer = rig.printer();
    const auto jobs = printer->find_jobs("booth", "encore.drill.copy1");
    REQUIRE(jobs.has_value());
    REQUIRE(jobs->size() == 1);
    CHECK(jobs->front().state == JobState::processing);
    CHECK(rig.prints("booth").empty());

    ChildProcess again(bin_dir() / "encore", encore_print(rig, photo, "drill"), environment);
    const auto exit_code = again.wait_for_exit(20s);
    INFO(again.stdout_text());
    INFO(again.stderr_text());
    CHECK(exit_code == 0);
    CHECK(again.stdout_text().find("printed 1 copy") != std::string::npos);
    std::this_thread::sleep_for(1s);
    CHECK(rig.prints("booth").size() == 1);
    auto ledger = PrintLedger::open(rig.work() / "ledger.db");
    const auto entry = ledger.find("encore.drill.copy1");
    REQUIRE(entry.has_value());
    REQUIRE(entry->has_value());
    CHECK((*entry)->state == LedgerState::completed);
    CHECK((*entry)->sends == 1);
}

TEST_CASE("kill -9 of `encore print` while the printer is out of paper, then the same command: "
          "one copy once paper is loaded") {
    PrintRig rig;
    rig.fault("booth", "media-empty");
    const auto photo = rig.work() / "photo.jpg";
    write_photo(photo, "killed while empty");
    const std::vector<std::string> environment = {"CUPS_SERVER=" + rig.server()};
    {
        ChildProcess first(bin_dir() / "encore", encore_print(rig, photo, "empty"), environment);
        REQUIRE(first.wait_for_line("is out of paper", 10s).has_value());
        first.send_signal(SIGKILL);
        first.wait_for_exit(5s);
    }
    rig.fault("booth", "clear");
    ChildProcess again(bin_dir() / "encore", encore_print(rig, photo, "empty"), environment);
    CHECK(again.wait_for_exit(20s) == 0);
    INFO(again.stdout_text());
    std::this_thread::sleep_for(1s);
    CHECK(rig.prints("booth").size() == 1);
}

TEST_CASE("a crash after the ledger write but before CUPS had the print: the restart sends it "
          "once") {
    PrintRig rig;
    const auto photo = rig.work() / "photo.jpg";
    write_photo(photo, "recorded only");
    {
        auto ledger = PrintLedger::open(rig.work() / "ledger.db");
        REQUIRE(ledger.record(photo_order("R1", 2, photo)).has_value());
    } // the process dies here
    SpoolerHarness harness(rig, rig.work() / "ledger.db", test_spooler_options());
    harness.spooler().start();
    REQUIRE(harness.run_until(
        [&] {
            return finished(harness, "encore.R1.copy1") && finished(harness, "encore.R1.copy2");
        },
        10s));
    harness.run_for(1000ms);
    CHECK(rig.prints("booth").size() == 2);
    CHECK(harness.entry("encore.R1.copy1").sends == 1);
    CHECK(harness.entry("encore.R1.copy2").sends == 1);
}

TEST_CASE("a crash after CUPS took the print but before its job id was stored: the restart "
          "adopts the job instead of sending it again") {
    PrintRig rig;
    rig.fault("booth", "slow=1");
    const auto photo = rig.work() / "photo.jpg";
    write_photo(photo, "sent, not stored");
    int submitted_id = 0;
    {
        auto ledger = PrintLedger::open(rig.work() / "ledger.db");
        const auto recorded = ledger.record(photo_order("S1", 1, photo));
        REQUIRE(recorded.has_value());
        const auto job = rig.printer()->submit(recorded->entries.front().submit_request());
        REQUIRE(job.has_value());
        submitted_id = job->id;
    } // the process dies before the ledger learns the job id
    SpoolerHarness harness(rig, rig.work() / "ledger.db", test_spooler_options());
    harness.spooler().start();
    REQUIRE(harness.run_until([&] { return finished(harness, "encore.S1.copy1"); }, 10s));
    harness.run_for(1000ms);
    const auto entry = harness.entry("encore.S1.copy1");
    CHECK(entry.state == LedgerState::completed);
    CHECK(entry.cups_job_id == submitted_id);
    CHECK(entry.sends == 0); // adopted: this spooler never sent it
    CHECK(rig.prints("booth").size() == 1);
}

TEST_CASE("cupsd killed while printing (DirtyCleanInterval 30): CUPS forgets the job, the "
          "ledger never resends it, one copy comes out") {
    PrintRig rig;
    rig.fault("booth", "slow=2");
    const auto photo = rig.work() / "photo.jpg";
    write_photo(photo, "cupsd killed while printing");
    SpoolerHarness harness(rig, rig.work() / "ledger.db", test_spooler_options());
    harness.spooler().start();
    REQUIRE(harness.submit(photo_order("K1", 1, photo)).has_value());
    REQUIRE(harness.run_until(
        [&] { return harness.state("encore.K1.copy1") == LedgerState::printing; }, 5s));
    rig.restart_cupsd();
    REQUIRE(harness.run_until(
        [&] { return harness.state("encore.K1.copy1") == LedgerState::unconfirmed; }, 5s));
    // The backend outlived cupsd and finishes the print.
    REQUIRE(wait_until([&] { return rig.prints("booth").size() == 1; }, 5s));
    harness.run_for(2000ms);
    CHECK(rig.prints("booth").size() == 1);
    const auto entry = harness.entry("encore.K1.copy1");
    CHECK(entry.sends == 1);
    CHECK(entry.state == LedgerState::unconfirmed);
    CHECK(entry.message.find("look in the printer's tray") != std::string::npos);
    CHECK(harness.printer().find_jobs("booth", "encore.K1.copy1")->empty());
}

TEST_CASE("cupsd killed while the print waits on an empty printer (DirtyCleanInterval 30): the "
          "job and its id are forgotten, the id goes to another job, and the print is sent again "
          "exactly once") {
    PrintRig rig;
    rig.fault("booth", "media-empty");
    const auto photo = rig.work() / "photo.jpg";
    write_photo(photo, "forgotten while waiting");
    int old_id = 0;
    {
        SpoolerHarness before(rig, rig.work() / "ledger.db", test_spooler_options());
        before.spooler().start();
        const auto started = Clock::now();
        REQUIRE(before.submit(photo_order("W1", 1, photo)).has_value());
        REQUIRE(before.run_until(
            [&] { return before.condition_seen(Errc::out_of_paper, started).has_value(); }, 5s));
        REQUIRE(before.entry("encore.W1.copy1").cups_job_id.has_value());
        old_id = *before.entry("encore.W1.copy1").cups_job_id;
    } // Encore stops too
    rig.restart_cupsd();
    // Someone else's job on the other queue gets the id the new cupsd no longer knows.
    const auto lp = run_program(
        "/usr/bin/lp", {"-h", rig.server(), "-d", "lab", "-t", "someone-else", photo.string()});
    REQUIRE(lp.exit_code == 0);
    std::smatch match;
    REQUIRE(std::regex_search(lp.out, match, std::regex("lab-(\\d+)")));
    CHECK(std::stoi(match[1]) == old_id);

    SpoolerHarness after(rig, rig.work() / "ledger.db", test_spooler_options());
    after.spooler().start();
    const auto restarted = Clock::now();
    REQUIRE(after.run_until(
        [&] { return after.condition_seen(Errc::out_of_paper, restarted).has_value(); }, 5s));
    CHECK(after.entry("encore.W1.copy1").sends == 2);
    CHECK(after.entry("encore.W1.copy1").cups_job_id != old_id);
    rig.fault("booth", "clear");
    REQUIRE(after.run_until([&] { return finished(after, "encore.W1.copy1"); }, 10s));
    after.run_for(1000ms);
    CHECK(after.state("encore.W1.copy1") == LedgerState::completed);
    CHECK(rig.prints_of("booth", "encore.W1.copy1").size() == 1);
    CHECK(rig.prints("booth").size() == 1);
    CHECK(rig.prints("lab").size() == 1);
}

TEST_CASE("cupsd killed while the print waits on an empty printer (DirtyCleanInterval 0): the "
          "job survives by name and prints once") {
    PrintRigOptions write_at_once;
    write_at_once.dirty_clean_interval = 0;
    PrintRig rig(write_at_once);
    rig.fault("booth", "media-empty");
    const auto photo = rig.work() / "photo.jpg";
    write_photo(photo, "kept while waiting");
    SpoolerHarness harness(rig, rig.work() / "ledger.db", test_spooler_options());
    harness.spooler().start();
    const auto started = Clock::now();
    REQUIRE(harness.submit(photo_order("D1", 1, photo)).has_value());
    REQUIRE(harness.run_until(
        [&] { return harness.condition_seen(Errc::out_of_paper, started).has_value(); }, 5s));
    rig.restart_cupsd();
    harness.run_for(1500ms);
    CHECK(harness.printer().find_jobs("booth", "encore.D1.copy1")->size() == 1);
    rig.fault("booth", "clear");
    REQUIRE(harness.run_until([&] { return finished(harness, "encore.D1.copy1"); }, 10s));
    harness.run_for(1000ms);
    CHECK(harness.state("encore.D1.copy1") == LedgerState::completed);
    CHECK(harness.entry("encore.D1.copy1").sends == 1);
    CHECK(rig.prints("booth").size() == 1);
}

TEST_CASE("a job of a print that already came out, brought back into CUPS, is cancelled") {
    PrintRig rig;
    const auto photo = rig.work() / "photo.jpg";
    write_photo(photo, "brought back");
    SpoolerHarness harness(rig, rig.work() / "ledger.db", test_spooler_options());
    harness.spooler().watch("booth");
    harness.spooler().start();
    REQUIRE(harness.submit(photo_order("G1", 1, photo)).has_value());
    REQUIRE(harness.run_until([&] { return finished(harness, "encore.G1.copy1"); }, 10s));
    // What a restarted cupsd does when it reloads a job whose completion it never wrote
    // down: the same name waits in the queue again (held here, so the test is not a race).
    const auto lp =
        run_program("/usr/bin/lp", {"-h", rig.server(), "-d", "booth", "-H", "indefinite", "-t",
                                    "encore.G1.copy1", photo.string()});
    REQUIRE(lp.exit_code == 0);
    REQUIRE(harness.run_until(
        [&] {
            const auto jobs = harness.printer().find_jobs("booth", "encore.G1.copy1");
            return jobs && jobs->size() == 2 && jobs->back().state == JobState::canceled;
        },
        5s));
    harness.run_for(1000ms);
    CHECK(rig.prints("booth").size() == 1);
    CHECK(harness.state("encore.G1.copy1") == LedgerState::completed);
}
