#pragma once

#include "drivers/printer/cups_printer.hpp"
#include "drivers/printer/ledger.hpp"
#include "drivers/printer/spooler.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// A private print server for one test: tests/peers/print-rig started in a temporary
// folder on a free port, stopped (and the folder removed) when the object goes away.
namespace encore::testing {

struct PrintRigOptions {
    // Also start the IPP Everywhere printer (queue "ipp"); slower, so off by default.
    bool ipp = false;
    // cupsd's DirtyCleanInterval in seconds (the rig's default is CUPS's 30).
    std::optional<int> dirty_clean_interval;
};

class PrintRig {
public:
    explicit PrintRig(PrintRigOptions options = {});
    ~PrintRig();
    PrintRig(const PrintRig&) = delete;
    PrintRig& operator=(const PrintRig&) = delete;

    // "127.0.0.1:P", as CUPS_SERVER wants it.
    const std::string& server() const { return server_; }
    // A folder for the test's own files (photos, ledgers), next to the rig's state.
    std::filesystem::path work() const { return temp_.path(); }
    std::filesystem::path state_dir() const { return temp_ / "rig"; }

    // print-rig fault DIR QUEUE FAULT (media-empty, slow=2, clear, ...).
    void fault(const std::string& queue, const std::string& fault);
    // print-rig restart-cupsd: kill -9 cupsd and start it again on the same port.
    void restart_cupsd();
    // The saved prints of a queue, one file per physical print, oldest job first.
    std::vector<std::filesystem::path> prints(const std::string& queue) const;
    // Those whose file name carries this job name.
    std::vector<std::filesystem::path> prints_of(const std::string& queue,
                                                 const std::string& job_name) const;
    std::string backend_log() const;

    // A printer driver talking to this rig.
    std::unique_ptr<drivers::printer::Printer> printer() const;

private:
    std::vector<std::string> run(std::vector<std::string> arguments) const;

    TempDir temp_;
    std::string server_;
};

// A small valid JPEG that carries `tag` in a comment segment, so each test prints
// different bytes. Returns its bytes.
std::string write_photo(const std::filesystem::path& path, const std::string& tag);
std::string read_bytes(const std::filesystem::path& path);

// Polls `done` every 20 ms until it is true or `timeout` passes.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);

// A spooler on its own event loop, against a rig, with every event kept.
class SpoolerHarness {
public:
    SpoolerHarness(const PrintRig& rig, const std::filesystem::path& ledger_file,
                   drivers::printer::SpoolerOptions options);
    ~SpoolerHarness();

    // Runs the loop until `done` is true or `timeout` passes.
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);
    // Runs the loop for a while.
    void run_for(std::chrono::milliseconds duration);

    // Submits and runs the loop until the spooler answered.
    drivers::printer::Result<std::vector<drivers::printer::LedgerEntry>>
    submit(const drivers::printer::PrintOrder& order);

    drivers::printer::LedgerEntry entry(const std::string& job_name);
    drivers::printer::LedgerState state(const std::string& job_name);

    struct TimedEvent {
        std::chrono::steady_clock::time_point at;
        drivers::printer::PrintEvent event;
    };
    const std::vector<TimedEvent>& events() const { return events_; }
    // The first printer event at or after `since` whose condition has this code.
    std::optional<std::chrono::steady_clock::time_point>
    condition_seen(drivers::printer::Errc code, std::chrono::steady_clock::time_point since) const;

    // The operator's message of the latest printer event that had a condition.
    std::string last_condition_message() const;

    drivers::printer::PrintSpooler& spooler() { return *spooler_; }
    // A printer driver of the test's own: the spooler's is busy on its worker thread, and
    // a driver is used by one thread at a time.
    drivers::printer::Printer& printer() { return *observer_; }
    drivers::printer::PrintLedger& ledger() { return ledger_; }
    boost::asio::io_context& loop() { return loop_; }

private:
    boost::asio::io_context loop_;
    std::unique_ptr<drivers::printer::Printer> printer_;
    std::unique_ptr<drivers::printer::Printer> observer_;
    drivers::printer::PrintLedger ledger_;
    std::vector<TimedEvent> events_;
    std::unique_ptr<drivers::printer::PrintSpooler> spooler_;
};

// Spooler options for tests: polling as in production, re-enabling probes quick.
drivers::printer::SpoolerOptions test_spooler_options();

drivers::printer::PrintOrder photo_order(const std::string& order_id, int copies,
                                         const std::filesystem::path& photo,
                                         const std::string& queue = "booth");

} // namespace encore::testing
