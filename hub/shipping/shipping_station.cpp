#include "hub/shipping/shipping_station.hpp"

#include "platform/log/logger.hpp"

#include <boost/asio/use_awaitable.hpp>

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

ShippingStation::ShippingStation(boost::asio::any_io_executor loop, settlement::Ledger& ledger,
                                 desk::OrderDesk& desk, const ImageStore& images,
                                 OrderRepository& orders, ShippingSettings settings)
    : ledger_(ledger)
    , desk_(desk)
    , images_(images)
    , orders_(orders)
    , settings_(settings)
    , worker_(std::move(loop), "shipping") {}

std::string ShippingStation::missing_prints(const std::string& reorder_id) {
    int printed = 0;
    int copies = 0;
    for (const auto& item : desk_.progress(reorder_id)) {
        printed += std::min(item.printed, item.copies);
        copies += item.copies;
    }
    return "reorder " + reorder_id + " is not fully printed: " + std::to_string(printed) + " of " +
           std::to_string(copies) + " prints are out";
}

boost::asio::awaitable<SlipResult> ShippingStation::packing_slip(std::string reorder_id) {
    const auto reorder = ledger_.find_reorder(reorder_id);
    if (!reorder) {
        co_return SlipResult{SlipError::unknown_reorder, "no reorder " + reorder_id, {}};
    }
    if (reorder->state != ReorderState::printing && reorder->state != ReorderState::packed &&
        reorder->state != ReorderState::shipped) {
        co_return SlipResult{SlipError::not_released,
                             "reorder " + reorder_id +
                                 " is not in the lab, so it has no packing slip: release it at "
                                 "the order desk first (it is " +
                                 std::string(settlement::to_string(reorder->state)) + ")",
                             {}};
    }
    PackingSlip slip;
    slip.reorder_id = reorder->id;
    slip.placed_at = reorder->created_at;
    slip.delivery = reorder->delivery;
    if (const auto order = orders_.find_order(reorder->order_id)) {
        slip.heading = order->event;
        slip.order_code = order->code;
    }
    for (const auto& line : reorder->lines) {
        slip.lines.push_back({line.product_label.empty() ? line.product_id : line.product_label,
                              line.quantity, line.photo_sha256});
    }
    // The originals are read on the worker too: a few MB each from disk.
    auto draw = [&images = images_, slip = std::move(slip), paper = settings_.paper]() {
        return render_packing_slip(
            slip, paper, [&images](const std::string& sha256) { return images.read(sha256); });
    };
    auto drawing = worker_.run(std::move(draw), boost::asio::use_awaitable);
    auto pdf = co_await std::move(drawing);
    if (!pdf) {
        platform::Logger("shipping")
            .error("packing slip of reorder ", reorder_id, ": ", pdf.error());
        co_return SlipResult{SlipError::render_failed,
                             "the packing slip of reorder " + reorder_id +
                                 " could not be drawn: " + pdf.error(),
                             {}};
    }
    co_return SlipResult{SlipError::none, {}, std::move(*pdf)};
}

ShipResult ShippingStation::pack(const std::string& reorder_id) {
    const auto reorder = ledger_.find_reorder(reorder_id);
    if (!reorder) {
        return {ShipError::unknown_reorder, "no reorder " + reorder_id};
    }
    if (reorder->state == ReorderState::packed) {
        return {ShipError::already_packed, "reorder " + reorder_id + " was packed already"};
    }
    if (reorder->state == ReorderState::shipped) {
        return {ShipError::already_shipped, "reorder " + reorder_id + " was shipped already"};
    }
    if (reorder->state != ReorderState::printing) {
        return {ShipError::not_released, "reorder " + reorder_id +
                                             " has not been printed: release it at the order "
                                             "desk first (it is " +
                                             std::string(settlement::to_string(reorder->state)) +
                                             ")"};
    }
    if (!desk_.printed(reorder_id)) {
        return {ShipError::not_printed, missing_prints(reorder_id) + ": pack it once all are"};
    }
    if (!ledger_.advance(reorder_id, ReorderState::printing, ReorderState::packed)) {
        return {ShipError::already_packed, "reorder " + reorder_id + " changed meanwhile"};
    }
    platform::Logger("shipping").info("reorder ", reorder_id, " packed");
    return {ShipError::none, "reorder " + reorder_id + " packed"};
}

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
    if (reorder->state != ReorderState::printing && reorder->state != ReorderState::packed) {
        return {ShipError::not_released, "reorder " + reorder_id +
                                             " has not been printed: release it at the order "
                                             "desk first (it is " +
                                             std::string(settlement::to_string(reorder->state)) +
                                             ")"};
    }
    if (!desk_.printed(reorder_id)) {
        return {ShipError::not_printed, missing_prints(reorder_id)};
    }
    if (!ledger_.mark_shipped(reorder_id, carrier, tracking)) {
        return {ShipError::already_shipped, "reorder " + reorder_id + " changed meanwhile"};
    }
    platform::Logger("shipping")
        .info("reorder ", reorder_id, " shipped with ", carrier, " ", tracking);
    return {ShipError::none, "reorder " + reorder_id + " shipped with " + carrier + " " + tracking};
}

} // namespace encore::hub::shipping
