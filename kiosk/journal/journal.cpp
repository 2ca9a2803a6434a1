#include "kiosk/journal/journal.hpp"

#include "platform/crypto/random.hpp"
#include "platform/crypto/sha256.hpp"
#include "platform/files/atomic_file.hpp"
#include "platform/log/logger.hpp"
#include "platform/runtime/program.hpp"
#include "platform/sqlite/database.hpp"

#include <array>
#include <ctime>
#include <fstream>
#include <set>

namespace encore::kiosk {
namespace {

namespace sqlite = platform::sqlite;
namespace crypto = platform::crypto;

constexpr std::array<sqlite::Migration, 1> migrations = {{
    {1, "sessions, photos, orders, outbox", R"sql(
        CREATE TABLE sessions (
            id         TEXT PRIMARY KEY,
            event      TEXT NOT NULL,
            started_at TEXT NOT NULL,
            state      TEXT NOT NULL DEFAULT 'open'   -- open | finished | interrupted
        );
        CREATE TABLE photos (
            session_id TEXT NOT NULL REFERENCES sessions(id),
            position   INTEGER NOT NULL,
            sha256     TEXT NOT NULL,
            size       INTEGER NOT NULL,
            discarded  INTEGER NOT NULL DEFAULT 0,
            taken_at   TEXT NOT NULL
        );
        CREATE INDEX photos_session ON photos(session_id);
        CREATE INDEX photos_sha256 ON photos(sha256);
        CREATE TABLE orders (
            id           TEXT PRIMARY KEY,
            session_id   TEXT NOT NULL UNIQUE REFERENCES sessions(id),
            code         TEXT NOT NULL,
            token        TEXT NOT NULL,
            token_sha256 TEXT NOT NULL,
            url          TEXT NOT NULL,
            event        TEXT NOT NULL,
            created_at   TEXT NOT NULL,
            layout       TEXT NOT NULL,
            copies       INTEGER NOT NULL
        );
        CREATE TABLE outbox (
            id       INTEGER PRIMARY KEY AUTOINCREMENT,
            kind     TEXT NOT NULL,                  -- photo | order
            order_id TEXT NOT NULL REFERENCES orders(id),
            sha256   TEXT,
            sent_at  TEXT
        );
        CREATE INDEX outbox_pending ON outbox(sent_at, id);
    )sql"},
}};

std::optional<std::string> hash_file(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        return std::nullopt;
    }
    crypto::Sha256Hasher hasher;
    std::vector<char> buffer(1 << 20);
    while (file) {
        file.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const auto got = static_cast<std::size_t>(file.gcount());
        hasher.update(std::as_bytes(std::span(buffer.data(), got)));
    }
    return crypto::to_hex(hasher.finish());
}

} // namespace

struct Journal::State {
    std::filesystem::path data_dir;
    std::filesystem::path photos_dir;
    std::filesystem::path quarantine_dir;
    std::optional<sqlite::Database> db;
    RecoveryReport report;
    platform::Logger log{"journal"};

    void quarantine(const std::filesystem::path& file, const std::string& why) {
        std::filesystem::create_directories(quarantine_dir);
        const auto target =
            quarantine_dir / (file.filename().string() + "." + std::to_string(std::time(nullptr)));
        std::error_code error;
        std::filesystem::rename(file, target, error);
        report.notes.push_back(why + ": moved " + file.filename().string() + " to " +
                               target.string());
        log.warning(report.notes.back());
    }

    void open_database() {
        const auto path = data_dir / "journal.db";
        try {
            db.emplace(sqlite::Database::open(path));
            const auto integrity = db->integrity_check();
            if (integrity != "ok") {
                throw sqlite::Error(11, "integrity check failed: " + integrity);
            }
            sqlite::apply_migrations(*db, migrations);
        } catch (const sqlite::Error& error) {
            // A damaged journal must not stop the booth: set it aside for the store to
            // inspect (nothing is deleted) and start a fresh one. Photo files stay.
            db.reset();
            report.database_replaced = true;
            for (const char* suffix : {"", "-wal", "-shm"}) {
                const std::filesystem::path file = path.string() + suffix;
                if (std::filesystem::exists(file)) {
                    quarantine(file, std::string("journal unreadable (") + error.what() + ")");
                }
            }
            db.emplace(sqlite::Database::open(path));
            sqlite::apply_migrations(*db, migrations);
        }
    }

    void recover() {
        report.temp_files_removed = static_cast<int>(platform::remove_stale_temp_files(photos_dir));
        // A session still open was interrupted by a crash or power cut; its photos and
        // any order stay, the guest simply starts again.
        db->execute("UPDATE sessions SET state = 'interrupted' WHERE state = 'open'");
        report.sessions_closed = db->changes();

        std::set<std::string> named;
        auto rows = db->prepare("SELECT DISTINCT sha256, size FROM photos");
        auto pending = db->prepare("SELECT 1 FROM outbox WHERE sha256 = ?1 AND sent_at IS NULL");
        while (rows.step()) {
            const auto sha256 = rows.text(0);
            named.insert(sha256 + ".jpg");
            const auto file = photos_dir / (sha256 + ".jpg");
            std::error_code error;
            const auto size = std::filesystem::file_size(file, error);
            if (error) {
                report.notes.push_back("photo " + sha256 + " is missing from " +
                                       photos_dir.string());
                log.error(report.notes.back());
                continue;
            }
            // Photos not yet safe at the hub are checked byte for byte; the rest by size.
            pending.reset();
            pending.bind(1, sha256);
            const bool check_bytes = pending.step();
            if (size != static_cast<std::uint64_t>(rows.int64(1)) ||
                (check_bytes && hash_file(file) != sha256)) {
                quarantine(file, "photo " + sha256 + " is damaged");
                ++report.damaged_photos_quarantined;
            }
        }
        for (const auto& entry : std::filesystem::directory_iterator(photos_dir)) {
            const auto name = entry.path().filename().string();
            if (entry.is_regular_file() && !named.contains(name)) {
                // Written but never recorded: the guest was never shown it.
                quarantine(entry.path(), "photo file without a journal entry");
                ++report.orphan_files_quarantined;
            }
        }
    }
};

Journal::Journal(std::unique_ptr<State> state)
    : state_(std::move(state)) {}

Journal::~Journal() = default;

std::unique_ptr<Journal> Journal::open(const std::filesystem::path& data_dir) {
    auto state = std::make_unique<State>();
    state->data_dir = data_dir;
    state->photos_dir = data_dir / "photos";
    state->quarantine_dir = data_dir / "quarantine";
    std::filesystem::create_directories(state->photos_dir);
    state->open_database();
    state->recover();
    return std::unique_ptr<Journal>(new Journal(std::move(state)));
}

const RecoveryReport& Journal::recovery() const {
    return state_->report;
}

std::filesystem::path Journal::photo_path(const std::string& sha256) const {
    return state_->photos_dir / (sha256 + ".jpg");
}

std::string Journal::integrity_check() {
    return state_->db->integrity_check();
}

std::string Journal::begin_session(const std::string& event) {
    const auto id = crypto::random_uuid();
    state_->db->execute("INSERT INTO sessions (id, event, started_at) VALUES (?1, ?2, ?3)", id,
                        event, platform::utc_now_text());
    return id;
}

JournalPhoto Journal::add_photo(const std::string& session_id, std::span<const std::byte> jpeg) {
    const auto sha256 = crypto::to_hex(crypto::sha256(jpeg));
    const auto file = photo_path(sha256);
    if (!std::filesystem::exists(file)) {
        if (auto error = platform::write_file_atomically(file, jpeg)) {
            throw std::system_error(error, "cannot save the photo to " + file.string());
        }
    }
    auto& db = *state_->db;
    sqlite::Transaction transaction(db);
    // A photo takes the first free slot, so a retake of slot 2 lands in slot 2 again
    // and the order lists its photos in the layout's order.
    auto taken = db.prepare(
        "SELECT position FROM photos WHERE session_id = ?1 AND discarded = 0 ORDER BY position");
    taken.bind(1, session_id);
    int position = 0;
    while (taken.step() && taken.int64(0) == position) {
        ++position;
    }
    taken.reset();
    db.execute("INSERT INTO photos (session_id, position, sha256, size, taken_at) VALUES (?1, ?2, "
               "?3, ?4, ?5)",
               session_id, position, sha256, static_cast<std::int64_t>(jpeg.size()),
               platform::utc_now_text());
    transaction.commit();
    return {sha256, file, jpeg.size(), position};
}

void Journal::discard_photo(const std::string& session_id, const std::string& sha256) {
    state_->db->execute("UPDATE photos SET discarded = 1 WHERE session_id = ?1 AND sha256 = ?2",
                        session_id, sha256);
}

std::vector<JournalPhoto> Journal::session_photos(const std::string& session_id) {
    auto rows = state_->db->prepare(
        "SELECT sha256, size, position FROM photos WHERE session_id = ?1 AND discarded = 0 "
        "ORDER BY position, rowid");
    rows.bind(1, session_id);
    std::vector<JournalPhoto> photos;
    while (rows.step()) {
        const auto sha256 = rows.text(0);
        photos.push_back({sha256, photo_path(sha256), static_cast<std::uint64_t>(rows.int64(1)),
                          static_cast<int>(rows.int64(2))});
    }
    return photos;
}

JournalOrder Journal::create_order(const std::string& session_id, int copies,
                                   const std::string& layout, const std::string& public_url) {
    if (auto existing = order_of_session(session_id)) {
        return *existing;
    }
    auto& db = *state_->db;
    sqlite::Transaction transaction(db);
    auto session = db.prepare("SELECT event FROM sessions WHERE id = ?1");
    session.bind(1, session_id);
    if (!session.step()) {
        throw std::invalid_argument("no session " + session_id);
    }
    const auto event = session.text(0);
    const auto order_id = crypto::random_uuid();
    const auto token = crypto::random_token(16);
    const auto url = public_url + "/o/" + token;
    db.execute("INSERT INTO orders (id, session_id, code, token, token_sha256, url, event, "
               "created_at, layout, "
               "copies) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
               order_id, session_id, crypto::random_short_code(6), token,
               crypto::to_hex(crypto::sha256(token)), url, event, platform::utc_now_text(), layout,
               copies);
    for (const auto& photo : session_photos(session_id)) {
        db.execute("INSERT INTO outbox (kind, order_id, sha256) VALUES ('photo', ?1, ?2)", order_id,
                   photo.sha256);
    }
    db.execute("INSERT INTO outbox (kind, order_id) VALUES ('order', ?1)", order_id);
    transaction.commit();
    return *find_order(order_id);
}

std::optional<JournalOrder> Journal::find_order(const std::string& order_id) {
    auto row = state_->db->prepare(
        "SELECT id, session_id, code, token, token_sha256, url, event, created_at, "
        "layout, copies FROM orders WHERE id = ?1");
    row.bind(1, order_id);
    if (!row.step()) {
        return std::nullopt;
    }
    JournalOrder order{
        row.text(0), row.text(1), row.text(2), row.text(3), row.text(4),
        row.text(5), row.text(6), row.text(7), row.text(8), static_cast<int>(row.int64(9)),
        {}};
    order.photos = session_photos(order.session_id);
    return order;
}

std::vector<JournalOrder> Journal::orders_since(const std::string& since) {
    auto rows = state_->db->prepare(
        "SELECT id FROM orders WHERE created_at >= ?1 ORDER BY created_at, rowid");
    rows.bind(1, since);
    std::vector<std::string> ids;
    while (rows.step()) {
        ids.push_back(rows.text(0));
    }
    std::vector<JournalOrder> orders;
    for (const auto& id : ids) {
        if (auto order = find_order(id)) {
            orders.push_back(std::move(*order));
        }
    }
    return orders;
}

std::optional<JournalOrder> Journal::order_of_session(const std::string& session_id) {
    auto row = state_->db->prepare("SELECT id FROM orders WHERE session_id = ?1");
    row.bind(1, session_id);
    if (!row.step()) {
        return std::nullopt;
    }
    return find_order(row.text(0));
}

void Journal::finish_session(const std::string& session_id) {
    state_->db->execute("UPDATE sessions SET state = 'finished' WHERE id = ?1", session_id);
}

std::vector<OutboxItem> Journal::pending_outbox(std::size_t limit) {
    auto rows = state_->db->prepare(
        "SELECT id, kind, order_id, sha256 FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?1");
    rows.bind(1, static_cast<std::int64_t>(limit));
    std::vector<OutboxItem> items;
    while (rows.step()) {
        items.push_back({rows.int64(0),
                         rows.text(1) == "photo" ? OutboxKind::photo : OutboxKind::order,
                         rows.text(2), rows.optional_text(3).value_or("")});
    }
    return items;
}

void Journal::mark_sent(std::int64_t outbox_id) {
    state_->db->execute("UPDATE outbox SET sent_at = ?1 WHERE id = ?2 AND sent_at IS NULL",
                        platform::utc_now_text(), outbox_id);
}

OutboxStatus Journal::outbox_status() {
    OutboxStatus status;
    auto counts = state_->db->prepare(
        "SELECT kind, count(*) FROM outbox WHERE sent_at IS NULL GROUP BY kind");
    while (counts.step()) {
        (counts.text(0) == "photo" ? status.pending_photos : status.pending_orders) =
            static_cast<int>(counts.int64(1));
    }
    auto last = state_->db->prepare("SELECT max(sent_at) FROM outbox");
    if (last.step()) {
        status.last_sync = last.optional_text(0);
    }
    return status;
}

} // namespace encore::kiosk
