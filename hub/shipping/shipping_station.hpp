#pragma once

#include "hub/desk/order_desk.hpp"
#include "hub/settlement/ledger.hpp"
#include "hub/shipping/packing_slip.hpp"
#include "hub/store/image_store.hpp"
#include "hub/store/order_repository.hpp"
#include "platform/runtime/blocking_worker.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <string>
#include <vector>

// The shipping station: reorders the desk released to the lab, until they are shipped.
// Each has a packing slip (packing_slip.hpp). Once every copy of every item came out of
// the lab printer, a reorder can be marked packed (printing -> packed) and shipped (from
// printing or packed), which records the carrier and tracking number the guest's status
// page shows.
namespace encore::hub::shipping {

enum class ShipError {
    none,
    unknown_reorder,
    not_released, // unpaid or paid: the desk has not sent it to the lab
    not_printed,  // prints still missing
    already_shipped,
    already_packed,
    pickup,        // collected at the venue, not shipped
    invalid_input, // carrier or tracking number empty or malformed
};

struct ShipResult {
    ShipError error = ShipError::none;
    // For the clerk: what happened, or why not and what to do.
    std::string message;
    bool ok() const { return error == ShipError::none; }
};

struct PackingEntry {
    settlement::Reorder reorder;
    // Every copy of every item is out of the printer: it can be packed and shipped.
    bool printed = false;
};

struct ShippingSettings {
    // The paper packing slips are laid out for.
    Paper paper = Paper::a4;
};

enum class SlipError {
    none,
    unknown_reorder,
    not_released, // unpaid or paid: nothing to pack yet
    render_failed,
};

struct SlipResult {
    SlipError error = SlipError::none;
    // Why not, for the clerk; empty when it worked.
    std::string message;
    std::vector<std::byte> pdf;
    bool ok() const { return error == SlipError::none; }
};

class ShippingStation {
public:
    // Borrows the ledger, desk, images and orders; they must outlive the station. Slips
    // are drawn on a worker thread of the station's own; results come back on `loop`.
    ShippingStation(boost::asio::any_io_executor loop, settlement::Ledger& ledger,
                    desk::OrderDesk& desk, const ImageStore& images, OrderRepository& orders,
                    ShippingSettings settings = {});

    // Reorders in the lab or packed, oldest first.
    std::vector<PackingEntry> packing_list();

    // The packing slip of a reorder released to the lab (printing, packed or shipped),
    // as a PDF. Drawn off the event loop.
    boost::asio::awaitable<SlipResult> packing_slip(std::string reorder_id);

    // printing -> packed, only once every copy of every item is out of the printer.
    ShipResult pack(const std::string& reorder_id);

    ShipResult ship(const std::string& reorder_id, const std::string& carrier,
                    const std::string& tracking);

private:
    // Why a released reorder cannot be packed or shipped yet ("1 of 3 prints are out").
    std::string missing_prints(const std::string& reorder_id);

    settlement::Ledger& ledger_;
    desk::OrderDesk& desk_;
    const ImageStore& images_;
    OrderRepository& orders_;
    ShippingSettings settings_;
    platform::BlockingWorker worker_;
};

} // namespace encore::hub::shipping
