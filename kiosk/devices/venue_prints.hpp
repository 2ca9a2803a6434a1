#pragma once

#include "kiosk/session/ports.hpp"
#include "platform/wire/messages.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace encore::platform {
class BlockingWorker;
}
namespace encore::kiosk {
class Journal;
}

// Venue pickup on the booth: reorders the hub sends in VENUE_PRINT (docs/protocol.md,
// "Venue prints") for the guest to collect here, printed on the booth's printer.
//
// A venue print is stored in DATA/venue.db before the kiosk acknowledges it. Each item is
// printed from the original the booth took (its journal's photo file, checked against
// its SHA-256) or, when the booth no longer holds it, from the copy it asked the hub for
// (VENUE_PHOTO_WANTED, docs/protocol.md), kept in DATA/venue-photos/; through the booth
// printer, as print order venue-<reorder>-<item>: the
// print ledger keys every copy by that name, so neither a VENUE_PRINT sent again nor a
// restart of kioskd prints a copy twice. The photo is sent as it is, and the printer
// fits it on the booth's paper whatever product the guest ordered.
//
// What the hub must learn (every copy out, picked up, cannot print) is kept in the same
// database as a report and sent until the hub acknowledges it, so nothing is lost while
// the booth is offline.
namespace encore::kiosk::devices {

enum class PickupState {
    printing,  // copies still to come out
    ready,     // every copy came out: waits for the guest
    picked_up, // handed to the guest
    failed,    // cannot be printed here (`reason` says why)
};

std::string_view to_string(PickupState state);

struct PickupItem {
    std::string sha256;
    std::string product;
    std::uint64_t size = 0;
    int copies = 0;
    int copies_done = 0;
};

struct Pickup {
    std::string reorder;
    std::string order_id;
    std::string code;
    std::string name;
    PickupState state = PickupState::printing;
    std::string reason;
    std::vector<PickupItem> items;
};

enum class PickupOutcome { done, unknown, not_ready };

class VenuePrints {
public:
    // Opens (creating) `file`. Borrows the journal (for the photos), the booth's print
    // queue and the worker that reads photo files; all must outlive this object. Calls
    // and callbacks on `loop`. Throws platform::sqlite::Error when the file is unusable.
    VenuePrints(boost::asio::any_io_executor loop, const std::filesystem::path& file,
                Journal& journal, session::PrintQueue& printer, platform::BlockingWorker& files);
    ~VenuePrints();
    VenuePrints(const VenuePrints&) = delete;
    VenuePrints& operator=(const VenuePrints&) = delete;

    // Prints what was still printing when kioskd stopped (nothing twice).
    void start();

    // A VENUE_PRINT from the hub: stored durably, then printed. Returns false for a
    // reorder the booth holds already (it prints nothing more). Throws when it cannot be
    // stored: then it must not be acknowledged.
    bool accept(const platform::wire::VenuePrint& print);

    // Newest first, for the operator screen.
    std::vector<Pickup> pickups();

    // The operator handed a ready pickup to the guest.
    PickupOutcome mark_picked_up(const std::string& reorder);

    // The oldest report the hub has not acknowledged yet.
    std::optional<platform::wire::Ack> next_report();
    // The hub acknowledged this report.
    void report_acknowledged(const platform::wire::Ack& ack);

    // A photo the booth does not hold, to ask the hub for from the offset the booth has:
    // nullopt when none is wanted (or the one wanted is being checked).
    std::optional<platform::wire::VenuePhotoWanted> next_photo_wanted();
    // The hub's CHUNK of a wanted photo, at the offset next_photo_wanted() named: appended
    // to DATA/venue-photos/<sha256>.part; the last one is checked against the SHA-256 and
    // stored atomically, then the items waiting for it print. Returns why the chunk is
    // refused (not asked for, wrong offset, too long: the link is at fault), or "".
    std::string photo_chunk(const platform::wire::Chunk& chunk);
    // The hub cannot send the photo: that venue print fails with the hub's reason.
    void photo_unavailable(const platform::wire::VenuePhotoUnavailable& answer);

    // Runs when a report or a photo request is waiting (wire it to the uplink's nudge)
    // and when a pickup changed (the operator screen).
    void on_report(std::function<void()> observer);
    void on_changed(std::function<void()> observer);

    struct State;

private:
    std::shared_ptr<State> state_;
};

// The pickups as the operator screen lists them (GET /api/operator/pickups): reorder,
// code, name, state, reason and items (sha256, product, copies, copies_done).
nlohmann::json pickup_list(const std::vector<Pickup>& pickups);

// What the operator screen says when "picked up" did not go through: empty for done,
// else why not.
std::string picked_up_problem(PickupOutcome outcome, const std::string& reorder);

// The booth printer's order id of item `item` (1-based) of a venue print.
std::string venue_print_order_id(const std::string& reorder, int item);

} // namespace encore::kiosk::devices
