#include "hub/shipping/shipping_station.hpp"

#include "platform/log/logger.hpp"

#include <algorithm>

namespace encore::hub::shipping {

using settlement::ReorderState;

namespace {

// Carriers are names people type ("DHL", "La Poste"); tracking numbers letters, digits
// and dashes.
bool valid_carrier(const std::string& carrier) {
    return !carrier.empty() && carrier.size() <= 40 &&
           std::all_of(carrier.begin(), carrier.end(),
                       [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
}

bool valid_tracking(const std::string& tracking) {
    return !tracking.empty() && tracking.size() <= 64 &&
           std::all_of(tracking.begin(), tracking.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      c == '-';
           });
}

} // namespace

ShippingStation::ShippingStation(settlement::Ledger& ledger, desk::OrderDesk& desk)
    : ledger_(ledger)
    , desk_(desk) {}

std::vector<PackingEntry> ShippingStation::packing_list() {
    std::vector<PackingEntry> list;
    for (const auto state : {ReorderState::printing, ReorderState::packed}) {
        for (auto& reorder : ledger_.reorders_in_state(state)) {
            const bool printed = desk_.printed(reorder.id);
            list.push_back({std::move(reorder), printed});
        }
    }
    return list;
}

ShipResult ShippingStation::ship(const std::string& reorder_id, const std::string& carrier,
                                 const std::string& tracking) {
    if (!valid_carrier(carrier) || !valid_tracking(tracking)) {
        return {ShipError::invalid_input,
                "give the carrier (up to 40 characters) and its tracking number (letters, "
                "digits and '-', up to 64)"};
    }
    const auto reorder = ledger_.find_reorder(reorder_id);
    if (!reorder) {
        return {ShipError::unknown_reorder, "no reorder " + reorder_id};
    }
    if (reorder->delivery.method == settlement::DeliveryMethod::pickup) {
        return {ShipError::pickup,
                "reorder " + reorder_id + " is picked up at the venue, not shipped"};
    }
    if (reorder->state == ReorderState::shipped) {
        return {ShipError::already_shipped, "reorder " + reorder_id + " was shipped already (" +
                                                reorder->carrier + " " + reorder->tracking + ")"};
    }
    if (reorder->state == ReorderState::unpaid || reorder->state == ReorderState::paid) {
        return {ShipError::not_released, "reorder " + reorder_id +
                                             " has not been printed: release it at the order "
                                             "desk first (it is " +
                                             std::string(settlement::to_string(reorder->state)) +
                                             ")"};
    }
    if (!desk_.printed(reorder_id)) {
        int printed = 0;
        int copies = 0;
        for (const auto& item : desk_.progress(reorder_id)) {
            printed += item.printed;
            copies += item.copies;
        }
        return {ShipError::not_printed, "reorder " + reorder_id +
                                            " is not fully printed: " + std::to_string(printed) +
                                            " of " + std::to_string(copies) + " prints are out"};
    }
    if (!ledger_.mark_shipped(reorder_id, carrier, tracking)) {
        return {ShipError::already_shipped, "reorder " + reorder_id + " changed meanwhile"};
    }
    platform::Logger("shipping")
        .info("reorder ", reorder_id, " shipped with ", carrier, " ", tracking);
    return {ShipError::none, "reorder " + reorder_id + " shipped with " + carrier + " " + tracking};
}

} // namespace encore::hub::shipping
