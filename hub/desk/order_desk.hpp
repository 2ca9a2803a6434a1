#pragma once

#include "drivers/printer/ledger.hpp"
#include "drivers/printer/spooler.hpp"
#include "hub/desk/lab_render.hpp"
#include "hub/settlement/ledger.hpp"
#include "hub/store/image_store.hpp"
#include "hub/store/order_repository.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
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
};

enum class ReleaseError {
    none,
    unknown_reorder,
    not_settled,      // not paid (yet): never released before settlement
    already_released, // printing, packed or shipped already
    cannot_print,     // a product the lab has no template for, or no templates at all
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
    int printed = 0;
    // "waiting" (not yet handed to the printer), then the print ledger's states
    // ("queued", "printing", "completed", ...) of its copies, worst first; "failed"
    // with `message` when it could not be rendered.
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

    // After a restart: hands the spooler the items of reorders in "printing" that its
    // ledger never recorded (the hub stopped between release and submission).
    boost::asio::awaitable<int> resume_released();

private:
    boost::asio::awaitable<void> print_items(const settlement::Reorder& reorder,
                                             const std::string& queue, bool only_missing);

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
    // Items that could not be rendered, by print order id, with the reason.
    std::shared_ptr<std::map<std::string, std::string>> failed_items_;
};

// The spooler's order id of item `item` (1-based) of a reorder.
std::string item_print_id(const std::string& reorder_id, int item);

} // namespace encore::hub::desk
