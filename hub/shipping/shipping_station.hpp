#pragma once

#include "hub/desk/order_desk.hpp"
#include "hub/settlement/ledger.hpp"

#include <string>
#include <vector>

// The shipping station: reorders the desk released to the lab, until they are shipped.
// A reorder ships only once every copy of every item came out of the lab printer; it
// then records the carrier and tracking number, which the guest's status page shows.
namespace encore::hub::shipping {

enum class ShipError {
    none,
    unknown_reorder,
    not_released, // unpaid or paid: the desk has not sent it to the lab
    not_printed,  // prints still missing
    already_shipped,
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

class ShippingStation {
public:
    // Borrows both; they must outlive the station.
    ShippingStation(settlement::Ledger& ledger, desk::OrderDesk& desk);

    // Reorders in the lab or packed, oldest first.
    std::vector<PackingEntry> packing_list();

    ShipResult ship(const std::string& reorder_id, const std::string& carrier,
                    const std::string& tracking);

private:
    settlement::Ledger& ledger_;
    desk::OrderDesk& desk_;
};

} // namespace encore::hub::shipping
