#pragma once

#include "drivers/printer/ledger.hpp"
#include "drivers/printer/spooler.hpp"
#include "hub/desk/desk_records.hpp"
#include "hub/desk/lab_render.hpp"
#include "hub/settlement/ledger.hpp"
#include "hub/store/image_store.hpp"
#include "hub/store/order_repository.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace encore::platform {
class BlockingWorker;
}

// The order desk: paid reorders wait in its queue; a release prints them on the lab
// printer. A reorder is never released before its payment is settled (the settlement
// ledger says "paid"), and only once: the release moves it to "printing" in the ledger
// first, in one transaction, then renders each item from the stored original at its
// product's size (lab_render.hpp) and hands it to the print spooler, whose ledger makes
// every physical print exactly once (job names encore.<reorder>-<item>.copy<N>).
//
// After a crash between the release and the last print, resume_released() at start
// submits again what the print ledger has not recorded; what it has recorded, the
// spooler's own reconciliation finishes. Nothing is printed twice.
namespace encore::hub::desk {

struct DeskSettings {
    // The CUPS queue of the lab printer, unless a release names another.
    std::string lab_queue = "lab";
    // Where rendered prints wait for the printer (DATA/lab).
    std::filesystem::path work_dir;
    // Printed as a QR code on each print: where the guest finds the order again.
    std::string guest_site_url;
    // The desk's own records (print problems, reprints); empty: work_dir/desk.db.
    std::filesystem::path records_file;
    // Events whose paid reorders go to the lab without a clerk (auto_release_pass);
    // "*" stands for every event.
    std::vector<std::string> auto_release_events;
};

enum class ReleaseError {
    none,
    unknown_reorder,
    not_settled,      // not paid (yet): never released before settlement
    already_released, // printing, packed or shipped already
    cannot_print,     // a product the lab has no template for, or no templates at all
    unknown_item,     // a reprint of an item the reorder does not have
    not_released,     // a reprint of an item of a reorder not at the lab (or shipped)
};

struct ReleaseResult {
    ReleaseError error = ReleaseError::none;
    // For the clerk: what happened, or why not and what to do.
    std::string message;
    bool ok() const { return error == ReleaseError::none; }
};

// Where one item (a reorder line) of a released reorder stands.
struct ItemProgress {
    int item = 0; // 1-based, in the reorder's order
    std::string product_id;
    std::string photo_sha256;
    int copies = 0;
    // Prints that came out, reprints included.
    int printed = 0;
    int reprints = 0;
    // "completed" once `printed` reaches `copies`; before that "waiting" (not yet handed
    // to the printer), or the print ledger's state ("queued", "printing", "held", ...)
    // of a copy still under way; "failed" with `message` when it could not be rendered
    // or printed (a reprint clears it).
    std::string state = "waiting";
    std::string message;
};

class OrderDesk {
public:
    // Borrows everything; all must outlive the desk. `templates` may be null when the
    // hub has none: releases are then refused with the reason. Calls on the loop.
    OrderDesk(boost::asio::any_io_executor loop, settlement::Ledger& ledger,
              const ImageStore& images, OrderRepository& orders, const LabTemplates* templates,
              drivers::printer::PrintSpooler& spooler, drivers::printer::PrintLedger& prints,
              platform::BlockingWorker& worker, DeskSettings settings);

    // Paid reorders, oldest first.
    std::vector<settlement::Reorder> queue();

    // Releases a paid reorder to the lab printer (`queue` or the lab queue). Returns
    // once it is marked printing and its items are rendered and handed to the spooler.
    boost::asio::awaitable<ReleaseResult> release(std::string reorder_id,
                                                  std::optional<std::string> queue);

    // Reorders the guest collects at the venue (delivery "pickup") are not printed on the
    // lab: a release moves them to "printing" and hands them to `queue_at_venue`
    // (hub/venue), which returns what went wrong for the clerk or an empty string; then
    // the reorder goes back to "paid". Without it, they are printed on the lab.
    void on_pickup_release(std::function<std::string(const settlement::Reorder&)> queue_at_venue);

    // Each item of a released reorder, with what the print ledger knows of it.
    std::vector<ItemProgress> progress(const std::string& reorder_id);
    // True when every copy of every item came out.
    bool printed(const std::string& reorder_id);

    // Prints item `item` (1-based) of a released reorder again, `copies` times (a damaged
    // print, or one that failed), on the lab queue or `queue`. Each reprint is recorded
    // before it is rendered and printed under its own job names, so a restart neither
    // loses nor doubles it; the item's recorded problem is cleared.
    boost::asio::awaitable<ReleaseResult> reprint(std::string reorder_id, int item, int copies,
                                                  std::optional<std::string> queue);

    // After a restart: hands the spooler the items and reprints of reorders in "printing"
    // that its ledger never recorded (the hub stopped between release and submission).
    // Items with a recorded problem wait for a clerk's reprint.
    boost::asio::awaitable<int> resume_released();

    // Releases every paid reorder of an event set to release automatically; returns how
    // many it released. A reorder the lab cannot print stays in the queue (logged once).
    boost::asio::awaitable<int> auto_release_pass();
    // Runs auto_release_pass every `interval` until the loop stops (nothing when no event
    // releases automatically).
    void start_auto_release(std::chrono::milliseconds interval);

private:
    struct PrintJob {
        std::string print_id;
        const settlement::ReorderLine* line = nullptr;
        int copies = 0;
    };
    boost::asio::awaitable<void> print_jobs(const settlement::Reorder& reorder,
                                            std::vector<PrintJob> jobs, std::string queue);
    std::vector<PrintJob> jobs_of(const settlement::Reorder& reorder, bool only_missing);
    bool releases_automatically(const settlement::Reorder& reorder);

    boost::asio::any_io_executor loop_;
    settlement::Ledger& ledger_;
    const ImageStore& images_;
    OrderRepository& orders_;
    const LabTemplates* templates_;
    drivers::printer::PrintSpooler& spooler_;
    drivers::printer::PrintLedger& prints_;
    platform::BlockingWorker& worker_;
    DeskSettings settings_;
    std::function<std::string(const settlement::Reorder&)> queue_at_venue_;
    std::shared_ptr<DeskRecords> records_;
    // Reorders auto-release could not release, so the log says it once.
    std::set<std::string> auto_release_refused_;
};

// The spooler's order id of item `item` (1-based) of a reorder, and of its reprints
// (number 1, 2, ...).
std::string item_print_id(const std::string& reorder_id, int item);
std::string reprint_print_id(const std::string& reorder_id, int item, int number);

} // namespace encore::hub::desk
