#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace encore::kiosk {

// What start-up recovery found and did; shown on the operator screen and logged.
struct RecoveryReport {
    int sessions_closed = 0;            // sessions left open by a crash, now closed
    int temp_files_removed = 0;         // half-written photo files from a crash
    int orphan_files_quarantined = 0;   // photo files no journal row names (never acknowledged)
    int damaged_photos_quarantined = 0; // files whose bytes no longer match their hash
    bool database_replaced = false;     // the journal failed its integrity check and was set aside
    std::vector<std::string> notes;     // one line per problem, for the operator
};

struct JournalPhoto {
    std::string sha256;
    std::filesystem::path file;
    std::uint64_t size = 0;
    int position = 0;
};

struct JournalOrder {
    std::string order_id;
    std::string session_id;
    std::string code;         // short code printed and shown to the guest
    std::string token;        // the QR link's capability token (stays on the booth and in the QR)
    std::string token_sha256; // what the hub stores
    std::string url;          // <public URL>/o/<token>
    std::string event;
    std::string created_at;
    std::string layout;
    int copies = 0;
    std::vector<JournalPhoto> photos;
};

enum class OutboxKind { photo, order };

struct OutboxItem {
    std::int64_t id = 0;
    OutboxKind kind = OutboxKind::photo;
    std::string order_id;
    std::string sha256; // for photos
};

struct OutboxStatus {
    int pending_photos = 0;
    int pending_orders = 0;
    std::optional<std::string> last_sync; // when the hub last acknowledged something
};

// The booth's journal: SQLite (WAL, synchronous=FULL) for sessions, photos, orders and
// the outbox to the hub, and photo files written atomically under DATA/photos named by
// their SHA-256. Every method is durable on return. Opening it is recovery: a crash at
// any point leaves every acknowledged photo and order in place.
class Journal {
public:
    // Opens DATA/journal.db and DATA/photos, running recovery. Throws std::runtime_error
    // when the data folder cannot be used at all.
    static std::unique_ptr<Journal> open(const std::filesystem::path& data_dir);
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    const RecoveryReport& recovery() const;

    std::string begin_session(const std::string& event);
    // Writes the photo file (temp, fsync, rename, fsync dir) and records it in the
    // session. Only after this returns may the guest be shown the photo.
    JournalPhoto add_photo(const std::string& session_id, std::span<const std::byte> jpeg);
    // A retake: the photo leaves the session (its file stays if another row names it).
    void discard_photo(const std::string& session_id, const std::string& sha256);
    std::vector<JournalPhoto> session_photos(const std::string& session_id);

    // Makes the session's order (UUID, short code, 128-bit token) and queues its photos
    // and the order for the hub, all in one transaction. Calling it again for the same
    // session returns the same order: a double tap never makes a second one.
    JournalOrder create_order(const std::string& session_id, int copies, const std::string& layout,
                              const std::string& public_url);
    std::optional<JournalOrder> find_order(const std::string& order_id);
    std::optional<JournalOrder> order_of_session(const std::string& session_id);
    // Orders made at or after `since` (RFC 3339 UTC, as platform::utc_now_text gives),
    // oldest first.
    std::vector<JournalOrder> orders_since(const std::string& since);
    void finish_session(const std::string& session_id);

    // The oldest unsent items, photos before the order that names them.
    std::vector<OutboxItem> pending_outbox(std::size_t limit);
    // The hub acknowledged the item (durably stored there).
    void mark_sent(std::int64_t outbox_id);
    OutboxStatus outbox_status();

    std::filesystem::path photo_path(const std::string& sha256) const;
    std::string integrity_check();

private:
    struct State;
    explicit Journal(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

} // namespace encore::kiosk
