#include "kiosk/devices/venue_prints.hpp"

#include "kiosk/journal/journal.hpp"
#include "platform/crypto/sha256.hpp"
#include "platform/files/atomic_file.hpp"
#include "platform/log/logger.hpp"
#include "platform/runtime/blocking_worker.hpp"
#include "platform/sqlite/database.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>

namespace encore::kiosk::devices {

namespace sqlite = platform::sqlite;
namespace wire = platform::wire;

namespace {

constexpr std::array<sqlite::Migration, 1> migrations{{
    {1, "venue prints and their reports to the hub",
     "CREATE TABLE venue_prints ("
     "  reorder TEXT PRIMARY KEY,"
     "  order_id TEXT NOT NULL,"
     "  code TEXT NOT NULL,"
     "  name TEXT NOT NULL,"
     "  items TEXT NOT NULL,"
     "  state TEXT NOT NULL,"
     "  reason TEXT NOT NULL DEFAULT '',"
     "  received_at INTEGER NOT NULL);"
     "CREATE TABLE venue_reports ("
     "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
     "  reorder TEXT NOT NULL,"
     "  kind TEXT NOT NULL,"
     "  reason TEXT NOT NULL DEFAULT '');"},
}};

std::optional<PickupState> parse_state(std::string_view text) {
    for (const auto state :
         {PickupState::printing, PickupState::ready, PickupState::picked_up, PickupState::failed}) {
        if (text == to_string(state)) {
            return state;
        }
    }
    return std::nullopt;
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

struct PhotoRead {
    std::shared_ptr<const session::Jpeg> jpeg;
    std::string problem;
    bool missing = false; // neither the journal nor DATA/venue-photos holds it
};

// On the worker: the booth's original of `sha256` (or the copy the hub sent), checked
// against its hash.
PhotoRead read_photo(const std::filesystem::path& original, const std::filesystem::path& copy,
                     const std::string& sha256) {
    std::ifstream input(original, std::ios::binary);
    if (!input) {
        input.clear();
        input.open(copy, std::ios::binary);
    }
    if (!input) {
        return {nullptr, "the booth does not hold photo " + sha256, true};
    }
    std::vector<char> bytes((std::istreambuf_iterator<char>(input)),
                            std::istreambuf_iterator<char>());
    auto jpeg = std::make_shared<session::Jpeg>(bytes.size());
    std::memcpy(jpeg->data(), bytes.data(), bytes.size());
    if (platform::crypto::to_hex(platform::crypto::sha256(*jpeg)) != sha256) {
        return {nullptr, "the booth's copy of photo " + sha256 +
                             " is damaged (its SHA-256 differs): print it on the lab"};
    }
    return {std::move(jpeg), {}};
}

// What became of a complete download.
struct StoredDownload {
    // Its bytes do not match the hash (the part is removed, to be fetched again).
    bool mismatch = false;
    // Why it could not be stored, for the operator; empty when it was.
    std::string problem;
};

// On the worker: checks a complete download against its hash and stores it atomically
// where venue prints read it.
StoredDownload store_download(const std::filesystem::path& part, const std::filesystem::path& final,
                              const std::string& sha256) {
    std::ifstream input(part, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(input)),
                            std::istreambuf_iterator<char>());
    input.close();
    const auto data = std::as_bytes(std::span(bytes));
    if (platform::crypto::to_hex(platform::crypto::sha256(data)) != sha256) {
        std::error_code ignored;
        std::filesystem::remove(part, ignored);
        return {true, "the photo " + sha256 +
                          " the hub sent twice does not match its SHA-256: check the hub's image "
                          "store, or print it on the lab"};
    }
    if (const auto error = platform::write_file_atomically(final, data)) {
        return {false, "the booth cannot store photo " + sha256 + " (" + error.message() +
                           "): free space in its data folder, or print it on the lab"};
    }
    std::error_code ignored;
    std::filesystem::remove(part, ignored);
    return {};
}

// A venue_failed reason fits in 512 bytes (docs/protocol.md); cut on a UTF-8 boundary.
std::string fit_reason(std::string reason) {
    if (reason.size() <= 512) {
        return reason;
    }
    std::size_t cut = 512;
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    reason.resize(cut);
    return reason;
}

} // namespace

std::string_view to_string(PickupState state) {
    switch (state) {
    case PickupState::printing:
        return "printing";
    case PickupState::ready:
        return "ready";
    case PickupState::picked_up:
        return "picked_up";
    case PickupState::failed:
        return "failed";
    }
    return "printing";
}

nlohmann::json pickup_list(const std::vector<Pickup>& pickups) {
    auto list = nlohmann::json::array();
    for (const auto& pickup : pickups) {
        auto items = nlohmann::json::array();
        for (const auto& item : pickup.items) {
            items.push_back({{"sha256", item.sha256},
                             {"product", item.product},
                             {"copies", item.copies},
                             {"copies_done", item.copies_done}});
        }
        list.push_back({{"reorder", pickup.reorder},
                        {"code", pickup.code},
                        {"name", pickup.name},
                        {"state", to_string(pickup.state)},
                        {"reason", pickup.reason},
                        {"items", items}});
    }
    return list;
}

std::string picked_up_problem(PickupOutcome outcome, const std::string& reorder) {
    switch (outcome) {
    case PickupOutcome::done:
        return {};
    case PickupOutcome::unknown:
        return "this booth has no pickup " + reorder;
    case PickupOutcome::not_ready:
        return "the prints of this pickup are not all out yet";
    }
    return {};
}

std::string venue_print_order_id(const std::string& reorder, int item) {
    return "venue-" + reorder + "-" + std::to_string(item);
}

struct VenuePrints::State : std::enable_shared_from_this<VenuePrints::State> {
    State(boost::asio::any_io_executor loop_in, sqlite::Database db_in, Journal& journal_in,
          session::PrintQueue& printer_in, platform::BlockingWorker& files_in,
          std::filesystem::path photos_dir_in)
        : loop(std::move(loop_in))
        , db(std::move(db_in))
        , photos_dir(std::move(photos_dir_in))
        , journal(journal_in)
        , printer(printer_in)
        , files(files_in) {}

    boost::asio::any_io_executor loop;
    sqlite::Database db;
    // DATA/venue-photos: the photos the hub sent, <sha256>.jpg, and downloads in progress,
    // <sha256>.part (resumed from their size after a cut or a restart).
    std::filesystem::path photos_dir;
    Journal& journal;
    session::PrintQueue& printer;
    platform::BlockingWorker& files;
    platform::Logger log{"venue"};
    std::function<void()> report_observer;
    std::function<void()> changed_observer;
    // Copies out per item (index 0 = item 1), of the pickups printing since start.
    std::map<std::string, std::vector<int>> copies_done;

    // Photos asked of the hub, by SHA-256, with the items that print once it is here.
    struct Waiter {
        std::string reorder;
        std::string code;
        int item = 0;
        int copies = 0;
    };
    struct Wanted {
        std::uint64_t size = 0;
        std::vector<Waiter> waiters;
        bool checking = false; // complete: its hash is being checked on the worker
        int mismatches = 0;
    };
    std::map<std::string, Wanted> wanted;

    std::filesystem::path copy_path(const std::string& sha256) const {
        return photos_dir / (sha256 + ".jpg");
    }
    std::filesystem::path part_path(const std::string& sha256) const {
        return photos_dir / (sha256 + ".part");
    }
    std::uint64_t part_size(const std::string& sha256) const {
        std::error_code error;
        const auto size = std::filesystem::file_size(part_path(sha256), error);
        return error ? 0 : size;
    }

    void nudge() {
        if (report_observer) {
            report_observer();
        }
    }

    void want(const std::string& sha256, std::uint64_t size, Waiter waiter) {
        auto& entry = wanted[sha256];
        entry.size = size;
        for (const auto& waiting : entry.waiters) {
            if (waiting.reorder == waiter.reorder && waiting.item == waiter.item) {
                return;
            }
        }
        log.info("venue print of reorder ", waiter.reorder, ": the booth does not hold photo ",
                 sha256, "; asking the hub for it");
        entry.waiters.push_back(std::move(waiter));
        nudge();
    }

    // Forgets what `reorder` waited for (it failed).
    void forget_waiters(const std::string& reorder) {
        for (auto entry = wanted.begin(); entry != wanted.end();) {
            auto& waiters = entry->second.waiters;
            std::erase_if(waiters, [&](const Waiter& waiter) { return waiter.reorder == reorder; });
            if (waiters.empty() && !entry->second.checking) {
                entry = wanted.erase(entry);
            } else {
                ++entry;
            }
        }
    }

    void on_stored(const std::string& sha256, const StoredDownload& stored) {
        const auto found = wanted.find(sha256);
        if (found == wanted.end()) {
            return;
        }
        auto& entry = found->second;
        entry.checking = false;
        if (stored.mismatch && ++entry.mismatches < 2) {
            log.warning("photo ", sha256, " from the hub does not match its SHA-256; asking again");
            nudge();
            return;
        }
        const auto waiters = std::move(entry.waiters);
        wanted.erase(found);
        if (!stored.problem.empty()) {
            for (const auto& waiter : waiters) {
                fail(waiter.reorder, stored.problem);
            }
            return;
        }
        log.info("photo ", sha256, " received from the hub and stored");
        for (const auto& waiter : waiters) {
            const auto pickup = find(waiter.reorder);
            if (!pickup || pickup->state != PickupState::printing ||
                waiter.item > static_cast<int>(pickup->items.size())) {
                continue;
            }
            print_item(waiter.reorder, waiter.code, waiter.item,
                       pickup->items[static_cast<std::size_t>(waiter.item - 1)]);
        }
    }

    static constexpr std::string_view columns =
        "SELECT reorder, order_id, code, name, items, state, reason FROM venue_prints ";

    Pickup pickup_of(sqlite::Statement& row) {
        Pickup pickup;
        pickup.reorder = row.text(0);
        pickup.order_id = row.text(1);
        pickup.code = row.text(2);
        pickup.name = row.text(3);
        pickup.state = parse_state(row.text(5)).value_or(PickupState::printing);
        pickup.reason = row.text(6);
        const auto done = copies_done.find(pickup.reorder);
        int index = 0;
        for (const auto& entry : nlohmann::json::parse(row.text(4))) {
            PickupItem item;
            item.sha256 = entry.at("sha256").get<std::string>();
            item.product = entry.at("product").get<std::string>();
            item.size = entry.at("size").get<std::uint64_t>();
            item.copies = entry.at("copies").get<int>();
            if (pickup.state == PickupState::ready || pickup.state == PickupState::picked_up) {
                item.copies_done = item.copies;
            } else if (done != copies_done.end() && index < static_cast<int>(done->second.size())) {
                item.copies_done = done->second[static_cast<std::size_t>(index)];
            }
            ++index;
            pickup.items.push_back(std::move(item));
        }
        return pickup;
    }

    std::optional<Pickup> find(const std::string& reorder) {
        auto row = db.prepare(std::string(columns) + "WHERE reorder = ?1");
        row.bind(1, reorder);
        if (!row.step()) {
            return std::nullopt;
        }
        return pickup_of(row);
    }

    // Moves a pickup on and queues its report for the hub, in one transaction.
    void advance(const std::string& reorder, PickupState state, wire::AckKind report,
                 const std::string& reason) {
        {
            sqlite::Transaction transaction(db);
            db.execute("UPDATE venue_prints SET state = ?2, reason = ?3 WHERE reorder = ?1",
                       reorder, std::string(to_string(state)), reason);
            db.execute("INSERT INTO venue_reports (reorder, kind, reason) VALUES (?1, ?2, ?3)",
                       reorder, std::string(wire::to_string(report)), reason);
            transaction.commit();
        }
        if (report_observer) {
            report_observer();
        }
        changed();
    }

    void changed() {
        if (changed_observer) {
            changed_observer();
        }
    }

    void print(const Pickup& pickup) {
        copies_done[pickup.reorder].assign(pickup.items.size(), 0);
        int item = 0;
        for (const auto& line : pickup.items) {
            print_item(pickup.reorder, pickup.code, ++item, line);
        }
    }

    void print_item(const std::string& reorder, const std::string& code, int item,
                    const PickupItem& line) {
        files.run([original = journal.photo_path(line.sha256), copy = copy_path(line.sha256),
                   sha256 = line.sha256] { return read_photo(original, copy, sha256); },
                  [weak = weak_from_this(), reorder, code, item, line](PhotoRead read) {
                      if (auto self = weak.lock()) {
                          self->on_read(reorder, code, item, line, std::move(read));
                      }
                  });
    }

    void on_read(const std::string& reorder, const std::string& code, int item,
                 const PickupItem& line, PhotoRead read) {
        const int copies = line.copies;
        if (read.missing) {
            // The hub holds every original: ask it rather than fail (it may not hold it
            // either; then its answer fails the pickup).
            const auto pickup = find(reorder);
            if (pickup && pickup->state == PickupState::printing) {
                want(line.sha256, line.size, {reorder, code, item, copies});
            }
            return;
        }
        if (!read.jpeg) {
            fail(reorder, read.problem);
            return;
        }
        session::PrintRequest request;
        request.order_id = venue_print_order_id(reorder, item);
        request.code = code;
        request.jpeg = std::move(read.jpeg);
        request.copies = copies;
        printer.print(std::move(request), [weak = weak_from_this(), reorder,
                                           item](const session::PrintProgress& progress) {
            if (auto self = weak.lock()) {
                self->on_progress(reorder, item, progress);
            }
        });
    }

    void on_progress(const std::string& reorder, int item, const session::PrintProgress& progress) {
        auto& done = copies_done[reorder];
        if (static_cast<int>(done.size()) >= item) {
            done[static_cast<std::size_t>(item - 1)] = progress.copies_done;
        }
        if (progress.phase == session::PrintPhase::failed) {
            fail(reorder, "item " + std::to_string(item) + " could not be printed at the booth: " +
                              (progress.fault ? progress.fault->message : std::string("?")) +
                              "; print it on the lab");
            return;
        }
        const auto pickup = find(reorder);
        if (!pickup || pickup->state != PickupState::printing) {
            return;
        }
        bool all_out = true;
        for (const auto& line : pickup->items) {
            all_out = all_out && line.copies_done >= line.copies;
        }
        if (!all_out) {
            changed();
            return;
        }
        log.info("venue print of reorder ", reorder, " (", pickup->code, ") is ready for pickup");
        advance(reorder, PickupState::ready, wire::AckKind::venue_ready, {});
    }

    void fail(const std::string& reorder, const std::string& given_reason) {
        forget_waiters(reorder);
        const auto reason = fit_reason(given_reason);
        const auto pickup = find(reorder);
        if (!pickup || pickup->state != PickupState::printing) {
            return;
        }
        log.error("venue print of reorder ", reorder, " (", pickup->code, "): ", reason);
        advance(reorder, PickupState::failed, wire::AckKind::venue_failed, reason);
    }
};

VenuePrints::VenuePrints(boost::asio::any_io_executor loop, const std::filesystem::path& file,
                         Journal& journal, session::PrintQueue& printer,
                         platform::BlockingWorker& files) {
    auto db = sqlite::Database::open(file);
    sqlite::apply_migrations(db, migrations);
    auto photos_dir = file.parent_path() / "venue-photos";
    std::filesystem::create_directories(photos_dir);
    platform::remove_stale_temp_files(photos_dir);
    state_ = std::make_shared<State>(std::move(loop), std::move(db), journal, printer, files,
                                     std::move(photos_dir));
}

VenuePrints::~VenuePrints() = default;

void VenuePrints::start() {
    auto rows = state_->db.prepare(std::string(State::columns) +
                                   "WHERE state = 'printing' ORDER BY received_at, rowid");
    std::vector<Pickup> printing;
    while (rows.step()) {
        printing.push_back(state_->pickup_of(rows));
    }
    for (const auto& pickup : printing) {
        state_->log.info("venue print of reorder ", pickup.reorder, " (", pickup.code,
                         ") resumes printing");
        state_->print(pickup);
    }
}

bool VenuePrints::accept(const wire::VenuePrint& print) {
    auto items = nlohmann::json::array();
    for (const auto& item : print.items) {
        items.push_back({{"sha256", wire::to_hex(item.sha256)},
                         {"size", item.size},
                         {"copies", item.copies},
                         {"product", item.product}});
    }
    state_->db.execute("INSERT INTO venue_prints (reorder, order_id, code, name, items, state, "
                       "received_at) VALUES (?1, ?2, ?3, ?4, ?5, 'printing', ?6) "
                       "ON CONFLICT (reorder) DO NOTHING",
                       print.reorder, print.order_id, print.code, print.name, items.dump(),
                       now_seconds());
    if (state_->db.changes() == 0) {
        return false;
    }
    state_->log.info("venue print of reorder ", print.reorder, " (", print.code, ", ",
                     print.items.size(), " items) received from the hub");
    if (const auto pickup = state_->find(print.reorder)) {
        state_->print(*pickup);
    }
    state_->changed();
    return true;
}

std::vector<Pickup> VenuePrints::pickups() {
    auto rows =
        state_->db.prepare(std::string(State::columns) + "ORDER BY received_at DESC, rowid DESC");
    std::vector<Pickup> list;
    while (rows.step()) {
        list.push_back(state_->pickup_of(rows));
    }
    return list;
}

PickupOutcome VenuePrints::mark_picked_up(const std::string& reorder) {
    const auto pickup = state_->find(reorder);
    if (!pickup) {
        return PickupOutcome::unknown;
    }
    if (pickup->state == PickupState::picked_up) {
        return PickupOutcome::done;
    }
    if (pickup->state != PickupState::ready) {
        return PickupOutcome::not_ready;
    }
    state_->log.info("venue print of reorder ", reorder, " (", pickup->code, ") picked up");
    state_->advance(reorder, PickupState::picked_up, wire::AckKind::venue_picked_up, {});
    return PickupOutcome::done;
}

std::optional<wire::Ack> VenuePrints::next_report() {
    auto row =
        state_->db.prepare("SELECT reorder, kind, reason FROM venue_reports ORDER BY id LIMIT 1");
    if (!row.step()) {
        return std::nullopt;
    }
    wire::Ack ack;
    ack.id = row.text(0);
    ack.reason = row.text(2);
    for (const auto candidate : {wire::AckKind::venue_ready, wire::AckKind::venue_picked_up,
                                 wire::AckKind::venue_failed}) {
        if (row.text(1) == wire::to_string(candidate)) {
            ack.kind = candidate;
        }
    }
    return ack;
}

void VenuePrints::report_acknowledged(const wire::Ack& ack) {
    state_->db.execute("DELETE FROM venue_reports WHERE reorder = ?1 AND kind = ?2", ack.id,
                       std::string(wire::to_string(ack.kind)));
}

std::optional<wire::VenuePhotoWanted> VenuePrints::next_photo_wanted() {
    for (const auto& [sha256, entry] : state_->wanted) {
        if (entry.checking || entry.waiters.empty()) {
            continue;
        }
        auto offset = state_->part_size(sha256);
        if (offset >= entry.size) {
            // Complete but not checked (kioskd stopped in between), or longer than the photo:
            // fetch it again rather than trust it.
            std::error_code ignored;
            std::filesystem::remove(state_->part_path(sha256), ignored);
            offset = 0;
        }
        return wire::VenuePhotoWanted{entry.waiters.front().reorder, *wire::sha256_from_hex(sha256),
                                      offset};
    }
    return std::nullopt;
}

std::string VenuePrints::photo_chunk(const wire::Chunk& chunk) {
    const auto sha256 = wire::to_hex(chunk.sha256);
    const auto found = state_->wanted.find(sha256);
    if (found == state_->wanted.end() || found->second.checking || found->second.waiters.empty()) {
        return "the hub sent a CHUNK of photo " + sha256 + ", which this booth did not ask for";
    }
    auto& entry = found->second;
    const auto held = state_->part_size(sha256);
    if (chunk.offset != held || chunk.data.empty() || chunk.data.size() > entry.size - held) {
        return "the hub sent photo " + sha256 + " at byte " + std::to_string(chunk.offset) + " (" +
               std::to_string(chunk.data.size()) + " bytes) but the booth holds " +
               std::to_string(held) + " of " + std::to_string(entry.size);
    }
    {
        std::ofstream part(state_->part_path(sha256), std::ios::binary | std::ios::app);
        part.write(reinterpret_cast<const char*>(chunk.data.data()),
                   static_cast<std::streamsize>(chunk.data.size()));
        part.flush();
        if (!part) {
            std::error_code ignored;
            std::filesystem::resize_file(state_->part_path(sha256), held, ignored);
            const auto waiters = entry.waiters;
            for (const auto& waiter : waiters) {
                state_->fail(waiter.reorder, "the booth cannot store photo " + sha256 +
                                                 " from the hub: free space in its data folder, "
                                                 "or print it on the lab");
            }
            return {};
        }
    }
    if (held + chunk.data.size() < entry.size) {
        return {};
    }
    entry.checking = true;
    state_->files.run([part = state_->part_path(sha256), final = state_->copy_path(sha256),
                       sha256] { return store_download(part, final, sha256); },
                      [weak = state_->weak_from_this(), sha256](StoredDownload stored) {
                          if (auto self = weak.lock()) {
                              self->on_stored(sha256, stored);
                          }
                      });
    return {};
}

void VenuePrints::photo_unavailable(const wire::VenuePhotoUnavailable& answer) {
    const auto sha256 = wire::to_hex(answer.sha256);
    state_->fail(answer.reorder, "the booth does not hold photo " + sha256 +
                                     ", and the hub cannot send it: " + answer.reason);
}

void VenuePrints::on_report(std::function<void()> observer) {
    state_->report_observer = std::move(observer);
}

void VenuePrints::on_changed(std::function<void()> observer) {
    state_->changed_observer = std::move(observer);
}

} // namespace encore::kiosk::devices
