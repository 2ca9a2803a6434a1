#include "drivers/printer/reconcile.hpp"

#include <algorithm>
#include <array>

namespace encore::drivers::printer {
namespace {

constexpr std::array<LedgerState, 10> ledger_states = {
    LedgerState::recorded,    LedgerState::queued,    LedgerState::held,     LedgerState::printing,
    LedgerState::stopped,     LedgerState::completed, LedgerState::canceled, LedgerState::aborted,
    LedgerState::unconfirmed, LedgerState::failed,
};

constexpr std::array<Observed, 9> observations = {
    Observed::unknown,  Observed::absent,     Observed::pending,
    Observed::held,     Observed::processing, Observed::stopped,
    Observed::canceled, Observed::aborted,    Observed::completed,
};

bool is_active(Observed observed) {
    return observed == Observed::pending || observed == Observed::held ||
           observed == Observed::processing || observed == Observed::stopped;
}

// The ledger state that mirrors what CUPS shows.
LedgerState mirror(Observed observed) {
    switch (observed) {
    case Observed::pending:
        return LedgerState::queued;
    case Observed::held:
        return LedgerState::held;
    case Observed::processing:
        return LedgerState::printing;
    case Observed::stopped:
        return LedgerState::stopped;
    case Observed::canceled:
        return LedgerState::canceled;
    case Observed::aborted:
        return LedgerState::aborted;
    case Observed::completed:
        return LedgerState::completed;
    case Observed::unknown:
    case Observed::absent:
        break;
    }
    return LedgerState::recorded;
}

// Order of preference among several jobs of one name (higher wins).
int rank(JobState state) {
    switch (state) {
    case JobState::completed:
        return 6;
    case JobState::processing:
        return 5;
    case JobState::stopped:
        return 4;
    case JobState::pending:
    case JobState::held:
        return 3;
    case JobState::aborted:
    case JobState::canceled:
        return 1;
    }
    return 0;
}

} // namespace

std::string_view to_string(LedgerState state) {
    switch (state) {
    case LedgerState::recorded:
        return "recorded";
    case LedgerState::queued:
        return "queued";
    case LedgerState::held:
        return "held";
    case LedgerState::printing:
        return "printing";
    case LedgerState::stopped:
        return "stopped";
    case LedgerState::completed:
        return "completed";
    case LedgerState::canceled:
        return "canceled";
    case LedgerState::aborted:
        return "aborted";
    case LedgerState::unconfirmed:
        return "unconfirmed";
    case LedgerState::failed:
        return "failed";
    }
    return "unknown";
}

std::optional<LedgerState> parse_ledger_state(std::string_view text) {
    for (const auto state : ledger_states) {
        if (to_string(state) == text) {
            return state;
        }
    }
    return std::nullopt;
}

bool is_finished(LedgerState state) {
    return state == LedgerState::completed || state == LedgerState::canceled ||
           state == LedgerState::aborted || state == LedgerState::unconfirmed ||
           state == LedgerState::failed;
}

std::span<const LedgerState> all_ledger_states() {
    return ledger_states;
}

std::string_view to_string(Observed observed) {
    switch (observed) {
    case Observed::unknown:
        return "unknown";
    case Observed::absent:
        return "absent";
    case Observed::pending:
        return "pending";
    case Observed::held:
        return "held";
    case Observed::processing:
        return "processing";
    case Observed::stopped:
        return "stopped";
    case Observed::canceled:
        return "canceled";
    case Observed::aborted:
        return "aborted";
    case Observed::completed:
        return "completed";
    }
    return "unknown";
}

Observed observed_from(JobState state) {
    switch (state) {
    case JobState::pending:
        return Observed::pending;
    case JobState::held:
        return Observed::held;
    case JobState::processing:
        return Observed::processing;
    case JobState::stopped:
        return Observed::stopped;
    case JobState::canceled:
        return Observed::canceled;
    case JobState::aborted:
        return Observed::aborted;
    case JobState::completed:
        return Observed::completed;
    }
    return Observed::unknown;
}

std::span<const Observed> all_observed() {
    return observations;
}

std::string_view to_string(Action action) {
    switch (action) {
    case Action::keep:
        return "keep";
    case Action::send:
        return "send";
    case Action::track:
        return "track";
    case Action::finish:
        return "finish";
    case Action::mark_unconfirmed:
        return "mark-unconfirmed";
    case Action::cancel_in_cups:
        return "cancel-in-cups";
    }
    return "unknown";
}

Decision reconcile(LedgerState ledger, Observed cups) {
    if (cups == Observed::unknown) {
        return {Action::keep, ledger};
    }
    switch (ledger) {
    case LedgerState::recorded:
    case LedgerState::queued:
    case LedgerState::held:
    case LedgerState::printing:
    case LedgerState::stopped:
        if (cups == Observed::absent) {
            // Last seen printing (or stopped mid-print): it may have come out.
            if (ledger == LedgerState::printing || ledger == LedgerState::stopped) {
                return {Action::mark_unconfirmed, LedgerState::unconfirmed};
            }
            // Never reached the printer as far as Encore saw: safe to send.
            return {Action::send, LedgerState::recorded};
        }
        if (is_active(cups)) {
            return {Action::track, mirror(cups)};
        }
        return {Action::finish, mirror(cups)};
    case LedgerState::unconfirmed:
        // CUPS knows the job again (or at last says how it ended): follow it.
        if (cups == Observed::absent) {
            return {Action::keep, ledger};
        }
        if (is_active(cups)) {
            return {Action::track, mirror(cups)};
        }
        return {Action::finish, mirror(cups)};
    case LedgerState::completed:
    case LedgerState::canceled:
    case LedgerState::aborted:
    case LedgerState::failed:
        if (is_active(cups)) {
            return {Action::cancel_in_cups, ledger};
        }
        return {Action::keep, ledger};
    }
    return {Action::keep, ledger};
}

Observation observe(std::span<const JobInfo> jobs_with_the_name) {
    Observation observation;
    if (jobs_with_the_name.empty()) {
        return observation;
    }
    std::vector<JobInfo> jobs(jobs_with_the_name.begin(), jobs_with_the_name.end());
    // Best first; among equals the oldest waiting job, or the newest finished one.
    std::stable_sort(jobs.begin(), jobs.end(), [](const JobInfo& a, const JobInfo& b) {
        if (rank(a.state) != rank(b.state)) {
            return rank(a.state) > rank(b.state);
        }
        if (is_terminal(a.state)) {
            return a.created_at > b.created_at;
        }
        return a.created_at < b.created_at;
    });
    observation.job = jobs.front();
    observation.state = observed_from(jobs.front().state);
    for (std::size_t i = 1; i < jobs.size(); ++i) {
        if (!is_terminal(jobs[i].state)) {
            observation.duplicates.push_back(jobs[i].id);
        }
    }
    return observation;
}

} // namespace encore::drivers::printer
