#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

// A thin C++ layer over SQLite: prepared statements only (values are always bound,
// never pasted into SQL), durable settings by default, and schema migrations.
// Failures throw sqlite::Error; a repository catches them at its boundary and
// turns them into error values for the event loop.
namespace encore::platform::sqlite {

class Error : public std::runtime_error {
public:
    Error(int code, const std::string& message);
    int code() const { return code_; }
    // True for SQLITE_FULL: the disk is full.
    bool disk_full() const;
    // True for SQLITE_BUSY / SQLITE_LOCKED after the busy timeout ran out.
    bool busy() const;

private:
    int code_;
};

class Statement {
public:
    Statement(sqlite3* db, sqlite3_stmt* statement);
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    // Parameters are numbered from 1, as in SQL's ?1, ?2, ...
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    Statement& bind(int index, const std::string& text) {
        return bind(index, std::string_view(text));
    }
    Statement& bind(int index, std::span<const std::byte> blob);
    Statement& bind(int index, std::nullptr_t);
    template <typename T>
    Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind(index, nullptr);
    }

    template <typename... Values>
    Statement& bind_all(const Values&... values) {
        int index = 0;
        (bind(++index, values), ...);
        return *this;
    }

    // Advances to the next row; false once there are no more rows.
    bool step();
    // Steps until done, for statements that return no rows.
    void run();
    void reset();

    bool is_null(int column) const;
    std::int64_t int64(int column) const;
    double real(int column) const;
    std::string text(int column) const;
    std::vector<std::byte> blob(int column) const;
    std::optional<std::string> optional_text(int column) const;
    std::optional<std::int64_t> optional_int64(int column) const;

private:
    sqlite3* db_;
    sqlite3_stmt* statement_;
};

enum class Durability {
    // synchronous=FULL: a committed transaction survives power loss.
    full,
    // synchronous=NORMAL: for scratch databases that may lose their last commits.
    normal,
};

struct OpenOptions {
    Durability durability = Durability::full;
    int busy_timeout_ms = 5000;
    bool read_only = false;
};

class Database {
public:
    // Opens (creating if needed) a database in WAL mode with foreign keys on.
    static Database open(const std::filesystem::path& path, const OpenOptions& options = {});

    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    Statement prepare(std::string_view sql);

    // Prepares, binds the values in order and runs a statement that returns no rows.
    template <typename... Values>
    void execute(std::string_view sql, const Values&... values) {
        auto statement = prepare(sql);
        statement.bind_all(values...);
        statement.run();
    }

    // Runs every statement of a fixed SQL script (no values), for schema changes.
    void execute_script(std::string_view sql);

    std::int64_t last_insert_rowid() const;
    int changes() const;
    // How many rows this connection has inserted, updated or deleted since it opened: a
    // version of the content of a database that only this connection writes, for caches
    // of what was read. Costs no lock and no query (another connection's writes do not
    // move it).
    std::uint64_t own_changes() const;
    std::string journal_mode();
    int synchronous_level();
    // "ok" or SQLite's first complaint from PRAGMA integrity_check.
    std::string integrity_check();

    sqlite3* handle() const { return db_; }

private:
    explicit Database(sqlite3* db);
    sqlite3* db_;
};

// A transaction that rolls back unless commit() is called. BEGIN IMMEDIATE takes
// the write lock up front so two writers never deadlock on upgrade.
class Transaction {
public:
    explicit Transaction(Database& db);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();
    void commit();

private:
    Database& db_;
    bool open_ = true;
};

struct Migration {
    int version;
    std::string_view description;
    std::string_view sql;
};

// Applies, in version order, each migration newer than the database's
// PRAGMA user_version, each in its own transaction together with the version bump.
// Returns how many were applied; running it again applies none. Throws if the
// database is newer than the newest migration (a downgrade).
int apply_migrations(Database& db, std::span<const Migration> migrations);
int schema_version(Database& db);

} // namespace encore::platform::sqlite
