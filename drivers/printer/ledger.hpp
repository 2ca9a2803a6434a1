#pragma once

#include "drivers/printer/error.hpp"
#include "drivers/printer/media.hpp"
#include "drivers/printer/printer.hpp"
#include "drivers/printer/reconcile.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace encore::platform::sqlite {
class Database;
}

// The print ledger: one row per physical print (an order's copy), written and committed
// before the print is sent to CUPS, so that after any crash Encore knows every print it
// meant to make and can ask CUPS about each by its job name.
namespace encore::drivers::printer {

// What to print: `copies` prints of one document, each its own CUPS job.
struct PrintOrder {
    // Letters, digits, '-' and '_', at most 64: it becomes part of the job names.
    std::string order_id;
    int copies = 1;
    std::string queue;
    std::filesystem::path document;
    std::optional<MediaSize> media; // nullopt: the queue's default paper
    bool borderless = false;
    Scaling scaling = Scaling::automatic;
};

// Checks the order id, copies (1..99) and queue name; the document is checked when sent.
Result<void> validate(const PrintOrder& order);

// "encore.<order id>.copy<N>": unique per physical print, and the same every time for the
// same order and copy, so a double submit finds the print that is already there.
std::string job_name_for(const std::string& order_id, int copy);

struct LedgerEntry {
    std::int64_t id = 0;
    std::string order_id;
    int copy = 1;
    std::string job_name;
    std::string queue;
    std::filesystem::path document;
    std::optional<MediaSize> media;
    bool borderless = false;
    Scaling scaling = Scaling::automatic;
    LedgerState state = LedgerState::recorded;
    // The CUPS job that stands for this print, as last seen. Only a hint: the job is
    // always found again by name.
    std::optional<int> cups_job_id;
    // How many times CUPS accepted this print (1 normally; 2 after a resend).
    int sends = 0;
    // The last thing worth telling the operator about this print.
    std::string message;
    std::int64_t created_ms = 0; // Unix time, milliseconds
    std::int64_t updated_ms = 0;

    // What one CUPS job of this print is asked to do.
    SubmitRequest submit_request() const;
};

class PrintLedger {
public:
    // Opens (creating if needed) the ledger database and brings its schema up to date.
    // Throws platform::sqlite::Error when it cannot: a start-up failure.
    static PrintLedger open(const std::filesystem::path& file);

    PrintLedger(PrintLedger&&) noexcept;
    PrintLedger& operator=(PrintLedger&&) noexcept;
    ~PrintLedger();

    struct Recorded {
        std::vector<LedgerEntry> entries; // every copy of the order, old and new
        std::vector<std::int64_t> added;  // ids of the rows this call wrote
    };
    // Writes a row for each copy 1..order.copies that has none yet, all in one committed
    // transaction (synchronous=FULL: on disk when this returns). Copies already recorded
    // are left as they are, whatever their state: submitting an order twice never makes
    // a print twice. Errors are ledger_failed values.
    Result<Recorded> record(const PrintOrder& order);

    // Stores state, cups_job_id, sends and message of the entry (by id) and stamps
    // updated_ms.
    Result<void> update(LedgerEntry& entry);

    Result<std::vector<LedgerEntry>> unfinished();
    // Finished entries updated at or after `since_ms`.
    Result<std::vector<LedgerEntry>> finished_since(std::int64_t since_ms);
    Result<std::vector<LedgerEntry>> order(const std::string& order_id);
    Result<std::optional<LedgerEntry>> find(const std::string& job_name);
    Result<std::optional<LedgerEntry>> get(std::int64_t id);

private:
    explicit PrintLedger(std::unique_ptr<platform::sqlite::Database> db);
    std::unique_ptr<platform::sqlite::Database> db_;
};

std::int64_t unix_millis();

} // namespace encore::drivers::printer
