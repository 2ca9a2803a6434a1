#pragma once

#include "drivers/printer/printer.hpp"

#include <optional>
#include <span>
#include <string_view>
#include <vector>

// The print ledger's decision table: what the ledger last knew of a print, what CUPS
// says now about the job of that name, and what to do. Pure functions, so every pair is
// tested on its own (tests/unit/printer/reconcile_test.cpp).
//
// The rules in one paragraph: CUPS is asked by job name, never by id alone (a restarted
// cupsd hands the ids of jobs it forgot to new jobs). A print CUPS has is followed to its
// end. A print CUPS does not have is sent (again) only if it never reached the printer as
// far as Encore saw; one that was last seen printing and then vanished may well have come
// out (the backend outlives cupsd, or the printer had the data), so it is never sent again
// by itself: it becomes "unconfirmed" and the operator looks in the tray. A print the
// ledger has finished that shows up active again in CUPS (a restarted cupsd reloaded it)
// is cancelled there, so it does not come out twice.
namespace encore::drivers::printer {

enum class LedgerState {
    recorded,    // written before submission; CUPS may or may not have it
    queued,      // CUPS has it, last seen waiting (pending)
    held,        // CUPS has it, last seen held (pending-held)
    printing,    // last seen processing: the printer may have it
    stopped,     // last seen processing-stopped
    completed,   // CUPS says it printed
    canceled,    // cancelled in CUPS (an operator, or Encore after a duplicate)
    aborted,     // CUPS gave up on it (errors, retries exhausted)
    unconfirmed, // CUPS lost it while it was printing: it may or may not have come out
    failed,      // could not be sent, and never will be (no such queue, unreadable file)
};
std::string_view to_string(LedgerState state);
std::optional<LedgerState> parse_ledger_state(std::string_view text);
// completed, canceled, aborted, unconfirmed, failed: Encore does nothing more by itself.
bool is_finished(LedgerState state);
std::span<const LedgerState> all_ledger_states();

// What CUPS says about the print's job name.
enum class Observed {
    unknown, // the server did not answer, or hid job names: nothing can be concluded
    absent,  // no job of that name, finished ones included
    pending,
    held,
    processing,
    stopped,
    canceled,
    aborted,
    completed,
};
std::string_view to_string(Observed observed);
Observed observed_from(JobState state);
std::span<const Observed> all_observed();

enum class Action {
    keep,             // nothing to do
    send,             // submit the print to CUPS
    track,            // follow the CUPS job: take over its state and id
    finish,           // take over the final state CUPS reports
    mark_unconfirmed, // never resend; tell the operator to check the tray
    cancel_in_cups,   // the ledger's verdict stands: cancel the job CUPS brought back
};
std::string_view to_string(Action action);

struct Decision {
    Action action = Action::keep;
    LedgerState next = LedgerState::recorded; // the ledger's state after the action
};

Decision reconcile(LedgerState ledger, Observed cups);

// Every CUPS job that carries one print's name, summed up. Normally there is one; after a
// crash or a resend race there may be several, and then the one that stands for the
// print is chosen and the other active ones are duplicates to cancel:
// a completed job wins (the print came out), then one printing, then the oldest waiting
// one; with only cancelled or aborted jobs, the newest.
struct Observation {
    Observed state = Observed::absent;
    std::optional<JobInfo> job;  // the job that stands for the print
    std::vector<int> duplicates; // ids of other active jobs of the same name
};
Observation observe(std::span<const JobInfo> jobs_with_the_name);

} // namespace encore::drivers::printer
