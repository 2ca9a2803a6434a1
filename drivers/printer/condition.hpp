#pragma once

#include "drivers/printer/error.hpp"
#include "drivers/printer/printer.hpp"

#include <optional>

// What a printer's state and reasons mean for the people at the booth: the condition
// that keeps jobs waiting, and a sentence that says what to do about it.
namespace encore::drivers::printer {

enum class Condition {
    ready,
    out_of_paper,  // media-empty, media-needed
    paper_jam,     // media-jam
    out_of_ribbon, // marker-supply-empty
    offline,       // offline: CUPS keeps trying by itself
    fault,         // stopped with another error reason the printer reported
    stopped,       // stopped with no reason but "paused": an operator, or an unexplained error
};
std::string_view to_string(Condition condition);

// The condition that matters most (a jam before an empty tray before an empty ribbon).
// Reasons count when they carry no suffix, -error or -report (what an IPP printer reports
// through CUPS); -warning ones (media-low) do not stop anything.
Condition classify(const PrinterStatus& status);

// True when the queue is stopped because the printer reported a fault (paper, jam,
// ribbon, another error). Such a queue may be re-enabled by Encore; one stopped with
// only "paused" was stopped on purpose, or for a reason nobody explained, and is left
// to the operator.
bool stopped_by_fault(const PrinterStatus& status);

enum class AutoResume { on, off };

// The condition as an error value with the operator's sentence, nullopt when ready.
// With AutoResume::on the sentence says that printing resumes by itself once the fault
// is fixed; with off, it names the command that resumes it.
std::optional<Error> condition_error(const PrinterStatus& status, AutoResume auto_resume);

} // namespace encore::drivers::printer
