#include "hub/desk/desk_records.hpp"

#include "platform/runtime/program.hpp"
#include "platform/sqlite/database.hpp"

#include <array>

namespace encore::hub::desk {

namespace sqlite = platform::sqlite;

namespace {

constexpr std::array<sqlite::Migration, 1> migrations = {{
    {1, "print problems and reprints", R"sql(
        CREATE TABLE print_problems (
            print_id    TEXT PRIMARY KEY,
            message     TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        );
        CREATE TABLE reprints (
            reorder_id   TEXT NOT NULL,
            item         INTEGER NOT NULL,
            number       INTEGER NOT NULL,
            copies       INTEGER NOT NULL,
            requested_at TEXT NOT NULL,
            PRIMARY KEY (reorder_id, item, number)
        );
    )sql"},
}};

} // namespace

struct DeskRecords::Database {
    sqlite::Database db;
};

DeskRecords::DeskRecords(const std::filesystem::path& file)
    : db_(std::make_unique<Database>(Database{sqlite::Database::open(file)})) {
    sqlite::apply_migrations(db_->db, migrations);
}

DeskRecords::~DeskRecords() = default;

void DeskRecords::record_problem(const std::string& print_id, const std::string& message) {
    db_->db.execute("INSERT INTO print_problems (print_id, message, recorded_at) "
                    "VALUES (?1, ?2, ?3) ON CONFLICT (print_id) DO UPDATE SET "
                    "message = excluded.message, recorded_at = excluded.recorded_at",
                    print_id, message, platform::utc_text(std::chrono::system_clock::now()));
}

void DeskRecords::clear_problem(const std::string& print_id) {
    db_->db.execute("DELETE FROM print_problems WHERE print_id = ?1", print_id);
}

std::map<std::string, std::string> DeskRecords::problems() {
    std::map<std::string, std::string> problems;
    auto rows = db_->db.prepare("SELECT print_id, message FROM print_problems");
    while (rows.step()) {
        problems.emplace(rows.text(0), rows.text(1));
    }
    return problems;
}

Reprint DeskRecords::add_reprint(const std::string& reorder_id, int item, int copies) {
    sqlite::Transaction transaction(db_->db);
    auto last = db_->db.prepare(
        "SELECT COALESCE(MAX(number), 0) FROM reprints WHERE reorder_id = ?1 AND item = ?2");
    last.bind_all(reorder_id, item);
    last.step();
    Reprint reprint{reorder_id, item, static_cast<int>(last.int64(0)) + 1, copies};
    db_->db.execute("INSERT INTO reprints (reorder_id, item, number, copies, requested_at) "
                    "VALUES (?1, ?2, ?3, ?4, ?5)",
                    reorder_id, item, reprint.number, copies,
                    platform::utc_text(std::chrono::system_clock::now()));
    transaction.commit();
    return reprint;
}

std::vector<Reprint> DeskRecords::reprints(const std::string& reorder_id) {
    std::vector<Reprint> reprints;
    auto rows = db_->db.prepare("SELECT item, number, copies FROM reprints WHERE reorder_id = ?1 "
                                "ORDER BY rowid");
    rows.bind_all(reorder_id);
    while (rows.step()) {
        reprints.push_back({reorder_id, static_cast<int>(rows.int64(0)),
                            static_cast<int>(rows.int64(1)), static_cast<int>(rows.int64(2))});
    }
    return reprints;
}

} // namespace encore::hub::desk
