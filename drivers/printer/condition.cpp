#include "drivers/printer/condition.hpp"

#include <array>

namespace encore::drivers::printer {
namespace {

// The reason without its -error / -report suffix, or nullopt for a -warning.
std::optional<std::string_view> blocking_keyword(std::string_view reason) {
    if (reason.ends_with("-warning")) {
        return std::nullopt;
    }
    for (const std::string_view suffix : {"-error", "-report"}) {
        if (reason.ends_with(suffix)) {
            reason.remove_suffix(suffix.size());
            break;
        }
    }
    return reason;
}

bool has_blocking(const PrinterStatus& status, std::string_view keyword) {
    for (const auto& reason : status.reasons) {
        if (blocking_keyword(reason) == keyword) {
            return true;
        }
    }
    return false;
}

// Reasons that say something about the queue, not about a fault of the printer.
bool is_queue_reason(std::string_view keyword) {
    constexpr std::array<std::string_view, 6> queue_reasons = {
        "none", "paused", "moving-to-paused", "shutdown", "connecting-to-device", "other"};
    for (const auto reason : queue_reasons) {
        if (keyword == reason) {
            return true;
        }
    }
    // cups-missing-filter, cups-insecure-filter, ...: about the server's set-up.
    return keyword.starts_with("cups-");
}

// The first reason that is a fault of the printer, for the message of Condition::fault.
std::optional<std::string> first_fault_reason(const PrinterStatus& status) {
    for (const auto& reason : status.reasons) {
        const auto keyword = blocking_keyword(reason);
        if (keyword && !is_queue_reason(*keyword)) {
            return reason;
        }
    }
    return std::nullopt;
}

std::string quoted(const std::string& queue) {
    return "printer '" + queue + "'";
}

} // namespace

std::string_view to_string(Condition condition) {
    switch (condition) {
    case Condition::ready:
        return "ready";
    case Condition::out_of_paper:
        return "out-of-paper";
    case Condition::paper_jam:
        return "paper-jam";
    case Condition::out_of_ribbon:
        return "out-of-ribbon";
    case Condition::offline:
        return "offline";
    case Condition::fault:
        return "fault";
    case Condition::stopped:
        return "stopped";
    }
    return "unknown";
}

Condition classify(const PrinterStatus& status) {
    if (has_blocking(status, "media-jam")) {
        return Condition::paper_jam;
    }
    if (has_blocking(status, "media-empty") || has_blocking(status, "media-needed")) {
        return Condition::out_of_paper;
    }
    if (has_blocking(status, "marker-supply-empty")) {
        return Condition::out_of_ribbon;
    }
    if (has_blocking(status, "offline")) {
        return Condition::offline;
    }
    if (status.state == PrinterState::stopped) {
        return first_fault_reason(status) ? Condition::fault : Condition::stopped;
    }
    return Condition::ready;
}

bool stopped_by_fault(const PrinterStatus& status) {
    if (status.state != PrinterState::stopped) {
        return false;
    }
    const auto condition = classify(status);
    return condition != Condition::ready && condition != Condition::stopped;
}

std::optional<Error> condition_error(const PrinterStatus& status, AutoResume auto_resume) {
    const auto printer = quoted(status.queue);
    const std::string resume_command = "`encore printer resume " + status.queue + "`";
    const std::string then = auto_resume == AutoResume::on ? ", printing resumes by itself"
                                                           : ", then run " + resume_command;
    switch (classify(status)) {
    case Condition::ready:
        return std::nullopt;
    case Condition::out_of_paper:
        return make_error(Errc::out_of_paper, printer + " is out of paper: load paper" + then);
    case Condition::paper_jam:
        return make_error(Errc::paper_jam, printer + " has a paper jam: clear the jam" + then);
    case Condition::out_of_ribbon:
        return make_error(Errc::out_of_ribbon,
                          printer + " is out of ribbon: put in a new ribbon" + then);
    case Condition::offline:
        // CUPS keeps trying an offline printer itself: nothing to resume.
        return make_error(Errc::printer_offline,
                          printer + " is offline: check that it is switched on and connected, "
                                    "printing resumes by itself");
    case Condition::fault: {
        std::string what = first_fault_reason(status).value_or("an error");
        if (!status.message.empty()) {
            what += ", \"" + status.message + "\"";
        }
        return make_error(Errc::printer_fault,
                          printer + " stopped (" + what + "): fix the printer" + then);
    }
    case Condition::stopped: {
        std::string what;
        if (!status.message.empty()) {
            what = " (\"" + status.message + "\")";
        }
        return make_error(Errc::printer_stopped, printer + " is stopped" + what + ": run " +
                                                     resume_command + " to start it again");
    }
    }
    return std::nullopt;
}

} // namespace encore::drivers::printer
