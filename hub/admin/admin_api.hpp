#pragma once

#include "hub/desk/order_desk.hpp"
#include "hub/intake/intake_server.hpp"
#include "hub/intake/kiosk_registry.hpp"
#include "hub/settlement/settlement.hpp"
#include "hub/shipping/shipping_station.hpp"
#include "hub/staff/staff_directory.hpp"
#include "hub/store/image_store.hpp"
#include "hub/store/order_repository.hpp"
#include "platform/http/router.hpp"

#include <filesystem>
#include <string>

namespace encore::hub {

// Reads DATA/admin.token, creating it (mode 0600, 256 random bits) on first start.
std::string load_or_create_admin_token(const std::filesystem::path& data_dir);

struct AdminContext {
    std::string admin_token;
    platform::Endpoint kiosk_link; // as kiosks reach it, for join tokens
    std::string public_url;
    KioskRegistry& registry;
    IntakeServer& intake;
    ImageStore& images;
    OrderRepository& orders;
    staff::StaffDirectory& staff;
    desk::OrderDesk& desk;
    shipping::ShippingStation& shipping;
    settlement::Ledger& settlement_ledger;
    // Counter confirmations, refunds and cancellations; their routes answer 503 without.
    settlement::Settlement* settlement = nullptr;
};

// The back office's JSON API under /api/ on the private listener, used by `encore`.
// Every route needs "Authorization: Bearer <admin token>". docs/operations.md lists
// the routes.
void add_admin_routes(platform::http::Router& router, AdminContext& context);

} // namespace encore::hub
