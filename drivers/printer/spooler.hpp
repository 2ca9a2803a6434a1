#pragma once

#include "drivers/printer/condition.hpp"
#include "drivers/printer/ledger.hpp"
#include "drivers/printer/printer.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// The print spooler: takes orders on the event loop, writes them to the print ledger,
// sends them to CUPS and follows them to their end, running every libcups call on a
// worker thread.
//
// - One CUPS job per physical print: an order of 3 copies is 3 ledger rows and 3 jobs
//   named encore.<order>.copy1..3, each with copies=1. When the paper runs out after
//   the second, the ledger says exactly which copy is missing, and a restarted job
//   never reprints the copies that already came out (a job with copies=3 would).
// - Polling, not IPP subscriptions: every poll_interval (500 ms by default, at most 1 s)
//   the spooler asks for the state of each queue it has prints on (or watches) and of
//   its jobs. A change is seen within one interval plus one round trip; polling keeps
//   working across a cupsd restart, when subscriptions are lost.
// - After any restart, start() reconciles every unfinished row with CUPS by job name
//   (reconcile.hpp): followed if CUPS has it, sent only if CUPS has none of that name.
// - A queue stopped by a printer fault (out of paper, jam, ribbon) is re-enabled by
//   itself when auto_resume is on: CUPS only learns that the fault is gone by trying
//   again, so the spooler re-enables the queue after resume_first_probe, then at
//   doubling intervals up to resume_max_probe; while the fault lasts, the printer stops
//   again at once without printing. A queue stopped with no fault reason ("paused": an
//   operator ran cupsdisable) is left alone.
// - Submitting the same order and copy twice is harmless: the ledger row (and the job
//   name) already exists, so nothing more is recorded or sent.
namespace encore::drivers::printer {

enum class Pacing {
    // Send every print as soon as it is recorded; CUPS queues them.
    all_at_once,
    // Send a queue's next print only when its previous one has finished in CUPS, for
    // printers that hang when they are sent a second job early.
    one_at_a_time,
};

struct SpoolerOptions {
    std::chrono::milliseconds poll_interval{500};
    AutoResume auto_resume = AutoResume::on;
    std::chrono::milliseconds resume_first_probe{2000};
    std::chrono::milliseconds resume_max_probe{15000};
    Pacing pacing = Pacing::all_at_once;
    // Backoff (doubling, with jitter) between attempts to send a print that failed for a
    // reason that may pass (server unreachable, queue not accepting).
    std::chrono::milliseconds retry_first{1000};
    std::chrono::milliseconds retry_max{30000};
    // For this long after a print finished, a job of its name that shows up active again
    // in CUPS (a restarted cupsd reloaded it) is cancelled.
    std::chrono::seconds duplicate_guard{300};
};

// Checks the bounds (poll interval 50 ms..1 s, probes and retries positive, maxima not
// below firsts).
Result<void> validate(const SpoolerOptions& options);

struct PrintEvent {
    enum class Kind {
        job_changed,     // a ledger row changed state, CUPS job or message
        printer_changed, // a queue's state, reasons or message changed, or it went away
    };
    Kind kind = Kind::job_changed;
    std::string queue;
    // job_changed: the row after the change.
    std::optional<LedgerEntry> job;
    // printer_changed: the printer's status; nullopt when it cannot be had (then
    // `condition` says why).
    std::optional<PrinterStatus> printer;
    // printer_changed: what keeps prints on this queue waiting, in the operator's words;
    // nullopt when the printer is ready.
    std::optional<Error> condition;
};

class PrintSpooler {
public:
    using EventHandler = std::function<void(const PrintEvent&)>;
    using SubmitHandler = std::function<void(Result<std::vector<LedgerEntry>>)>;
    using ResumeHandler = std::function<void(Result<int>)>;

    // `printer` and `ledger` are borrowed and must outlive the spooler. Events are
    // delivered on the loop.
    PrintSpooler(boost::asio::any_io_executor loop, Printer& printer, PrintLedger& ledger,
                 SpoolerOptions options, EventHandler on_event);
    ~PrintSpooler();
    PrintSpooler(const PrintSpooler&) = delete;
    PrintSpooler& operator=(const PrintSpooler&) = delete;

    // Reconciles the ledger with CUPS and starts polling.
    void start();
    // Stops polling and sending; calls already on the worker still finish and are recorded.
    void stop();

    // Follows this queue's printer state even while no print is in flight (for a screen
    // that shows "out of paper" before the guest prints).
    void watch(const std::string& queue);

    // Records copies 1..order.copies (those not recorded yet) and sends them. `done` gets
    // every row of the order, or an error: an invalid order, no such queue, no such
    // paper, an unreadable or unsupported document, or a ledger that cannot be written;
    // then nothing was recorded. An unreachable print server is not an error here: the
    // order is recorded and printed when the server is back.
    void submit(PrintOrder order, SubmitHandler done);

    // Re-enables the queue, makes it accept jobs and releases its held jobs (what an
    // operator's `encore printer resume` does). `done` gets the number of released jobs.
    void resume(const std::string& queue, ResumeHandler done);

    // The last status polled for the queue, if any.
    std::optional<PrinterStatus> last_status(const std::string& queue) const;

private:
    struct State;
    std::shared_ptr<State> state_;
};

} // namespace encore::drivers::printer
