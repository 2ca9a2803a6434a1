#include "tests/integration/printer/print_rig.hpp"

#include "tests/support/child_process.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace encore::testing {
namespace {

namespace printer = drivers::printer;
using namespace std::chrono_literals;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);) {
        if (!line.empty()) {
            lines.push_back(line);
        }
    }
    return lines;
}

// An 8x8 grey baseline JPEG (141 bytes); a comment segment goes in after its SOI marker.
constexpr unsigned char base_jpeg[] = {
    0xff, 0xd8, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01,
    0x01, 0x11, 0x00, 0xff, 0xc4, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xc4, 0x00, 0x14, 0x10, 0x01, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff,
    0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00, 0x3f, 0xff, 0xd9};

} // namespace

PrintRig::PrintRig(PrintRigOptions options) {
    // cupsd's filters run as user lp and must reach the rig's spool.
    std::filesystem::permissions(temp_.path(), std::filesystem::perms(0755));
    std::vector<std::string> arguments = {"start", state_dir().string(), "--port", "0"};
    if (!options.ipp) {
        arguments.push_back("--no-ipp");
    }
    if (options.dirty_clean_interval) {
        arguments.push_back("--dirty-clean-interval");
        arguments.push_back(std::to_string(*options.dirty_clean_interval));
    }
    const auto result = run_program(ENCORE_PRINT_RIG, arguments, 60s);
    const auto lines = lines_of(result.out);
    if (result.exit_code != 0 || lines.empty() || !lines.back().starts_with("CUPS_SERVER=")) {
        throw std::runtime_error("print-rig start failed: " + result.err);
    }
    server_ = lines.back().substr(std::string("CUPS_SERVER=").size());
}

PrintRig::~PrintRig() {
    run_program(ENCORE_PRINT_RIG, {"stop", state_dir().string()}, 60s);
}

std::vector<std::string> PrintRig::run(std::vector<std::string> arguments) const {
    const auto result = run_program(ENCORE_PRINT_RIG, std::move(arguments), 60s);
    if (result.exit_code != 0) {
        throw std::runtime_error("print-rig failed: " + result.err);
    }
    return lines_of(result.out);
}

void PrintRig::fault(const std::string& queue, const std::string& fault) {
    run({"fault", state_dir().string(), queue, fault});
}

void PrintRig::restart_cupsd() {
    run({"restart-cupsd", state_dir().string()});
}

std::vector<std::filesystem::path> PrintRig::prints(const std::string& queue) const {
    std::vector<std::filesystem::path> files;
    for (const auto& line : run({"jobs", state_dir().string(), queue})) {
        files.emplace_back(line);
    }
    return files;
}

std::vector<std::filesystem::path> PrintRig::prints_of(const std::string& queue,
                                                       const std::string& job_name) const {
    auto files = prints(queue);
    std::erase_if(files, [&](const std::filesystem::path& file) {
        const auto name = file.filename().string();
        // <job-id>-<title>[.copyK-of-N][~n].<ext>
        const auto dash = name.find('-');
        const auto rest = dash == std::string::npos ? "" : name.substr(dash + 1);
        return !(rest.starts_with(job_name + ".") || rest.starts_with(job_name + "~"));
    });
    return files;
}

std::string PrintRig::backend_log() const {
    return read_bytes(state_dir() / "log" / "backend.log");
}

std::unique_ptr<printer::Printer> PrintRig::printer() const {
    printer::CupsOptions options;
    options.server = server_;
    options.timeout = 5s;
    return printer::make_cups_printer(options);
}

std::string write_photo(const std::filesystem::path& path, const std::string& tag) {
    std::string bytes(reinterpret_cast<const char*>(base_jpeg), 2);
    const auto length = tag.size() + 2;
    bytes += "\xff\xfe";
    bytes += static_cast<char>((length >> 8) & 0xff);
    bytes += static_cast<char>(length & 0xff);
    bytes += tag;
    bytes.append(reinterpret_cast<const char*>(base_jpeg) + 2, sizeof base_jpeg - 2);
    std::ofstream(path, std::ios::binary) << bytes;
    return bytes;
}

std::string read_bytes(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::stringstream bytes;
    bytes << file.rdbuf();
    return bytes.str();
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

SpoolerHarness::SpoolerHarness(const PrintRig& rig, const std::filesystem::path& ledger_file,
                               printer::SpoolerOptions options)
    : printer_(rig.printer())
    , observer_(rig.printer())
    , ledger_(printer::PrintLedger::open(ledger_file)) {
    spooler_ = std::make_unique<printer::PrintSpooler>(
        loop_.get_executor(), *printer_, ledger_, options,
        [this](const printer::PrintEvent& event) {
            events_.push_back({std::chrono::steady_clock::now(), event});
        });
}

SpoolerHarness::~SpoolerHarness() {
    spooler_.reset();
    // Let the completions the worker posted run (they do nothing now).
    loop_.restart();
    loop_.poll();
}

bool SpoolerHarness::run_until(const std::function<bool()>& done,
                               std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        loop_.restart();
        loop_.run_for(10ms);
    }
    return true;
}

void SpoolerHarness::run_for(std::chrono::milliseconds duration) {
    loop_.restart();
    loop_.run_for(duration);
}

printer::Result<std::vector<printer::LedgerEntry>>
SpoolerHarness::submit(const printer::PrintOrder& order) {
    std::optional<printer::Result<std::vector<printer::LedgerEntry>>> answer;
    spooler_->submit(order, [&](auto result) { answer = std::move(result); });
    if (!run_until([&] { return answer.has_value(); }, 15s)) {
        return printer::make_error(printer::Errc::server_unreachable, "no answer in 15 s");
    }
    return *answer;
}

printer::LedgerEntry SpoolerHarness::entry(const std::string& job_name) {
    const auto found = ledger_.find(job_name);
    if (!found || !*found) {
        throw std::runtime_error("no ledger entry " + job_name);
    }
    return **found;
}

printer::LedgerState SpoolerHarness::state(const std::string& job_name) {
    return entry(job_name).state;
}

std::optional<std::chrono::steady_clock::time_point>
SpoolerHarness::condition_seen(printer::Errc code,
                               std::chrono::steady_clock::time_point since) const {
    for (const auto& timed : events_) {
        if (timed.at >= since && timed.event.kind == printer::PrintEvent::Kind::printer_changed &&
            timed.event.condition && timed.event.condition->code == make_error_code(code)) {
            return timed.at;
        }
    }
    return std::nullopt;
}

std::string SpoolerHarness::last_condition_message() const {
    for (auto timed = events_.rbegin(); timed != events_.rend(); ++timed) {
        if (timed->event.kind == printer::PrintEvent::Kind::printer_changed &&
            timed->event.condition) {
            return timed->event.condition->message;
        }
    }
    return "";
}

printer::SpoolerOptions test_spooler_options() {
    printer::SpoolerOptions options;
    options.resume_first_probe = 500ms;
    options.resume_max_probe = 1s;
    options.retry_first = 200ms;
    options.retry_max = 1s;
    return options;
}

printer::PrintOrder photo_order(const std::string& order_id, int copies,
                                const std::filesystem::path& photo, const std::string& queue) {
    printer::PrintOrder order;
    order.order_id = order_id;
    order.copies = copies;
    order.queue = queue;
    order.document = photo;
    return order;
}

} // namespace encore::testing
