// The print ledger's decision table, pair by pair: what the ledger last knew of a print
// (rows) against what CUPS says about its job name now (columns). The expected table is
// written out here in full, independently of reconcile.cpp.

#include "drivers/printer/reconcile.hpp"

#include <doctest/doctest.h>

#include <set>
#include <utility>
#include <vector>

using namespace encore::drivers::printer;

namespace {

struct Expected {
    LedgerState ledger;
    Observed cups;
    Action action;
    LedgerState next;
};

using L = LedgerState;
using O = Observed;
using A = Action;

// Nine columns per row, in the order of the Observed enum.
const std::vector<Expected> table = {
    // A print written to the ledger; CUPS may or may not have it.
    {L::recorded, O::unknown, A::keep, L::recorded},
    {L::recorded, O::absent, A::send, L::recorded},
    {L::recorded, O::pending, A::track, L::queued},
    {L::recorded, O::held, A::track, L::held},
    {L::recorded, O::processing, A::track, L::printing},
    {L::recorded, O::stopped, A::track, L::stopped},
    {L::recorded, O::canceled, A::finish, L::canceled},
    {L::recorded, O::aborted, A::finish, L::aborted},
    {L::recorded, O::completed, A::finish, L::completed},
    // Last seen waiting in CUPS: it never reached the printer, so if CUPS lost it, resend.
    {L::queued, O::unknown, A::keep, L::queued},
    {L::queued, O::absent, A::send, L::recorded},
    {L::queued, O::pending, A::track, L::queued},
    {L::queued, O::held, A::track, L::held},
    {L::queued, O::processing, A::track, L::printing},
    {L::queued, O::stopped, A::track, L::stopped},
    {L::queued, O::canceled, A::finish, L::canceled},
    {L::queued, O::aborted, A::finish, L::aborted},
    {L::queued, O::completed, A::finish, L::completed},
    // Last seen held: likewise never printed.
    {L::held, O::unknown, A::keep, L::held},
    {L::held, O::absent, A::send, L::recorded},
    {L::held, O::pending, A::track, L::queued},
    {L::held, O::held, A::track, L::held},
    {L::held, O::processing, A::track, L::printing},
    {L::held, O::stopped, A::track, L::stopped},
    {L::held, O::canceled, A::finish, L::canceled},
    {L::held, O::aborted, A::finish, L::aborted},
    {L::held, O::completed, A::finish, L::completed},
    // Last seen printing: if CUPS lost it, it may have come out. Never resend by itself.
    {L::printing, O::unknown, A::keep, L::printing},
    {L::printing, O::absent, A::mark_unconfirmed, L::unconfirmed},
    {L::printing, O::pending, A::track, L::queued},
    {L::printing, O::held, A::track, L::held},
    {L::printing, O::processing, A::track, L::printing},
    {L::printing, O::stopped, A::track, L::stopped},
    {L::printing, O::canceled, A::finish, L::canceled},
    {L::printing, O::aborted, A::finish, L::aborted},
    {L::printing, O::completed, A::finish, L::completed},
    // Stopped mid-print: as printing.
    {L::stopped, O::unknown, A::keep, L::stopped},
    {L::stopped, O::absent, A::mark_unconfirmed, L::unconfirmed},
    {L::stopped, O::pending, A::track, L::queued},
    {L::stopped, O::held, A::track, L::held},
    {L::stopped, O::processing, A::track, L::printing},
    {L::stopped, O::stopped, A::track, L::stopped},
    {L::stopped, O::canceled, A::finish, L::canceled},
    {L::stopped, O::aborted, A::finish, L::aborted},
    {L::stopped, O::completed, A::finish, L::completed},
    // Finished: the ledger's verdict stands; a job CUPS brings back is cancelled.
    {L::completed, O::unknown, A::keep, L::completed},
    {L::completed, O::absent, A::keep, L::completed},
    {L::completed, O::pending, A::cancel_in_cups, L::completed},
    {L::completed, O::held, A::cancel_in_cups, L::completed},
    {L::completed, O::processing, A::cancel_in_cups, L::completed},
    {L::completed, O::stopped, A::cancel_in_cups, L::completed},
    {L::completed, O::canceled, A::keep, L::completed},
    {L::completed, O::aborted, A::keep, L::completed},
    {L::completed, O::completed, A::keep, L::completed},
    {L::canceled, O::unknown, A::keep, L::canceled},
    {L::canceled, O::absent, A::keep, L::canceled},
    {L::canceled, O::pending, A::cancel_in_cups, L::canceled},
    {L::canceled, O::held, A::cancel_in_cups, L::canceled},
    {L::canceled, O::processing, A::cancel_in_cups, L::canceled},
    {L::canceled, O::stopped, A::cancel_in_cups, L::canceled},
    {L::canceled, O::canceled, A::keep, L::canceled},
    {L::canceled, O::aborted, A::keep, L::canceled},
    {L::canceled, O::completed, A::keep, L::canceled},
    {L::aborted, O::unknown, A::keep, L::aborted},
    {L::aborted, O::absent, A::keep, L::aborted},
    {L::aborted, O::pending, A::cancel_in_cups, L::aborted},
    {L::aborted, O::held, A::cancel_in_cups, L::aborted},
    {L::aborted, O::processing, A::cancel_in_cups, L::aborted},
    {L::aborted, O::stopped, A::cancel_in_cups, L::aborted},
    {L::aborted, O::canceled, A::keep, L::aborted},
    {L::aborted, O::aborted, A::keep, L::aborted},
    {L::aborted, O::completed, A::keep, L::aborted},
    // Unconfirmed: CUPS lost it while printing. If CUPS knows it again, follow it.
    {L::unconfirmed, O::unknown, A::keep, L::unconfirmed},
    {L::unconfirmed, O::absent, A::keep, L::unconfirmed},
    {L::unconfirmed, O::pending, A::track, L::queued},
    {L::unconfirmed, O::held, A::track, L::held},
    {L::unconfirmed, O::processing, A::track, L::printing},
    {L::unconfirmed, O::stopped, A::track, L::stopped},
    {L::unconfirmed, O::canceled, A::finish, L::canceled},
    {L::unconfirmed, O::aborted, A::finish, L::aborted},
    {L::unconfirmed, O::completed, A::finish, L::completed},
    // Failed to send for good: a job of its name in CUPS is not Encore's to print.
    {L::failed, O::unknown, A::keep, L::failed},
    {L::failed, O::absent, A::keep, L::failed},
    {L::failed, O::pending, A::cancel_in_cups, L::failed},
    {L::failed, O::held, A::cancel_in_cups, L::failed},
    {L::failed, O::processing, A::cancel_in_cups, L::failed},
    {L::failed, O::stopped, A::cancel_in_cups, L::failed},
    {L::failed, O::canceled, A::keep, L::failed},
    {L::failed, O::aborted, A::keep, L::failed},
    {L::failed, O::completed, A::keep, L::failed},
};

void check_row(LedgerState ledger) {
    int checked = 0;
    for (const auto& expected : table) {
        if (expected.ledger != ledger) {
            continue;
        }
        CAPTURE(to_string(expected.ledger));
        CAPTURE(to_string(expected.cups));
        const auto decision = reconcile(expected.ledger, expected.cups);
        CHECK(to_string(decision.action) == to_string(expected.action));
        CHECK(to_string(decision.next) == to_string(expected.next));
        ++checked;
    }
    CHECK(checked == static_cast<int>(all_observed().size()));
}

JobInfo job(int id, JobState state, std::int64_t created_at) {
    JobInfo info;
    info.id = id;
    info.name = "encore.o.copy1";
    info.queue = "booth";
    info.state = state;
    info.created_at = created_at;
    return info;
}

} // namespace

TEST_CASE("the table covers every ledger state against every CUPS observation once") {
    std::set<std::pair<int, int>> pairs;
    for (const auto& expected : table) {
        pairs.emplace(static_cast<int>(expected.ledger), static_cast<int>(expected.cups));
    }
    CHECK(pairs.size() == table.size());
    CHECK(table.size() == all_ledger_states().size() * all_observed().size());
}

TEST_CASE("reconcile: ledger recorded (written, maybe not sent)") {
    check_row(LedgerState::recorded);
}
TEST_CASE("reconcile: ledger queued (last seen pending)") {
    check_row(LedgerState::queued);
}
TEST_CASE("reconcile: ledger held") {
    check_row(LedgerState::held);
}
TEST_CASE("reconcile: ledger printing (may have come out)") {
    check_row(LedgerState::printing);
}
TEST_CASE("reconcile: ledger stopped mid-print") {
    check_row(LedgerState::stopped);
}
TEST_CASE("reconcile: ledger completed") {
    check_row(LedgerState::completed);
}
TEST_CASE("reconcile: ledger canceled") {
    check_row(LedgerState::canceled);
}
TEST_CASE("reconcile: ledger aborted") {
    check_row(LedgerState::aborted);
}
TEST_CASE("reconcile: ledger unconfirmed") {
    check_row(LedgerState::unconfirmed);
}
TEST_CASE("reconcile: ledger failed") {
    check_row(LedgerState::failed);
}

TEST_CASE("only a print that never reached the printer is ever sent again") {
    for (const auto ledger : all_ledger_states()) {
        for (const auto cups : all_observed()) {
            if (reconcile(ledger, cups).action == Action::send) {
                CAPTURE(to_string(ledger));
                CHECK(cups == Observed::absent);
                CHECK((ledger == LedgerState::recorded || ledger == LedgerState::queued ||
                       ledger == LedgerState::held));
            }
        }
    }
}

TEST_CASE("ledger and observed states have names that parse back") {
    for (const auto state : all_ledger_states()) {
        CHECK(parse_ledger_state(to_string(state)) == state);
    }
    CHECK_FALSE(parse_ledger_state("printed").has_value());
    CHECK(is_finished(LedgerState::unconfirmed));
    CHECK_FALSE(is_finished(LedgerState::held));
}

TEST_CASE("observe: no job of the name is absent") {
    const auto observation = observe({});
    CHECK(observation.state == Observed::absent);
    CHECK_FALSE(observation.job.has_value());
    CHECK(observation.duplicates.empty());
}

TEST_CASE("observe: one job stands for itself") {
    const std::vector<JobInfo> jobs = {job(7, JobState::processing, 100)};
    const auto observation = observe(jobs);
    CHECK(observation.state == Observed::processing);
    CHECK(observation.job->id == 7);
    CHECK(observation.duplicates.empty());
}

TEST_CASE("observe: a completed job wins and active ones of the same name are duplicates") {
    const std::vector<JobInfo> jobs = {job(9, JobState::pending, 300),
                                       job(4, JobState::completed, 100),
                                       job(6, JobState::canceled, 200)};
    const auto observation = observe(jobs);
    CHECK(observation.state == Observed::completed);
    CHECK(observation.job->id == 4);
    CHECK(observation.duplicates == std::vector<int>{9});
}

TEST_CASE("observe: of several waiting jobs the oldest stands, the others are duplicates") {
    const std::vector<JobInfo> jobs = {job(12, JobState::pending, 500), job(3, JobState::held, 400),
                                       job(15, JobState::pending, 600)};
    const auto observation = observe(jobs);
    CHECK(observation.state == Observed::held);
    CHECK(observation.job->id == 3);
    CHECK(observation.duplicates == std::vector<int>{12, 15});
}

TEST_CASE("observe: a printing job wins over a waiting one of the same name") {
    const std::vector<JobInfo> jobs = {job(11, JobState::pending, 900),
                                       job(5, JobState::processing, 100)};
    const auto observation = observe(jobs);
    CHECK(observation.state == Observed::processing);
    CHECK(observation.job->id == 5);
    CHECK(observation.duplicates == std::vector<int>{11});
}

TEST_CASE("observe: with only finished failures, the newest one stands") {
    const std::vector<JobInfo> jobs = {job(2, JobState::aborted, 100),
                                       job(8, JobState::canceled, 200)};
    const auto observation = observe(jobs);
    CHECK(observation.state == Observed::canceled);
    CHECK(observation.job->id == 8);
    CHECK(observation.duplicates.empty());
}
