#include "drivers/printer/spooler.hpp"

#include "platform/log/logger.hpp"
#include "platform/runtime/blocking_worker.hpp"

#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <set>

namespace encore::drivers::printer {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// One print to look up in CUPS by name during a poll.
struct Lookup {
    std::int64_t entry_id = 0;
    std::string job_name;
    std::optional<int> cups_job_id;
    // The row as it was when the poll was planned; a row that changed meanwhile is not
    // judged on this poll's (older) answer.
    LedgerState state = LedgerState::recorded;
    int sends = 0;
    // Finished rows are only checked against the active jobs (the duplicate guard).
    bool guard_only = false;
};

struct QueuePoll {
    std::string queue;
    std::vector<Lookup> lookups;
};

struct LookupResult {
    Lookup lookup;
    std::vector<JobInfo> jobs; // every job with the name that was found
    bool conclusive = false;   // false: nothing can be said (server gone, names hidden)
};

struct QueueResult {
    std::string queue;
    Result<PrinterStatus> status = make_error(Errc::server_unreachable, "");
    std::vector<LookupResult> lookups;
};

std::vector<JobInfo> named(const std::vector<JobInfo>& jobs, const std::string& name) {
    std::vector<JobInfo> found;
    std::copy_if(jobs.begin(), jobs.end(), std::back_inserter(found),
                 [&](const JobInfo& job) { return job.name == name; });
    return found;
}

// Runs on the worker: the printer's state, its active jobs, and each print by name.
std::vector<QueueResult> poll_queues(Printer& printer, const std::vector<QueuePoll>& polls) {
    std::vector<QueueResult> results;
    for (const auto& poll : polls) {
        QueueResult result;
        result.queue = poll.queue;
        result.status = printer.status(poll.queue);
        const bool queue_gone =
            !result.status && result.status.error().code == make_error_code(Errc::no_such_queue);
        if (!result.status || poll.lookups.empty()) {
            for (const auto& lookup : poll.lookups) {
                // A queue that is gone has no jobs: that is an answer.
                result.lookups.push_back({lookup, {}, queue_gone});
            }
            results.push_back(std::move(result));
            continue;
        }
        const auto active = printer.jobs(poll.queue, WhichJobs::active);
        std::optional<Result<std::vector<JobInfo>>> all;
        for (const auto& lookup : poll.lookups) {
            LookupResult found{lookup, {}, false};
            if (!active) {
                result.lookups.push_back(std::move(found));
                continue;
            }
            found.jobs = named(*active, lookup.job_name);
            if (!found.jobs.empty() || lookup.guard_only) {
                found.conclusive = true;
                result.lookups.push_back(std::move(found));
                continue;
            }
            // Not active: finished, or unknown to CUPS. The id is a shortcut, trusted
            // only when the job behind it still has this print's name.
            if (lookup.cups_job_id) {
                const auto job = printer.job(*lookup.cups_job_id);
                if (job && job->name == lookup.job_name) {
                    found.jobs.push_back(*job);
                    found.conclusive = true;
                    result.lookups.push_back(std::move(found));
                    continue;
                }
                if (!job && job.error().code != make_error_code(Errc::no_such_job)) {
                    result.lookups.push_back(std::move(found));
                    continue;
                }
            }
            if (!all) {
                all = printer.jobs(poll.queue, WhichJobs::all);
            }
            if (!*all) {
                result.lookups.push_back(std::move(found));
                continue;
            }
            found.jobs = named(**all, lookup.job_name);
            // CUPS hides the names of other users' jobs (JobPrivateValues): if it hid
            // any, "not there" cannot be concluded.
            const bool names_hidden =
                std::any_of((*all)->begin(), (*all)->end(),
                            [](const JobInfo& job) { return job.name.empty(); });
            found.conclusive = !found.jobs.empty() || !names_hidden;
            result.lookups.push_back(std::move(found));
        }
        results.push_back(std::move(result));
    }
    return results;
}

bool permanent(const Error& error) {
    for (const auto code : {Errc::no_such_queue, Errc::unsupported_media, Errc::unsupported_format,
                            Errc::document_unreadable, Errc::invalid_argument}) {
        if (error.code == make_error_code(code)) {
            return true;
        }
    }
    return false;
}

bool same_status(const PrinterStatus& a, const PrinterStatus& b) {
    return a.state == b.state && a.reasons == b.reasons && a.message == b.message &&
           a.accepting == b.accepting;
}

std::string join(const std::vector<std::string>& values) {
    std::string text;
    for (const auto& value : values) {
        text += (text.empty() ? "" : ",") + value;
    }
    return text;
}

// What to tell the operator about a print, given its job in CUPS.
std::string job_message(const JobInfo& job) {
    switch (job.state) {
    case JobState::held:
        return "held by the print server (" + join(job.reasons) + "): run `encore printer resume " +
               job.queue + "` to release it";
    case JobState::aborted:
        return "the print server gave up on this print (" + join(job.reasons) +
               (job.printer_message.empty() ? "" : ", \"" + job.printer_message + "\"") +
               "): print the order again once the printer works";
    case JobState::canceled:
        return "cancelled on the print server";
    case JobState::pending:
    case JobState::processing:
    case JobState::stopped:
        return job.printer_message;
    case JobState::completed:
        return "";
    }
    return "";
}

} // namespace

Result<void> validate(const SpoolerOptions& options) {
    if (options.poll_interval < milliseconds(50) || options.poll_interval > milliseconds(1000)) {
        return make_error(Errc::invalid_argument,
                          "poll_interval must be between 50 ms and 1 s, so a change shows within "
                          "2 s");
    }
    if (options.resume_first_probe <= milliseconds(0) ||
        options.resume_max_probe < options.resume_first_probe) {
        return make_error(Errc::invalid_argument,
                          "resume probes: the first must be positive and the maximum not smaller");
    }
    if (options.retry_first <= milliseconds(0) || options.retry_max < options.retry_first) {
        return make_error(Errc::invalid_argument,
                          "retries: the first must be positive and the maximum not smaller");
    }
    return {};
}

struct PrintSpooler::State : std::enable_shared_from_this<PrintSpooler::State> {
    State(boost::asio::any_io_executor loop, Printer& printer, PrintLedger& ledger,
          SpoolerOptions options, EventHandler on_event)
        : printer_(printer)
        , ledger_(ledger)
        , options_(options)
        , on_event_(std::move(on_event))
        , timer_(loop)
        , random_(std::random_device{}())
        , worker_(loop, "printer") {}

    struct Backoff {
        milliseconds delay{0};
        Clock::time_point next{};
    };

    struct QueueWatch {
        std::optional<PrinterStatus> status;
        std::optional<std::error_code> failure; // why the last status could not be had
        bool fault_stop_seen = false;
        milliseconds probe_delay{0};
        Clock::time_point next_probe{};
        bool enabling = false;
    };

    // ------------------------------------------------------------------ helpers

    template <typename Work, typename Done>
    void on_worker(Work work, Done done) {
        worker_.run(std::move(work),
                    [weak = weak_from_this(), done = std::move(done)](auto result) mutable {
                        if (auto self = weak.lock()) {
                            done(*self, std::move(result));
                        }
                    });
    }

    milliseconds jittered(milliseconds delay) {
        // ±20 %, so booths that lost the same server do not all come back at once.
        std::uniform_real_distribution<double> factor(0.8, 1.2);
        return milliseconds(
            static_cast<std::int64_t>(static_cast<double>(delay.count()) * factor(random_)));
    }

    void emit_job(const LedgerEntry& entry) {
        if (!on_event_) {
            return;
        }
        PrintEvent event;
        event.kind = PrintEvent::Kind::job_changed;
        event.queue = entry.queue;
        event.job = entry;
        on_event_(event);
    }

    void emit_printer(const std::string& queue, const std::optional<PrinterStatus>& status,
                      std::optional<Error> condition) {
        if (!on_event_) {
            return;
        }
        PrintEvent event;
        event.kind = PrintEvent::Kind::printer_changed;
        event.queue = queue;
        event.printer = status;
        event.condition = std::move(condition);
        on_event_(event);
    }

    // Stores the entry and tells the callback; a ledger that cannot be written is logged
    // (the next poll tries again from what is on disk).
    void save(LedgerEntry& entry) {
        if (auto saved = ledger_.update(entry); !saved) {
            logger_.error(describe(saved.error()));
            return;
        }
        emit_job(entry);
    }

    // ------------------------------------------------------------------ polling

    void start() {
        started_ = true;
        if (auto unfinished = ledger_.unfinished()) {
            if (!unfinished->empty()) {
                logger_.info("reconciling ", unfinished->size(),
                             " unfinished print(s) from the ledger with CUPS by job name");
            }
        }
        tick();
    }

    void stop() {
        started_ = false;
        timer_.cancel();
    }

    void schedule_tick(milliseconds delay) {
        timer_.expires_after(delay);
        timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
            if (auto self = weak.lock(); self && !error) {
                self->tick();
            }
        });
    }

    void tick() {
        if (!started_) {
            return;
        }
        schedule_tick(options_.poll_interval);
        if (polling_) {
            return; // the worker is still busy with the last poll (or a long submit)
        }
        auto unfinished = ledger_.unfinished();
        if (!unfinished) {
            logger_.error(describe(unfinished.error()));
            return;
        }
        const auto guard_since =
            unix_millis() -
            std::chrono::duration_cast<milliseconds>(options_.duplicate_guard).count();
        auto finished = ledger_.finished_since(guard_since);
        std::map<std::string, QueuePoll> polls;
        for (const auto& queue : watched_) {
            polls[queue].queue = queue;
        }
        for (const auto& entry : *unfinished) {
            auto& poll = polls[entry.queue];
            poll.queue = entry.queue;
            // A row this process recorded and never sent cannot be in CUPS; one being
            // sent is judged when the answer comes.
            if (fresh_.contains(entry.id) || sending_.contains(entry.id)) {
                continue;
            }
            poll.lookups.push_back(
                {entry.id, entry.job_name, entry.cups_job_id, entry.state, entry.sends, false});
        }
        if (finished) {
            for (const auto& entry : *finished) {
                if (!polls.contains(entry.queue)) {
                    continue; // nothing else to ask about that queue: not worth a poll
                }
                polls[entry.queue].lookups.push_back(
                    {entry.id, entry.job_name, entry.cups_job_id, entry.state, entry.sends, true});
            }
        }
        if (polls.empty()) {
            return;
        }
        std::vector<QueuePoll> request;
        for (auto& [queue, poll] : polls) {
            request.push_back(std::move(poll));
        }
        polling_ = true;
        on_worker([printer = &printer_,
                   request = std::move(request)] { return poll_queues(*printer, request); },
                  [](State& self, std::vector<QueueResult> results) {
                      self.polling_ = false;
                      self.on_polled(std::move(results));
                  });
    }

    void on_polled(std::vector<QueueResult> results) {
        for (auto& result : results) {
            on_status(result.queue, result.status);
            for (auto& lookup : result.lookups) {
                judge(lookup);
            }
        }
        dispatch();
    }

    void on_status(const std::string& queue, const Result<PrinterStatus>& status) {
        auto& watch = queues_[queue];
        if (!status) {
            if (watch.failure != status.error().code) {
                watch.failure = status.error().code;
                watch.status.reset();
                logger_.warning(describe(status.error()));
                emit_printer(queue, std::nullopt, status.error());
            }
            return;
        }
        const bool changed = watch.failure || !watch.status || !same_status(*watch.status, *status);
        watch.failure.reset();
        watch.status = *status;
        if (changed) {
            auto condition = condition_error(*status, options_.auto_resume);
            if (condition) {
                logger_.info(describe(*condition));
            } else {
                logger_.debug("printer '", queue, "' is ", to_string(status->state));
            }
            emit_printer(queue, *status, std::move(condition));
        }
        auto_resume(queue, watch, *status);
    }

    void auto_resume(const std::string& queue, QueueWatch& watch, const PrinterStatus& status) {
        if (options_.auto_resume == AutoResume::off) {
            return;
        }
        const auto now = Clock::now();
        if (stopped_by_fault(status)) {
            if (!watch.fault_stop_seen) {
                watch.fault_stop_seen = true;
                watch.probe_delay = options_.resume_first_probe;
                watch.next_probe = now + jittered(watch.probe_delay);
                return;
            }
            if (now >= watch.next_probe && !watch.enabling) {
                logger_.info("re-enabling printer '", queue,
                             "' to see whether its fault is gone (CUPS only learns that by "
                             "trying)");
                enable(queue);
                watch.probe_delay = std::min(watch.probe_delay * 2, options_.resume_max_probe);
                watch.next_probe = now + jittered(watch.probe_delay);
            }
            return;
        }
        if (status.state == PrinterState::stopped) {
            // Stopped with its fault reasons gone: the printer says it is fixed.
            if (watch.fault_stop_seen && !watch.enabling) {
                logger_.info("printer '", queue, "' reports its fault fixed: re-enabling it");
                enable(queue);
            }
            return;
        }
        if (watch.fault_stop_seen && classify(status) == Condition::ready) {
            watch.fault_stop_seen = false;
            watch.probe_delay = milliseconds(0);
        }
    }

    void enable(const std::string& queue) {
        queues_[queue].enabling = true;
        on_worker([printer = &printer_, queue] { return printer->enable(queue); },
                  [queue](State& self, Result<void> result) {
                      self.queues_[queue].enabling = false;
                      if (!result) {
                          self.logger_.warning("cannot re-enable printer '", queue,
                                               "': ", describe(result.error()));
                      }
                  });
    }

    // Compares one print's ledger row with what CUPS said and acts on the difference.
    void judge(const LookupResult& result) {
        const auto& lookup = result.lookup;
        if (sending_.contains(lookup.entry_id)) {
            return;
        }
        auto current = ledger_.get(lookup.entry_id);
        if (!current || !*current) {
            return;
        }
        LedgerEntry entry = **current;
        if (entry.state != lookup.state || entry.sends != lookup.sends) {
            return; // changed since the poll was planned: the next poll judges it
        }
        const Observation observation =
            result.conclusive ? observe(result.jobs) : Observation{Observed::unknown, {}, {}};
        const Decision decision = reconcile(entry.state, observation.state);
        for (const int duplicate : observation.duplicates) {
            logger_.warning("print ", entry.job_name, " is in CUPS more than once: cancelling job ",
                            duplicate, " so it prints once");
            cancel(duplicate);
        }
        switch (decision.action) {
        case Action::keep:
            return;
        case Action::send:
            if (entry.state != LedgerState::recorded) {
                logger_.warning("CUPS no longer has print ", entry.job_name, " (job ",
                                entry.cups_job_id.value_or(0), ", last seen ",
                                to_string(entry.state),
                                "), which never reached the printer: sending it again");
                entry.state = LedgerState::recorded;
                entry.cups_job_id.reset();
                entry.message = "the print server lost this print before it was printed: "
                                "sending it again";
                save(entry);
            }
            resend_.insert(entry.id);
            return;
        case Action::track:
        case Action::finish: {
            const auto& job = *observation.job;
            const auto message = job_message(job);
            if (entry.state == decision.next && entry.cups_job_id == job.id &&
                entry.message == message) {
                return;
            }
            if (entry.state != decision.next) {
                logger_.info("print ", entry.job_name, " (job ", job.id, ") is ",
                             to_string(decision.next));
            }
            entry.state = decision.next;
            entry.cups_job_id = job.id;
            entry.message = message;
            save(entry);
            return;
        }
        case Action::mark_unconfirmed:
            entry.state = LedgerState::unconfirmed;
            entry.message = "the print server lost this print while it was printing (did cupsd "
                            "restart?): look in the printer's tray, and print the order again if "
                            "this copy is missing";
            logger_.warning("print ", entry.job_name, ": ", entry.message);
            save(entry);
            return;
        case Action::cancel_in_cups:
            logger_.warning("print ", entry.job_name, " is ", to_string(entry.state),
                            " in the ledger but active again in CUPS (job ", observation.job->id,
                            "; a restarted cupsd reloaded it?): cancelling it so it does not "
                            "print twice");
            cancel(observation.job->id);
            return;
        }
    }

    void cancel(int job_id) {
        // The job shows as active until CUPS has cancelled it: ask once per few seconds.
        const auto now = Clock::now();
        if (const auto asked = cancel_asked_.find(job_id);
            asked != cancel_asked_.end() && now - asked->second < std::chrono::seconds(5)) {
            return;
        }
        cancel_asked_[job_id] = now;
        on_worker([printer = &printer_, job_id] { return printer->cancel_job(job_id); },
                  [job_id](State& self, Result<void> result) {
                      if (!result) {
                          self.logger_.warning("cannot cancel job ", job_id, ": ",
                                               describe(result.error()));
                      }
                  });
    }

    // ------------------------------------------------------------------ sending

    // Sends every print that may go now: recorded, known not to be in CUPS (recorded by
    // this process and never sent, or looked up and absent), past its backoff, and, in
    // one-at-a-time mode, first in its queue with nothing before it unfinished.
    void dispatch() {
        if (!started_) {
            return;
        }
        auto unfinished = ledger_.unfinished();
        if (!unfinished) {
            logger_.error(describe(unfinished.error()));
            return;
        }
        const auto now = Clock::now();
        std::set<std::string> queue_busy;
        for (const auto& entry : *unfinished) {
            if (options_.pacing == Pacing::one_at_a_time) {
                if (queue_busy.contains(entry.queue)) {
                    continue;
                }
                queue_busy.insert(entry.queue);
            }
            if (entry.state != LedgerState::recorded || sending_.contains(entry.id)) {
                continue;
            }
            if (!fresh_.contains(entry.id) && !resend_.contains(entry.id)) {
                continue; // CUPS may have it: the next poll looks it up by name first
            }
            if (const auto backoff = retry_.find(entry.id);
                backoff != retry_.end() && now < backoff->second.next) {
                continue;
            }
            send(entry);
        }
    }

    void send(const LedgerEntry& entry) {
        sending_.insert(entry.id);
        on_worker([printer = &printer_,
                   request = entry.submit_request()] { return printer->submit(request); },
                  [id = entry.id](State& self, Result<JobInfo> result) {
                      self.on_sent(id, std::move(result));
                  });
    }

    void on_sent(std::int64_t id, Result<JobInfo> result) {
        sending_.erase(id);
        resend_.erase(id);
        auto current = ledger_.get(id);
        if (!current || !*current) {
            return;
        }
        LedgerEntry entry = **current;
        if (result) {
            fresh_.erase(id);
            retry_.erase(id);
            entry.state = reconcile(LedgerState::recorded, observed_from(result->state)).next;
            entry.cups_job_id = result->id;
            entry.sends += 1;
            entry.message.clear();
            logger_.info("sent print ", entry.job_name, " to '", entry.queue, "' as job ",
                         result->id);
            save(entry);
        } else if (permanent(result.error())) {
            fresh_.erase(id);
            retry_.erase(id);
            entry.state = LedgerState::failed;
            entry.message = describe(result.error());
            logger_.error("print ", entry.job_name, " failed: ", entry.message);
            save(entry);
        } else {
            // The server may have taken the job before the connection broke: look it up
            // by name before sending it again.
            if (result.error().code == make_error_code(Errc::server_unreachable)) {
                fresh_.erase(id);
            }
            auto& backoff = retry_[id];
            backoff.delay = backoff.delay.count() == 0
                                ? options_.retry_first
                                : std::min(backoff.delay * 2, options_.retry_max);
            backoff.next = Clock::now() + jittered(backoff.delay);
            const auto message = describe(result.error());
            logger_.warning("print ", entry.job_name, " not sent: ", message, " (trying again in ",
                            backoff.delay.count(), " ms)");
            if (entry.message != message) {
                entry.message = message;
                save(entry);
            }
        }
        dispatch();
    }

    // ------------------------------------------------------------------ orders

    void submit(PrintOrder order, SubmitHandler done) {
        if (auto valid = validate(order); !valid) {
            done(valid.error());
            return;
        }
        if (auto format = sniff_document(order.document); !format) {
            done(format.error());
            return;
        }
        // Ask the queue first, so that a wrong name or paper is an error now, with
        // nothing recorded.
        on_worker([printer = &printer_, order] { return check_order(*printer, order); },
                  [order, done = std::move(done)](State& self, Result<void> checked) mutable {
                      self.record(std::move(order), std::move(done), std::move(checked));
                  });
    }

    static Result<void> check_order(Printer& printer, const PrintOrder& order) {
        auto status = printer.status(order.queue);
        if (!status) {
            return status.error();
        }
        if (order.media || order.borderless) {
            auto media = printer.supported_media(order.queue);
            if (!media) {
                return media.error();
            }
            if (order.media && !choose_media(*media, *order.media, order.borderless)) {
                return make_error(Errc::unsupported_media,
                                  "printer '" + order.queue + "' has no " +
                                      std::string(to_string(*order.media)) +
                                      (order.borderless ? " borderless" : "") + " paper");
            }
        }
        return {};
    }

    void record(PrintOrder order, SubmitHandler done, Result<void> checked) {
        if (!checked) {
            if (checked.error().code != make_error_code(Errc::server_unreachable)) {
                done(checked.error());
                return;
            }
            logger_.warning(describe(checked.error()), ": order ", order.order_id,
                            " is recorded and prints when the server is back");
        }
        auto recorded = ledger_.record(order);
        if (!recorded) {
            done(recorded.error());
            return;
        }
        if (!recorded->added.empty()) {
            logger_.info("recorded ", recorded->added.size(), " print(s) of order ", order.order_id,
                         " for '", order.queue, "'");
        } else {
            logger_.info("order ", order.order_id, " was already recorded: nothing new to print");
        }
        fresh_.insert(recorded->added.begin(), recorded->added.end());
        done(recorded->entries);
        dispatch();
    }

    void resume(const std::string& queue, ResumeHandler done) {
        on_worker(
            [printer = &printer_, queue]() -> Result<int> {
                if (auto resumed = printer->resume(queue); !resumed) {
                    return resumed.error();
                }
                return printer->release_held_jobs(queue);
            },
            [queue, done = std::move(done)](State& self, Result<int> result) {
                auto& watch = self.queues_[queue];
                watch.fault_stop_seen = false;
                watch.probe_delay = milliseconds(0);
                if (done) {
                    done(std::move(result));
                }
            });
    }

    Printer& printer_;
    PrintLedger& ledger_;
    SpoolerOptions options_;
    EventHandler on_event_;
    boost::asio::steady_timer timer_;
    std::minstd_rand random_;
    platform::Logger logger_{"printer"};

    bool started_ = false;
    bool polling_ = false;
    std::set<std::string> watched_;
    std::map<std::string, QueueWatch> queues_;
    std::set<std::int64_t> fresh_;   // recorded by this process, never sent
    std::set<std::int64_t> sending_; // a submit on the worker
    std::set<std::int64_t> resend_;  // looked up by name and absent: may be sent
    std::map<std::int64_t, Backoff> retry_;
    std::map<int, Clock::time_point> cancel_asked_;

    // Last: destroyed first, so its thread is joined while everything above still exists.
    platform::BlockingWorker worker_;
};

PrintSpooler::PrintSpooler(boost::asio::any_io_executor loop, Printer& printer, PrintLedger& ledger,
                           SpoolerOptions options, EventHandler on_event)
    : state_(std::make_shared<State>(std::move(loop), printer, ledger, options,
                                     std::move(on_event))) {}

PrintSpooler::~PrintSpooler() {
    state_->stop();
}

void PrintSpooler::start() {
    state_->start();
}

void PrintSpooler::stop() {
    state_->stop();
}

void PrintSpooler::watch(const std::string& queue) {
    state_->watched_.insert(queue);
}

void PrintSpooler::submit(PrintOrder order, SubmitHandler done) {
    state_->submit(std::move(order), std::move(done));
}

void PrintSpooler::resume(const std::string& queue, ResumeHandler done) {
    state_->resume(queue, std::move(done));
}

std::optional<PrinterStatus> PrintSpooler::last_status(const std::string& queue) const {
    const auto found = state_->queues_.find(queue);
    if (found == state_->queues_.end()) {
        return std::nullopt;
    }
    return found->second.status;
}

} // namespace encore::drivers::printer
