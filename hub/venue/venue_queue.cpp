#include "hub/venue/venue_queue.hpp"

#include "platform/log/logger.hpp"
#include "platform/sqlite/database.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>

namespace encore::hub::venue {

namespace sqlite = platform::sqlite;
namespace wire = platform::wire;
using settlement::ReorderState;

namespace {

constexpr std::array<sqlite::Migration, 1> migrations{{
    {1, "venue prints",
     "CREATE TABLE venue_prints ("
     "  reorder TEXT PRIMARY KEY,"
     "  kiosk TEXT NOT NULL,"
     "  order_id TEXT NOT NULL,"
     "  code TEXT NOT NULL,"
     "  name TEXT NOT NULL,"
     "  items TEXT NOT NULL,"
     "  state TEXT NOT NULL,"
     "  reason TEXT NOT NULL DEFAULT '',"
     "  queued_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL);"
     "CREATE INDEX venue_prints_by_kiosk ON venue_prints (kiosk, state, queued_at);"},
}};

constexpr std::array all_states{VenueState::queued, VenueState::delivered, VenueState::ready,
                                VenueState::picked_up, VenueState::failed};

std::optional<VenueState> parse_state(std::string_view text) {
    for (const auto state : all_states) {
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

std::string items_text(const std::vector<wire::VenuePrintItem>& items) {
    auto list = nlohmann::json::array();
    for (const auto& item : items) {
        list.push_back({{"sha256", wire::to_hex(item.sha256)},
                        {"size", item.size},
                        {"copies", item.copies},
                        {"product", item.product}});
    }
    return list.dump();
}

std::vector<wire::VenuePrintItem> parse_items(const std::string& text) {
    std::vector<wire::VenuePrintItem> items;
    for (const auto& entry : nlohmann::json::parse(text)) {
        wire::VenuePrintItem item;
        item.sha256 = wire::sha256_from_hex(entry.at("sha256").get<std::string>()).value();
        item.size = entry.at("size").get<std::uint64_t>();
        item.copies = entry.at("copies").get<std::uint32_t>();
        item.product = entry.at("product").get<std::string>();
        items.push_back(std::move(item));
    }
    return items;
}

} // namespace

std::string_view to_string(VenueState state) {
    switch (state) {
    case VenueState::queued:
        return "queued";
    case VenueState::delivered:
        return "delivered";
    case VenueState::ready:
        return "ready";
    case VenueState::picked_up:
        return "picked_up";
    case VenueState::failed:
        return "failed";
    }
    return "queued";
}

struct VenueQueue::Database {
    sqlite::Database db;

    static constexpr std::string_view columns =
        "SELECT reorder, kiosk, order_id, code, name, items, state, reason FROM venue_prints ";

    static VenueEntry entry_of(sqlite::Statement& row) {
        VenueEntry entry;
        entry.print.reorder = row.text(0);
        entry.kiosk = row.text(1);
        entry.print.order_id = row.text(2);
        entry.print.code = row.text(3);
        entry.print.name = row.text(4);
        entry.print.items = parse_items(row.text(5));
        entry.state = parse_state(row.text(6)).value_or(VenueState::queued);
        entry.reason = row.text(7);
        return entry;
    }

    void set_state(const std::string& reorder, VenueState state, const std::string& reason) {
        db.execute("UPDATE venue_prints SET state = ?2, reason = ?3, updated_at = ?4 "
                   "WHERE reorder = ?1",
                   reorder, std::string(to_string(state)), reason, now_seconds());
    }
};

VenueQueue::VenueQueue(const std::filesystem::path& file, settlement::Ledger& ledger,
                       OrderRepository& orders)
    : db_(std::make_unique<Database>(Database{sqlite::Database::open(file)}))
    , ledger_(ledger)
    , orders_(orders) {
    sqlite::apply_migrations(db_->db, migrations);
}

VenueQueue::~VenueQueue() = default;

std::string VenueQueue::queue(const settlement::Reorder& reorder) {
    const auto order = orders_.find_order(reorder.order_id);
    if (!order) {
        return "the booth order " + reorder.order_id + " of reorder " + reorder.id +
               " is not on the hub, so no booth can be told to print it";
    }
    wire::VenuePrint print;
    print.reorder = reorder.id;
    print.order_id = order->order_id;
    print.code = order->code;
    print.name = reorder.delivery.name;
    for (const auto& line : reorder.lines) {
        const auto photo = std::find_if(
            order->photos.begin(), order->photos.end(),
            [&line](const StoredPhoto& stored) { return stored.sha256 == line.photo_sha256; });
        const auto digest = wire::sha256_from_hex(line.photo_sha256);
        if (photo == order->photos.end() || !digest) {
            return "photo " + line.photo_sha256 + " of reorder " + reorder.id +
                   " is not a photo of order " + order->code;
        }
        print.items.push_back(
            {*digest, photo->size, static_cast<std::uint32_t>(line.quantity), line.product_id});
    }
    const auto now = now_seconds();
    db_->db.execute("INSERT INTO venue_prints (reorder, kiosk, order_id, code, name, items, "
                    "state, queued_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7, "
                    "?7) ON CONFLICT (reorder) DO NOTHING",
                    print.reorder, order->kiosk, print.order_id, print.code, print.name,
                    items_text(print.items), now);
    if (db_->db.changes() > 0) {
        platform::Logger("venue").info("reorder ", reorder.id, " (", order->code,
                                       ") queued for pickup at booth '", order->kiosk, "'");
        if (queued_observer_) {
            queued_observer_(order->kiosk);
        }
    }
    return {};
}

int VenueQueue::recover() {
    int queued = 0;
    for (const auto& reorder : ledger_.reorders_in_state(ReorderState::printing)) {
        if (reorder.delivery.method != settlement::DeliveryMethod::pickup || find(reorder.id)) {
            continue;
        }
        const auto problem = queue(reorder);
        if (!problem.empty()) {
            platform::Logger("venue").error("reorder ", reorder.id, ": ", problem);
            continue;
        }
        ++queued;
    }
    return queued;
}

void VenueQueue::on_queued(std::function<void(const std::string& kiosk)> observer) {
    queued_observer_ = std::move(observer);
}

std::vector<wire::VenuePrint> VenueQueue::undelivered(const std::string& kiosk) {
    auto rows = db_->db.prepare(std::string(Database::columns) +
                                "WHERE kiosk = ?1 AND state = 'queued' ORDER BY queued_at, rowid");
    rows.bind(1, kiosk);
    std::vector<wire::VenuePrint> prints;
    while (rows.step()) {
        prints.push_back(Database::entry_of(rows).print);
    }
    return prints;
}

std::optional<VenueEntry> VenueQueue::find(const std::string& reorder_id) {
    auto row = db_->db.prepare(std::string(Database::columns) + "WHERE reorder = ?1");
    row.bind(1, reorder_id);
    if (!row.step()) {
        return std::nullopt;
    }
    return Database::entry_of(row);
}

ReportOutcome VenueQueue::report(const std::string& kiosk, const wire::Ack& ack) {
    const auto entry = find(ack.id);
    if (!entry || entry->kiosk != kiosk) {
        return ReportOutcome::unknown;
    }
    platform::Logger log("venue");
    const auto& reorder = ack.id;
    switch (ack.kind) {
    case wire::AckKind::venue_print:
        if (entry->state == VenueState::queued) {
            db_->set_state(reorder, VenueState::delivered, {});
            log.info("reorder ", reorder, " (", entry->print.code, ") is printing at booth '",
                     kiosk, "'");
        }
        break;
    case wire::AckKind::venue_ready:
        // The ledger first: if the hub stops in between, the booth sends it again.
        ledger_.advance(reorder, ReorderState::printing, ReorderState::packed);
        if (entry->state != VenueState::picked_up && entry->state != VenueState::ready) {
            db_->set_state(reorder, VenueState::ready, {});
            log.info("reorder ", reorder, " (", entry->print.code,
                     ") is ready for pickup at booth '", kiosk, "'");
        }
        break;
    case wire::AckKind::venue_picked_up:
        ledger_.advance(reorder, ReorderState::printing, ReorderState::packed);
        ledger_.advance(reorder, ReorderState::packed, ReorderState::shipped);
        if (entry->state != VenueState::picked_up) {
            db_->set_state(reorder, VenueState::picked_up, {});
            log.info("reorder ", reorder, " (", entry->print.code, ") picked up at booth '", kiosk,
                     "'");
        }
        break;
    case wire::AckKind::venue_failed:
        if (entry->state != VenueState::failed) {
            db_->set_state(reorder, VenueState::failed, ack.reason);
            log.error("reorder ", reorder, " (", entry->print.code,
                      ") cannot be printed at booth '", kiosk, "': ", ack.reason);
        }
        break;
    default:
        return ReportOutcome::unknown;
    }
    return ReportOutcome::recorded;
}

} // namespace encore::hub::venue
