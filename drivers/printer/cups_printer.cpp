#include "drivers/printer/cups_printer.hpp"

#include "platform/log/logger.hpp"

#include <cups/cups.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <map>
#include <poll.h>

namespace encore::drivers::printer {
namespace {

struct IppDelete {
    void operator()(ipp_t* ipp) const noexcept { ippDelete(ipp); }
};
using Ipp = std::unique_ptr<ipp_t, IppDelete>;

struct HttpClose {
    void operator()(http_t* http) const noexcept { httpClose(http); }
};
using Http = std::unique_ptr<http_t, HttpClose>;

// printer-type bit CUPS sets on the server's default destination.
constexpr int cups_printer_default_bit = 0x20000;

constexpr const char* printer_attributes[] = {
    "printer-name",
    "printer-state",
    "printer-state-reasons",
    "printer-state-message",
    "printer-is-accepting-jobs",
    "queued-job-count",
    "printer-info",
    "printer-make-and-model",
    "printer-type",
};

constexpr const char* job_attributes[] = {
    "job-id",
    "job-name",
    "job-state",
    "job-state-reasons",
    "job-printer-uri",
    "job-printer-state-message",
    "time-at-creation",
    "time-at-processing",
    "time-at-completed",
};

struct ServerAddress {
    std::string host;
    int port = 631;
    std::string display;
};

ServerAddress resolve_server(const std::string& configured) {
    ServerAddress address;
    if (configured.empty()) {
        // libcups parses CUPS_SERVER / cupsSetServer's "host:port" into these two.
        address.host = cupsServer();
        address.port = ippPort();
    } else {
        address.host = configured;
        address.port = 631;
        const auto colon = configured.rfind(':');
        if (!configured.starts_with('/') && colon != std::string::npos &&
            configured.find(']', colon) == std::string::npos && colon + 1 < configured.size() &&
            std::all_of(configured.begin() + static_cast<std::ptrdiff_t>(colon) + 1,
                        configured.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            address.host = configured.substr(0, colon);
            address.port = std::stoi(configured.substr(colon + 1));
        }
    }
    address.display = address.host.starts_with('/')
                          ? address.host
                          : address.host + ":" + std::to_string(address.port);
    return address;
}

// CUPS refuses these in queue names; refusing them here keeps them out of URIs.
bool plausible_queue_name(const std::string& queue) {
    if (queue.empty() || queue.size() > 127) {
        return false;
    }
    return std::none_of(queue.begin(), queue.end(), [](char c) {
        return c <= ' ' || c == '/' || c == '#' || c == '?' || c == '\\' || c == '\'' || c == '"' ||
               c == 0x7f;
    });
}

std::string text_of(ipp_attribute_t* attribute) {
    const char* value = attribute != nullptr ? ippGetString(attribute, 0, nullptr) : nullptr;
    return value != nullptr ? value : "";
}

std::vector<std::string> keywords_of(ipp_attribute_t* attribute) {
    std::vector<std::string> values;
    if (attribute == nullptr) {
        return values;
    }
    const int count = ippGetCount(attribute);
    for (int i = 0; i < count; ++i) {
        const char* value = ippGetString(attribute, i, nullptr);
        if (value != nullptr && std::string_view(value) != "none") {
            values.emplace_back(value);
        }
    }
    return values;
}

// An integer attribute, 0 when it is absent or out of band ("no-value").
std::int64_t integer_of(ipp_attribute_t* attribute) {
    if (attribute == nullptr) {
        return 0;
    }
    const auto tag = ippGetValueTag(attribute);
    if (tag != IPP_TAG_INTEGER && tag != IPP_TAG_ENUM) {
        return 0;
    }
    return ippGetInteger(attribute, 0);
}

JobState job_state_of(int value) {
    switch (value) {
    case IPP_JSTATE_PENDING:
        return JobState::pending;
    case IPP_JSTATE_HELD:
        return JobState::held;
    case IPP_JSTATE_PROCESSING:
        return JobState::processing;
    case IPP_JSTATE_STOPPED:
        return JobState::stopped;
    case IPP_JSTATE_CANCELED:
        return JobState::canceled;
    case IPP_JSTATE_ABORTED:
        return JobState::aborted;
    case IPP_JSTATE_COMPLETED:
        return JobState::completed;
    default:
        return JobState::pending;
    }
}

PrinterState printer_state_of(int value) {
    switch (value) {
    case IPP_PSTATE_PROCESSING:
        return PrinterState::processing;
    case IPP_PSTATE_STOPPED:
        return PrinterState::stopped;
    default:
        return PrinterState::idle;
    }
}

// "ipp://localhost:631/printers/booth" -> "booth"
std::string queue_of_uri(const std::string& uri) {
    const auto slash = uri.rfind('/');
    return slash == std::string::npos ? uri : uri.substr(slash + 1);
}

// Calls `visit` with each group of attributes of `tag` in the response (one per job or
// printer); groups are separated by IPP's zero tag.
template <typename Visit>
void for_each_group(ipp_t* response, ipp_tag_t tag, Visit visit) {
    ipp_attribute_t* attribute = ippFirstAttribute(response);
    while (attribute != nullptr) {
        while (attribute != nullptr && ippGetGroupTag(attribute) != tag) {
            attribute = ippNextAttribute(response);
        }
        if (attribute == nullptr) {
            break;
        }
        std::map<std::string, ipp_attribute_t*, std::less<>> group;
        while (attribute != nullptr && ippGetGroupTag(attribute) == tag) {
            if (const char* name = ippGetName(attribute); name != nullptr) {
                group.emplace(name, attribute);
            }
            attribute = ippNextAttribute(response);
        }
        visit(group);
    }
}

template <typename Group>
ipp_attribute_t* find_in(const Group& group, std::string_view name) {
    const auto found = group.find(name);
    return found != group.end() ? found->second : nullptr;
}

template <typename Group>
JobInfo job_of(const Group& group) {
    JobInfo job;
    job.id = static_cast<int>(integer_of(find_in(group, "job-id")));
    job.name = text_of(find_in(group, "job-name"));
    job.queue = queue_of_uri(text_of(find_in(group, "job-printer-uri")));
    job.state = job_state_of(static_cast<int>(integer_of(find_in(group, "job-state"))));
    job.reasons = keywords_of(find_in(group, "job-state-reasons"));
    job.printer_message = text_of(find_in(group, "job-printer-state-message"));
    job.created_at = integer_of(find_in(group, "time-at-creation"));
    job.processing_at = integer_of(find_in(group, "time-at-processing"));
    job.completed_at = integer_of(find_in(group, "time-at-completed"));
    return job;
}

void add_requested(ipp_t* request, std::span<const char* const> names) {
    ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                  static_cast<int>(names.size()), nullptr, names.data());
}

// What a client-error-not-found answer means for the call that got it.
enum class Subject { queue, job, server };

enum class Retry { once, never };

class CupsPrinter final : public Printer {
public:
    explicit CupsPrinter(const CupsOptions& options)
        : address_(resolve_server(options.server))
        , timeout_(options.timeout)
        , user_(options.user.empty() ? std::string(cupsUser()) : options.user) {}

    std::string server() const override { return address_.display; }

    Result<std::vector<Destination>> destinations() override {
        auto response = exchange(
            [&] {
                ipp_t* request = ippNewRequest(IPP_OP_CUPS_GET_PRINTERS);
                add_user(request);
                add_requested(request, printer_attributes);
                return request;
            },
            "/", Subject::server, "", Retry::once);
        if (!response) {
            // No printers at all is "not found" to CUPS: an empty list to us.
            if (response.error().code == make_error_code(Errc::no_such_queue)) {
                return std::vector<Destination>{};
            }
            return response.error();
        }
        std::vector<Destination> found;
        for_each_group(response->get(), IPP_TAG_PRINTER, [&](const auto& group) {
            Destination destination;
            destination.name = text_of(find_in(group, "printer-name"));
            destination.info = text_of(find_in(group, "printer-info"));
            destination.make_and_model = text_of(find_in(group, "printer-make-and-model"));
            destination.state =
                printer_state_of(static_cast<int>(integer_of(find_in(group, "printer-state"))));
            if (auto* accepting = find_in(group, "printer-is-accepting-jobs")) {
                destination.accepting = ippGetBoolean(accepting, 0) != 0;
            }
            destination.is_default =
                (integer_of(find_in(group, "printer-type")) & cups_printer_default_bit) != 0;
            if (!destination.name.empty()) {
                found.push_back(std::move(destination));
            }
        });
        return found;
    }

    Result<PrinterStatus> status(const std::string& queue) override {
        if (auto checked = check_queue(queue); !checked) {
            return checked.error();
        }
        auto response = exchange(
            [&] {
                ipp_t* request = new_printer_request(IPP_OP_GET_PRINTER_ATTRIBUTES, queue);
                add_requested(request, printer_attributes);
                return request;
            },
            "/", Subject::queue, queue, Retry::once);
        if (!response) {
            return response.error();
        }
        ipp_t* answer = response->get();
        PrinterStatus status;
        status.queue = queue;
        status.state = printer_state_of(
            static_cast<int>(integer_of(ippFindAttribute(answer, "printer-state", IPP_TAG_ENUM))));
        status.reasons =
            keywords_of(ippFindAttribute(answer, "printer-state-reasons", IPP_TAG_KEYWORD));
        status.message = text_of(ippFindAttribute(answer, "printer-state-message", IPP_TAG_TEXT));
        if (auto* accepting =
                ippFindAttribute(answer, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN)) {
            status.accepting = ippGetBoolean(accepting, 0) != 0;
        }
        status.queued_jobs = static_cast<int>(
            integer_of(ippFindAttribute(answer, "queued-job-count", IPP_TAG_INTEGER)));
        status.info = text_of(ippFindAttribute(answer, "printer-info", IPP_TAG_TEXT));
        status.make_and_model =
            text_of(ippFindAttribute(answer, "printer-make-and-model", IPP_TAG_TEXT));
        return status;
    }

    Result<std::vector<std::string>> supported_media(const std::string& queue) override {
        auto media = media_of(queue, Refresh::yes);
        if (!media) {
            return media.error();
        }
        return media->supported;
    }

    Result<JobInfo> submit(const SubmitRequest& submit) override {
        if (auto checked = check_queue(submit.queue); !checked) {
            return checked.error();
        }
        if (submit.job_name.empty() || submit.job_name.size() > 255) {
            return make_error(Errc::invalid_argument,
                              "a print job needs a name of 1 to 255 characters");
        }
        if (submit.options.copies < 1 || submit.options.copies > 999) {
            return make_error(Errc::invalid_argument, "copies must be between 1 and 999, not " +
                                                          std::to_string(submit.options.copies));
        }
        const auto format = sniff_document(submit.document);
        if (!format) {
            return format.error();
        }
        std::optional<std::string> media;
        if (submit.options.media || submit.options.borderless) {
            auto chosen = choose_queue_media(submit.queue, submit.options);
            if (!chosen) {
                return chosen.error();
            }
            media = std::move(*chosen);
        }
        const std::string resource = "/printers/" + submit.queue;
        const std::string document = submit.document.string();
        auto response = exchange(
            [&] {
                ipp_t* request = new_printer_request(IPP_OP_PRINT_JOB, submit.queue);
                ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", nullptr,
                             submit.job_name.c_str());
                ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format",
                             nullptr, std::string(to_string(*format)).c_str());
                ippAddInteger(request, IPP_TAG_JOB, IPP_TAG_INTEGER, "copies",
                              submit.options.copies);
                if (media) {
                    ippAddString(request, IPP_TAG_JOB, IPP_TAG_KEYWORD, "media", nullptr,
                                 media->c_str());
                }
                if (submit.options.scaling != Scaling::automatic) {
                    ippAddString(request, IPP_TAG_JOB, IPP_TAG_KEYWORD, "print-scaling", nullptr,
                                 std::string(to_string(submit.options.scaling)).c_str());
                }
                return request;
            },
            resource.c_str(), Subject::queue, submit.queue, Retry::never, document.c_str());
        if (!response) {
            return response.error();
        }
        JobInfo job;
        job.id = static_cast<int>(
            integer_of(ippFindAttribute(response->get(), "job-id", IPP_TAG_INTEGER)));
        job.name = submit.job_name;
        job.queue = submit.queue;
        job.state = job_state_of(static_cast<int>(
            integer_of(ippFindAttribute(response->get(), "job-state", IPP_TAG_ENUM))));
        job.reasons =
            keywords_of(ippFindAttribute(response->get(), "job-state-reasons", IPP_TAG_KEYWORD));
        if (job.id <= 0) {
            return make_error(Errc::request_failed, "the print server at " + address_.display +
                                                        " accepted the job but named no job id");
        }
        return job;
    }

    Result<JobInfo> job(int job_id) override {
        auto response = exchange(
            [&] {
                ipp_t* request = new_job_request(IPP_OP_GET_JOB_ATTRIBUTES, job_id);
                add_requested(request, job_attributes);
                return request;
            },
            "/", Subject::job, std::to_string(job_id), Retry::once);
        if (!response) {
            return response.error();
        }
        std::optional<JobInfo> found;
        for_each_group(response->get(), IPP_TAG_JOB,
                       [&](const auto& group) { found = job_of(group); });
        if (!found) {
            return make_error(Errc::no_such_job, "no print job " + std::to_string(job_id) +
                                                     " on the print server at " + address_.display);
        }
        return *found;
    }

    Result<std::vector<JobInfo>> jobs(const std::string& queue, WhichJobs which) override {
        if (auto checked = check_queue(queue); !checked) {
            return checked.error();
        }
        auto response = exchange(
            [&] {
                ipp_t* request = new_printer_request(IPP_OP_GET_JOBS, queue);
                ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", nullptr,
                             which == WhichJobs::all ? "all" : "not-completed");
                add_requested(request, job_attributes);
                return request;
            },
            "/", Subject::queue, queue, Retry::once);
        if (!response) {
            return response.error();
        }
        std::vector<JobInfo> found;
        for_each_group(response->get(), IPP_TAG_JOB,
                       [&](const auto& group) { found.push_back(job_of(group)); });
        for (auto& job : found) {
            if (job.queue.empty()) {
                job.queue = queue;
            }
        }
        return found;
    }

    Result<std::vector<JobInfo>> find_jobs(const std::string& queue,
                                           const std::string& job_name) override {
        auto all = jobs(queue, WhichJobs::all);
        if (!all) {
            return all.error();
        }
        std::vector<JobInfo> named;
        std::copy_if(all->begin(), all->end(), std::back_inserter(named),
                     [&](const JobInfo& job) { return job.name == job_name; });
        std::sort(named.begin(), named.end(), [](const JobInfo& a, const JobInfo& b) {
            return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
        });
        return named;
    }

    Result<void> resume(const std::string& queue) override {
        if (auto enabled = enable(queue); !enabled) {
            return enabled;
        }
        return printer_operation(IPP_OP_CUPS_ACCEPT_JOBS, queue);
    }

    Result<void> enable(const std::string& queue) override {
        return printer_operation(IPP_OP_RESUME_PRINTER, queue);
    }

    Result<void> release_job(int job_id) override {
        return job_operation(IPP_OP_RELEASE_JOB, job_id);
    }

    Result<int> release_held_jobs(const std::string& queue) override {
        auto active = jobs(queue, WhichJobs::active);
        if (!active) {
            return active.error();
        }
        int released = 0;
        for (const auto& job : *active) {
            if (job.state != JobState::held) {
                continue;
            }
            if (auto result = release_job(job.id); !result) {
                return result.error();
            }
            ++released;
        }
        return released;
    }

    Result<void> cancel_job(int job_id) override {
        return job_operation(IPP_OP_CANCEL_JOB, job_id);
    }

private:
    enum class Refresh { no, yes };
    struct MediaInfo {
        std::vector<std::string> supported;
        std::string default_media;
    };

    Result<void> check_queue(const std::string& queue) const {
        if (!plausible_queue_name(queue)) {
            return no_such_queue(queue);
        }
        return {};
    }

    Error no_such_queue(const std::string& queue) const {
        return make_error(Errc::no_such_queue,
                          "no such print queue '" + queue +
                              "': check the printer name with `encore printer status`");
    }

    Error unreachable() const {
        return make_error(Errc::server_unreachable, "print server unreachable at " +
                                                        address_.display + ": is cupsd running?");
    }

    void add_user(ipp_t* request) const {
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nullptr,
                     user_.c_str());
    }

    ipp_t* new_printer_request(ipp_op_t operation, const std::string& queue) const {
        char uri[HTTP_MAX_URI];
        httpAssembleURIf(HTTP_URI_CODING_ALL, uri, sizeof uri, "ipp", nullptr, "localhost",
                         address_.port, "/printers/%s", queue.c_str());
        ipp_t* request = ippNewRequest(operation);
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, uri);
        add_user(request);
        return request;
    }

    ipp_t* new_job_request(ipp_op_t operation, int job_id) const {
        char uri[HTTP_MAX_URI];
        httpAssembleURIf(HTTP_URI_CODING_ALL, uri, sizeof uri, "ipp", nullptr, "localhost",
                         address_.port, "/jobs/%d", job_id);
        ipp_t* request = ippNewRequest(operation);
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "job-uri", nullptr, uri);
        add_user(request);
        return request;
    }

    Result<void> printer_operation(ipp_op_t operation, const std::string& queue) {
        if (auto checked = check_queue(queue); !checked) {
            return checked;
        }
        auto response = exchange([&] { return new_printer_request(operation, queue); }, "/admin/",
                                 Subject::queue, queue, Retry::once);
        if (!response) {
            return response.error();
        }
        return {};
    }

    Result<void> job_operation(ipp_op_t operation, int job_id) {
        auto response = exchange([&] { return new_job_request(operation, job_id); }, "/jobs/",
                                 Subject::job, std::to_string(job_id), Retry::once);
        if (!response) {
            return response.error();
        }
        return {};
    }

    Result<MediaInfo> media_of(const std::string& queue, Refresh refresh) {
        if (refresh == Refresh::no) {
            if (const auto cached = media_cache_.find(queue); cached != media_cache_.end()) {
                return cached->second;
            }
        }
        if (auto checked = check_queue(queue); !checked) {
            return checked.error();
        }
        auto response = exchange(
            [&] {
                ipp_t* request = new_printer_request(IPP_OP_GET_PRINTER_ATTRIBUTES, queue);
                static constexpr const char* wanted[] = {"media-supported", "media-default"};
                add_requested(request, wanted);
                return request;
            },
            "/", Subject::queue, queue, Retry::once);
        if (!response) {
            return response.error();
        }
        MediaInfo media;
        media.supported =
            keywords_of(ippFindAttribute(response->get(), "media-supported", IPP_TAG_ZERO));
        media.default_media =
            text_of(ippFindAttribute(response->get(), "media-default", IPP_TAG_ZERO));
        media_cache_[queue] = media;
        return media;
    }

    Result<std::string> choose_queue_media(const std::string& queue, const PrintOptions& options) {
        // A queue's paper rarely changes: ask once, and again only when the cached list has
        // no match (the queue may have been set up anew).
        for (const auto refresh : {Refresh::no, Refresh::yes}) {
            auto media = media_of(queue, refresh);
            if (!media) {
                return media.error();
            }
            auto size = options.media;
            if (!size) {
                size = media_size_of(media->default_media);
            }
            if (size) {
                if (auto chosen = choose_media(media->supported, *size, options.borderless)) {
                    return *chosen;
                }
            }
            if (refresh == Refresh::yes) {
                return no_such_media(queue, options, size, media->supported);
            }
        }
        return make_error(Errc::unsupported_media, "no paper chosen");
    }

    static Error no_such_media(const std::string& queue, const PrintOptions& options,
                               std::optional<MediaSize> size,
                               const std::vector<std::string>& supported) {
        std::vector<std::string> offered;
        for (const auto& keyword : supported) {
            const auto known = media_size_of(keyword);
            if (!known) {
                continue;
            }
            std::string name(to_string(*known));
            if (is_borderless_media(keyword)) {
                name += " borderless";
            }
            if (std::find(offered.begin(), offered.end(), name) == offered.end()) {
                offered.push_back(name);
            }
        }
        std::string wanted = size ? std::string(to_string(*size)) : "its default";
        if (options.borderless) {
            wanted += " borderless";
        }
        std::string list;
        for (const auto& name : offered) {
            list += (list.empty() ? "" : ", ") + name;
        }
        return make_error(Errc::unsupported_media,
                          "printer '" + queue + "' has no " + wanted + " paper: it offers " +
                              (list.empty() ? std::string("no size Encore knows") : list));
    }

    // An open connection to cupsd, made anew when there is none or the old one was closed
    // by the server (a keep-alive connection that became readable while idle has been
    // closed, e.g. by a restarted cupsd).
    http_t* connection() {
        if (http_) {
            const int fd = httpGetFd(http_.get());
            pollfd descriptor{fd, POLLIN, 0};
            if (fd < 0 || ::poll(&descriptor, 1, 0) != 0) {
                http_.reset();
            }
        }
        if (!http_) {
            // Never ask for a password on a terminal: the booth has none.
            cupsSetPasswordCB2([](const char*, http_t*, const char*, const char*,
                                  void*) { return static_cast<const char*>(nullptr); },
                               nullptr);
            int cancel = 0;
            http_.reset(httpConnect2(address_.host.c_str(), address_.port, nullptr, AF_UNSPEC,
                                     HTTP_ENCRYPTION_IF_REQUESTED, 1,
                                     static_cast<int>(timeout_.count()), &cancel));
            if (http_) {
                httpSetTimeout(
                    http_.get(), static_cast<double>(timeout_.count()) / 1000.0,
                    [](http_t*, void*) { return 0; }, nullptr);
            }
        }
        return http_.get();
    }

    Error error_for(ipp_status_t status, Subject subject, const std::string& what) const {
        const std::string cups_says = cupsLastErrorString() != nullptr ? cupsLastErrorString() : "";
        switch (status) {
        case IPP_STATUS_ERROR_NOT_FOUND:
            if (subject == Subject::queue) {
                return no_such_queue(what);
            }
            if (subject == Subject::job) {
                return make_error(Errc::no_such_job, "no print job " + what +
                                                         " on the print server at " +
                                                         address_.display);
            }
            return make_error(Errc::no_such_queue,
                              "the print server at " + address_.display + " has no printers");
        case IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS:
            return make_error(Errc::queue_not_accepting,
                              "printer '" + what +
                                  "' is not accepting jobs: run `encore printer "
                                  "resume " +
                                  what + "`");
        case IPP_STATUS_ERROR_FORBIDDEN:
        case IPP_STATUS_ERROR_NOT_AUTHENTICATED:
        case IPP_STATUS_ERROR_NOT_AUTHORIZED:
            return make_error(Errc::not_authorized, "the print server at " + address_.display +
                                                        " refused user '" + user_ + "' (" +
                                                        cups_says +
                                                        "): add the user to the lpadmin group");
        case IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED:
            return make_error(Errc::unsupported_format, "printer '" + what +
                                                            "' cannot print this kind of file (" +
                                                            cups_says + ")");
        case IPP_STATUS_ERROR_SERVICE_UNAVAILABLE:
            return unreachable();
        default:
            return make_error(Errc::request_failed, "the print server at " + address_.display +
                                                        " refused the request: " + cups_says);
        }
    }

    // Sends the request `build` makes and returns the answer. A request that fails
    // because the connection broke is sent once more on a new connection when `retry`
    // allows it (queries and idempotent operations, never Print-Job).
    Result<Ipp> exchange(const std::function<ipp_t*()>& build, const char* resource,
                         Subject subject, const std::string& what, Retry retry,
                         const char* file = nullptr) {
        for (int attempt = 0;; ++attempt) {
            http_t* http = connection();
            if (http == nullptr) {
                return unreachable();
            }
            ipp_t* request = build();
            // Both calls take over the request and free it.
            Ipp response(file != nullptr ? cupsDoFileRequest(http, request, resource, file)
                                         : cupsDoRequest(http, request, resource));
            const ipp_status_t status = cupsLastError();
            if (response == nullptr) {
                // No answer at all: the connection failed or timed out.
                logger_.debug("no answer from ", address_.display, " (", cupsLastErrorString(),
                              ")");
                http_.reset();
                if (retry == Retry::once && attempt == 0) {
                    continue;
                }
                if (status == IPP_STATUS_ERROR_NOT_FOUND || status == IPP_STATUS_ERROR_FORBIDDEN ||
                    status == IPP_STATUS_ERROR_NOT_AUTHORIZED ||
                    status == IPP_STATUS_ERROR_NOT_AUTHENTICATED) {
                    return error_for(status, subject, what);
                }
                return unreachable();
            }
            if (status > IPP_STATUS_OK_EVENTS_COMPLETE) {
                return error_for(status, subject, what);
            }
            return response;
        }
    }

    ServerAddress address_;
    std::chrono::milliseconds timeout_;
    std::string user_;
    Http http_;
    std::map<std::string, MediaInfo> media_cache_;
    platform::Logger logger_{"printer"};
};

} // namespace

std::unique_ptr<Printer> make_cups_printer(const CupsOptions& options) {
    return std::make_unique<CupsPrinter>(options);
}

} // namespace encore::drivers::printer
