#pragma once

#include "drivers/printer/error.hpp"
#include "drivers/printer/media.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The printer driver's narrow interface. Encore prints through CUPS: a queue (a
// "destination") stands for a printer. Every call blocks until the print server has
// answered (or its timeout ran out), so the event loop runs them on a BlockingWorker.
// One Printer is used by one thread at a time.
namespace encore::drivers::printer {

enum class DocumentFormat { jpeg, pdf };
std::string_view to_string(DocumentFormat format);
// Looks at the first bytes of the file: JPEG (FF D8 FF) or PDF ("%PDF"). Anything else
// is an unsupported_format error; a file that cannot be read, document_unreadable.
Result<DocumentFormat> sniff_document(const std::filesystem::path& path);

// IPP's print-scaling: how a picture that is not the paper's shape is placed.
enum class Scaling {
    automatic, // the printer decides (IPP "auto")
    fit,       // fit to page: all of the picture, with margins where the shapes differ
    fill,      // fill the page, cropping the picture's edges
    none,      // as it is
};
std::string_view to_string(Scaling scaling);
std::optional<Scaling> parse_scaling(std::string_view text);

struct PrintOptions {
    // nullopt: the queue's default paper.
    std::optional<MediaSize> media;
    bool borderless = false;
    // Copies the printer makes of this one job (a photo printer makes them itself).
    int copies = 1;
    Scaling scaling = Scaling::automatic;
};

struct SubmitRequest {
    std::string queue;
    // Unique per physical print: the key by which Encore finds the job again after any
    // restart (CUPS job ids are not unique across a cupsd crash).
    std::string job_name;
    std::filesystem::path document;
    PrintOptions options;
};

// IPP job-state.
enum class JobState { pending, held, processing, stopped, canceled, aborted, completed };
std::string_view to_string(JobState state);
// canceled, aborted, completed: CUPS does nothing more with the job.
bool is_terminal(JobState state);

struct JobInfo {
    int id = 0;
    std::string name;
    std::string queue;
    JobState state = JobState::pending;
    std::vector<std::string> reasons; // job-state-reasons, "none" left out
    std::string printer_message;      // job-printer-state-message: what the printer said
    std::int64_t created_at = 0;      // time-at-creation (Unix seconds)
    std::int64_t processing_at = 0;   // time-at-processing, 0 until it started
    std::int64_t completed_at = 0;    // time-at-completed, 0 until it ended
};

// IPP printer-state.
enum class PrinterState { idle, processing, stopped };
std::string_view to_string(PrinterState state);

struct PrinterStatus {
    std::string queue;
    PrinterState state = PrinterState::idle;
    // printer-state-reasons as CUPS gives them ("media-empty-error", "paused"), "none" left out.
    std::vector<std::string> reasons;
    std::string message; // printer-state-message
    bool accepting = true;
    int queued_jobs = 0;
    std::string info;           // printer-info: the queue's description
    std::string make_and_model; // printer-make-and-model

    // True when a reason is `keyword` itself or `keyword` with an -error, -warning or
    // -report suffix.
    bool has_reason(std::string_view keyword) const;
};

struct Destination {
    std::string name;
    std::string info;
    std::string make_and_model;
    bool is_default = false;
    PrinterState state = PrinterState::idle;
    bool accepting = true;
};

enum class WhichJobs {
    active, // pending, held, processing, stopped
    all,    // also the finished ones CUPS still remembers (PreserveJobHistory)
};

class Printer {
public:
    virtual ~Printer() = default;

    // Where the print server is, as the operator would write it ("127.0.0.1:631" or a
    // socket path), for messages.
    virtual std::string server() const = 0;

    virtual Result<std::vector<Destination>> destinations() = 0;
    virtual Result<PrinterStatus> status(const std::string& queue) = 0;
    // The queue's paper, as IPP media keywords (media-supported), in the queue's order.
    virtual Result<std::vector<std::string>> supported_media(const std::string& queue) = 0;

    // Sends the document as one job (IPP Print-Job). On a server_unreachable error the
    // outcome is unknown: the job may or may not exist; look for it by name.
    virtual Result<JobInfo> submit(const SubmitRequest& request) = 0;

    // The job with this id, whatever its queue. Ids are reused after a cupsd crash:
    // compare the name before trusting it.
    virtual Result<JobInfo> job(int job_id) = 0;
    virtual Result<std::vector<JobInfo>> jobs(const std::string& queue, WhichJobs which) = 0;
    // Every job of the queue named `job_name`, finished ones included, oldest first.
    virtual Result<std::vector<JobInfo>> find_jobs(const std::string& queue,
                                                   const std::string& job_name) = 0;

    // Starts a stopped queue (IPP Resume-Printer, as cupsenable does) and makes it accept
    // jobs again (CUPS-Accept-Jobs, as cupsaccept does).
    virtual Result<void> resume(const std::string& queue) = 0;
    // Restarts a stopped queue only (Resume-Printer), leaving "accepting" as it is.
    virtual Result<void> enable(const std::string& queue) = 0;
    virtual Result<void> release_job(int job_id) = 0;
    // Releases every held job of the queue; returns how many.
    virtual Result<int> release_held_jobs(const std::string& queue) = 0;
    virtual Result<void> cancel_job(int job_id) = 0;
};

} // namespace encore::drivers::printer
