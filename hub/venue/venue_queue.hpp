#pragma once

#include "hub/settlement/ledger.hpp"
#include "hub/store/order_repository.hpp"
#include "platform/wire/messages.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// Venue pickup on the hub's side. A released reorder whose delivery is "pickup" is not
// printed on the lab: the order desk moves it to "printing" and hands it here, and it
// waits in DATA/venue.db for the booth that took the order (the order's kiosk) until
// that booth acknowledged it. The intake sends it in VENUE_PRINT (docs/protocol.md,
// "Venue prints") and passes on the booth's reports: every copy out moves the reorder
// to "packed" (ready for pickup), the operator's "picked up" to "shipped".
namespace encore::hub::venue {

enum class VenueState {
    queued,    // waiting for the booth to acknowledge it
    delivered, // the booth holds it and prints it
    ready,     // every copy came out at the booth
    picked_up, // the guest collected it
    failed,    // the booth cannot print it (`reason` says why)
};

std::string_view to_string(VenueState state);

struct VenueEntry {
    std::string kiosk;
    VenueState state = VenueState::queued;
    std::string reason;
    platform::wire::VenuePrint print;
};

// What became of a booth's report.
enum class ReportOutcome {
    recorded, // applied now, or applied before (a report sent again changes nothing)
    unknown,  // no venue print of that reorder for this kiosk: refused
};

// The table of venue prints, with the settlement ledger it moves reorders in. Calls on
// the hub's loop; every change is durable on return; a failure of the database throws.
class VenueQueue {
public:
    // Opens (creating) `file`; borrows the ledger and the repository.
    VenueQueue(const std::filesystem::path& file, settlement::Ledger& ledger,
               OrderRepository& orders);
    ~VenueQueue();
    VenueQueue(const VenueQueue&) = delete;
    VenueQueue& operator=(const VenueQueue&) = delete;

    // Queues a released pickup reorder (already "printing") for the booth of its order.
    // Queuing it again changes nothing. Returns what went wrong for the clerk (the order
    // or one of its photos is unknown to the hub), or an empty string.
    std::string queue(const settlement::Reorder& reorder);

    // At start: queues every pickup reorder in "printing" that has no venue print (the
    // hub stopped between the release and queue()). Returns how many.
    int recover();

    // The venue prints this kiosk has not acknowledged yet, oldest first.
    std::vector<platform::wire::VenuePrint> undelivered(const std::string& kiosk);

    // The kiosk's ACK: venue_print (it holds it), venue_ready, venue_picked_up or
    // venue_failed.
    ReportOutcome report(const std::string& kiosk, const platform::wire::Ack& ack);

    std::optional<VenueEntry> find(const std::string& reorder_id);

    // Runs after queue() added a venue print, with the kiosk it waits for (the intake
    // sends it at once when that kiosk is connected).
    void on_queued(std::function<void(const std::string& kiosk)> observer);

private:
    struct Database;
    std::unique_ptr<Database> db_;
    settlement::Ledger& ledger_;
    OrderRepository& orders_;
    std::function<void(const std::string&)> queued_observer_;
};

} // namespace encore::hub::venue
