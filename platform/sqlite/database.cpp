#include "platform/sqlite/database.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <utility>

namespace encore::platform::sqlite {
namespace {

[[noreturn]] void fail(sqlite3* db, int code, std::string_view what) {
    std::string message(what);
    message += ": ";
    message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
    throw Error(code, message);
}

void check(sqlite3* db, int code, std::string_view what) {
    if (code != SQLITE_OK) {
        fail(db, code, what);
    }
}

} // namespace

Error::Error(int code, const std::string& message)
    : std::runtime_error(message)
    , code_(code) {}

bool Error::disk_full() const {
    return (code_ & 0xff) == SQLITE_FULL;
}
bool Error::busy() const {
    return (code_ & 0xff) == SQLITE_BUSY || (code_ & 0xff) == SQLITE_LOCKED;
}

Statement::Statement(sqlite3* db, sqlite3_stmt* statement)
    : db_(db)
    , statement_(statement) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_)
    , statement_(std::exchange(other.statement_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(statement_);
        db_ = other.db_;
        statement_ = std::exchange(other.statement_, nullptr);
    }
    return *this;
}

Statement::~Statement() {
    sqlite3_finalize(statement_);
}

Statement& Statement::bind(int index, std::int64_t value) {
    check(db_, sqlite3_bind_int64(statement_, index, value), "bind");
    return *this;
}

Statement& Statement::bind(int index, double value) {
    check(db_, sqlite3_bind_double(statement_, index, value), "bind");
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    check(db_,
          sqlite3_bind_text64(statement_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                              SQLITE_UTF8),
          "bind");
    return *this;
}

Statement& Statement::bind(int index, std::span<const std::byte> blob) {
    // A zero-length blob must still be a blob, not NULL, so give SQLite a valid pointer.
    static const std::byte empty{};
    const void* data = blob.empty() ? &empty : blob.data();
    check(db_, sqlite3_bind_blob64(statement_, index, data, blob.size(), SQLITE_TRANSIENT), "bind");
    return *this;
}

Statement& Statement::bind(int index, std::nullptr_t) {
    check(db_, sqlite3_bind_null(statement_, index), "bind");
    return *this;
}

bool Statement::step() {
    const int code = sqlite3_step(statement_);
    if (code == SQLITE_ROW) {
        return true;
    }
    if (code == SQLITE_DONE) {
        return false;
    }
    fail(db_, code, sqlite3_sql(statement_));
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
}

bool Statement::is_null(int column) const {
    return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::int64_t Statement::int64(int column) const {
    return sqlite3_column_int64(statement_, column);
}

double Statement::real(int column) const {
    return sqlite3_column_double(statement_, column);
}

std::string Statement::text(int column) const {
    const auto* data = sqlite3_column_text(statement_, column);
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_, column));
    return data != nullptr ? std::string(reinterpret_cast<const char*>(data), size) : std::string();
}

std::vector<std::byte> Statement::blob(int column) const {
    const auto* data = static_cast<const std::byte*>(sqlite3_column_blob(statement_, column));
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_, column));
    return data != nullptr ? std::vector<std::byte>(data, data + size) : std::vector<std::byte>();
}

std::optional<std::string> Statement::optional_text(int column) const {
    return is_null(column) ? std::nullopt : std::optional<std::string>(text(column));
}

std::optional<std::int64_t> Statement::optional_int64(int column) const {
    return is_null(column) ? std::nullopt : std::optional<std::int64_t>(int64(column));
}

Database::Database(sqlite3* db)
    : db_(db) {}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)) {}

Database& Database::operator=(Database&& other) noexcept {
    if (this != &other) {
        sqlite3_close_v2(db_);
        db_ = std::exchange(other.db_, nullptr);
    }
    return *this;
}

Database::~Database() {
    sqlite3_close_v2(db_);
}

std::uint64_t Database::own_changes() const {
    return static_cast<std::uint64_t>(sqlite3_total_changes64(db_));
}

Database Database::open(const std::filesystem::path& path, const OpenOptions& options) {
    sqlite3* raw = nullptr;
    const int flags =
        (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
        SQLITE_OPEN_NOMUTEX;
    const int code = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    Database db(raw);
    if (code != SQLITE_OK) {
        fail(raw, code, "cannot open database " + path.string());
    }
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, options.busy_timeout_ms);
    if (!options.read_only) {
        db.prepare("PRAGMA journal_mode=WAL").run();
    }
    db.execute_script(options.durability == Durability::full ? "PRAGMA synchronous=FULL"
                                                             : "PRAGMA synchronous=NORMAL");
    db.execute_script("PRAGMA foreign_keys=ON");
    return db;
}

Statement Database::prepare(std::string_view sql) {
    sqlite3_stmt* statement = nullptr;
    const int code =
        sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &statement, nullptr);
    if (code != SQLITE_OK) {
        fail(db_, code, "prepare");
    }
    return Statement(db_, statement);
}

void Database::execute_script(std::string_view sql) {
    const char* cursor = sql.data();
    const char* end = sql.data() + sql.size();
    while (cursor < end) {
        sqlite3_stmt* raw = nullptr;
        const char* tail = nullptr;
        const int code =
            sqlite3_prepare_v2(db_, cursor, static_cast<int>(end - cursor), &raw, &tail);
        if (code != SQLITE_OK) {
            fail(db_, code, "prepare script");
        }
        if (raw == nullptr) {
            break; // Only whitespace or comments were left.
        }
        Statement(db_, raw).run();
        cursor = tail;
    }
}

std::int64_t Database::last_insert_rowid() const {
    return sqlite3_last_insert_rowid(db_);
}

int Database::changes() const {
    return sqlite3_changes(db_);
}

std::string Database::journal_mode() {
    auto statement = prepare("PRAGMA journal_mode");
    return statement.step() ? statement.text(0) : std::string();
}

int Database::synchronous_level() {
    auto statement = prepare("PRAGMA synchronous");
    return statement.step() ? static_cast<int>(statement.int64(0)) : -1;
}

std::string Database::integrity_check() {
    auto statement = prepare("PRAGMA integrity_check(1)");
    return statement.step() ? statement.text(0) : std::string("no answer");
}

Transaction::Transaction(Database& db)
    : db_(db) {
    db_.execute_script("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (open_) {
        // Rolling back cannot usefully fail here; SQLite rolls back on close anyway.
        sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void Transaction::commit() {
    db_.execute_script("COMMIT");
    open_ = false;
}

int schema_version(Database& db) {
    auto statement = db.prepare("PRAGMA user_version");
    return statement.step() ? static_cast<int>(statement.int64(0)) : 0;
}

int apply_migrations(Database& db, std::span<const Migration> migrations) {
    std::vector<Migration> ordered(migrations.begin(), migrations.end());
    std::sort(ordered.begin(), ordered.end(),
              [](const Migration& a, const Migration& b) { return a.version < b.version; });
    const int current = schema_version(db);
    if (!ordered.empty() && current > ordered.back().version) {
        throw Error(SQLITE_MISUSE, "database schema version " + std::to_string(current) +
                                       " is newer than this program knows (" +
                                       std::to_string(ordered.back().version) +
                                       "); run the newer Encore release or restore a backup");
    }
    int applied = 0;
    for (const auto& migration : ordered) {
        if (migration.version <= current) {
            continue;
        }
        Transaction transaction(db);
        db.execute_script(migration.sql);
        // PRAGMA takes no bound values; the version is an integer we control.
        db.execute_script("PRAGMA user_version=" + std::to_string(migration.version));
        transaction.commit();
        ++applied;
    }
    return applied;
}

} // namespace encore::platform::sqlite
