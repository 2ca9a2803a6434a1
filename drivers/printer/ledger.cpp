#include "drivers/printer/ledger.hpp"

#include "platform/sqlite/database.hpp"

#include <algorithm>
#include <array>
#include <chrono>

namespace encore::drivers::printer {
namespace {

namespace sqlite = platform::sqlite;

constexpr std::array<sqlite::Migration, 1> migrations = {{
    {1, "print ledger", R"sql(
        CREATE TABLE print_jobs (
            id          INTEGER PRIMARY KEY,
            order_id    TEXT NOT NULL,
            copy        INTEGER NOT NULL,
            job_name    TEXT NOT NULL UNIQUE,
            queue       TEXT NOT NULL,
            document    TEXT NOT NULL,
            media       TEXT,
            borderless  INTEGER NOT NULL DEFAULT 0,
            scaling     TEXT NOT NULL DEFAULT 'auto',
            state       TEXT NOT NULL,
            cups_job_id INTEGER,
            sends       INTEGER NOT NULL DEFAULT 0,
            message     TEXT NOT NULL DEFAULT '',
            created_ms  INTEGER NOT NULL,
            updated_ms  INTEGER NOT NULL,
            UNIQUE (order_id, copy)
        );
        CREATE INDEX print_jobs_unfinished ON print_jobs(id)
            WHERE state NOT IN ('completed', 'canceled', 'aborted', 'unconfirmed', 'failed');
        CREATE INDEX print_jobs_updated ON print_jobs(updated_ms);
    )sql"},
}};

constexpr const char* columns = "id, order_id, copy, job_name, queue, document, media, "
                                "borderless, scaling, state, cups_job_id, sends, message, "
                                "created_ms, updated_ms";

// The finished states, as stored, for WHERE clauses.
constexpr const char* finished_list =
    "('completed', 'canceled', 'aborted', 'unconfirmed', 'failed')";

LedgerEntry entry_of(const sqlite::Statement& row) {
    LedgerEntry entry;
    entry.id = row.int64(0);
    entry.order_id = row.text(1);
    entry.copy = static_cast<int>(row.int64(2));
    entry.job_name = row.text(3);
    entry.queue = row.text(4);
    entry.document = row.text(5);
    if (const auto media = row.optional_text(6)) {
        entry.media = parse_media_size(*media);
    }
    entry.borderless = row.int64(7) != 0;
    entry.scaling = parse_scaling(row.text(8)).value_or(Scaling::automatic);
    // An unknown state (from a newer release) is treated as "recorded": CUPS is asked.
    entry.state = parse_ledger_state(row.text(9)).value_or(LedgerState::recorded);
    if (const auto id = row.optional_int64(10)) {
        entry.cups_job_id = static_cast<int>(*id);
    }
    entry.sends = static_cast<int>(row.int64(11));
    entry.message = row.text(12);
    entry.created_ms = row.int64(13);
    entry.updated_ms = row.int64(14);
    return entry;
}

Error ledger_error(const std::exception& error) {
    return make_error(Errc::ledger_failed,
                      std::string("the print ledger failed: ") + error.what() +
                          ": check the disk (full? read-only?); nothing was sent");
}

bool valid_order_id(const std::string& id) {
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
}

} // namespace

std::int64_t unix_millis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Result<void> validate(const PrintOrder& order) {
    if (!valid_order_id(order.order_id)) {
        return make_error(Errc::invalid_argument,
                          "order id '" + order.order_id +
                              "' must be 1 to 64 letters, digits, '-' or '_'");
    }
    if (order.copies < 1 || order.copies > 99) {
        return make_error(Errc::invalid_argument,
                          "copies must be between 1 and 99, not " + std::to_string(order.copies));
    }
    if (order.queue.empty()) {
        return make_error(Errc::no_such_queue, "no print queue given: name one (see `encore "
                                               "printer status`)");
    }
    return {};
}

std::string job_name_for(const std::string& order_id, int copy) {
    return "encore." + order_id + ".copy" + std::to_string(copy);
}

SubmitRequest LedgerEntry::submit_request() const {
    SubmitRequest request;
    request.queue = queue;
    request.job_name = job_name;
    request.document = document;
    request.options.media = media;
    request.options.borderless = borderless;
    request.options.copies = 1;
    request.options.scaling = scaling;
    return request;
}

PrintLedger PrintLedger::open(const std::filesystem::path& file) {
    auto db = std::make_unique<sqlite::Database>(sqlite::Database::open(file));
    sqlite::apply_migrations(*db, migrations);
    return PrintLedger(std::move(db));
}

PrintLedger::PrintLedger(std::unique_ptr<sqlite::Database> db)
    : db_(std::move(db)) {}
PrintLedger::PrintLedger(PrintLedger&&) noexcept = default;
PrintLedger& PrintLedger::operator=(PrintLedger&&) noexcept = default;
PrintLedger::~PrintLedger() = default;

Result<PrintLedger::Recorded> PrintLedger::record(const PrintOrder& order) {
    if (auto valid = validate(order); !valid) {
        return valid.error();
    }
    try {
        Recorded recorded;
        sqlite::Transaction transaction(*db_);
        const auto now = unix_millis();
        auto insert = db_->prepare(
            "INSERT OR IGNORE INTO print_jobs (order_id, copy, job_name, queue, document, "
            "media, borderless, scaling, state, created_ms, updated_ms) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'recorded', ?9, ?9)");
        for (int copy = 1; copy <= order.copies; ++copy) {
            insert.reset();
            std::optional<std::string> media;
            if (order.media) {
                media = std::string(to_string(*order.media));
            }
            insert.bind_all(order.order_id, copy, job_name_for(order.order_id, copy), order.queue,
                            order.document.string(), media, order.borderless ? 1 : 0,
                            std::string(to_string(order.scaling)), now);
            insert.run();
            if (db_->changes() > 0) {
                recorded.added.push_back(db_->last_insert_rowid());
            }
        }
        transaction.commit();
        auto entries = this->order(order.order_id);
        if (!entries) {
            return entries.error();
        }
        recorded.entries = std::move(*entries);
        return recorded;
    } catch (const std::exception& error) {
        return ledger_error(error);
    }
}

Result<void> PrintLedger::update(LedgerEntry& entry) {
    try {
        entry.updated_ms = unix_millis();
        db_->execute("UPDATE print_jobs SET state = ?1, cups_job_id = ?2, sends = ?3, "
                     "message = ?4, updated_ms = ?5 WHERE id = ?6",
                     std::string(to_string(entry.state)), entry.cups_job_id, entry.sends,
                     entry.message, entry.updated_ms, entry.id);
        return {};
    } catch (const std::exception& error) {
        return ledger_error(error);
    }
}

namespace {

template <typename... Values>
Result<std::vector<LedgerEntry>> select(sqlite::Database& db, const std::string& where,
                                        const Values&... values) {
    try {
        auto statement = db.prepare(std::string("SELECT ") + columns + " FROM print_jobs WHERE " +
                                    where + " ORDER BY id");
        statement.bind_all(values...);
        std::vector<LedgerEntry> entries;
        while (statement.step()) {
            entries.push_back(entry_of(statement));
        }
        return entries;
    } catch (const std::exception& error) {
        return ledger_error(error);
    }
}

Result<std::optional<LedgerEntry>> first_of(Result<std::vector<LedgerEntry>> entries) {
    if (!entries) {
        return entries.error();
    }
    if (entries->empty()) {
        return std::optional<LedgerEntry>();
    }
    return std::optional<LedgerEntry>(entries->front());
}

} // namespace

Result<std::vector<LedgerEntry>> PrintLedger::unfinished() {
    return select(*db_, std::string("state NOT IN ") + finished_list);
}

Result<std::vector<LedgerEntry>> PrintLedger::finished_since(std::int64_t since_ms) {
    return select(*db_, std::string("state IN ") + finished_list + " AND updated_ms >= ?1",
                  since_ms);
}

Result<std::vector<LedgerEntry>> PrintLedger::order(const std::string& order_id) {
    return select(*db_, "order_id = ?1", order_id);
}

Result<std::optional<LedgerEntry>> PrintLedger::find(const std::string& job_name) {
    return first_of(select(*db_, "job_name = ?1", job_name));
}

Result<std::optional<LedgerEntry>> PrintLedger::get(std::int64_t id) {
    return first_of(select(*db_, "id = ?1", id));
}

} // namespace encore::drivers::printer
