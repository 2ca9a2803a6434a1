#pragma once

#include "hub/desk/order_desk.hpp"
#include "hub/settlement/settlement.hpp"
#include "hub/shipping/shipping_station.hpp"
#include "hub/staff/staff_login.hpp"
#include "hub/store/order_repository.hpp"
#include "hub/venue/venue_queue.hpp"
#include "platform/http/router.hpp"

// The back office's pages, plain HTML forms that work with a keyboard and on a tablet:
//   GET /desk               the order desk: paid reorders with a "Release" button each,
//                           and the reorders in the lab with their prints (desk role)
//   POST /desk/release      fields reorder, csrf → 303 back to /desk with the outcome
//   POST /desk/reprint      fields reorder, item, copies, csrf: an item of a reorder in the
//                           lab printed again
//   POST /desk/confirm      fields reorder, method (cash|voucher), voucher, csrf: a payment
//                           taken at the counter (the desk lists the reorders awaiting one)
//   POST /desk/cancel       fields reorder, reason, csrf: cancels a paid reorder not yet
//                           released, refunding all of it
//   GET /shipping           the packing list: reorders out of the lab, each with a form
//                           for carrier and tracking number once printed (shipping role)
//   POST /shipping/ship     fields reorder, carrier, tracking, csrf
//   GET /shipping/slip?reorder=ID   the reorder's packing slip (PDF), linked from the list
//   POST /shipping/pack     fields reorder, csrf: a printed reorder is packed
//   GET /back-office.css    their stylesheet
// Admins may use both. Without a login the pages answer 401 with a link to it.
// Every form carries a CSRF token derived from the login session (on top of the
// session cookie's SameSite=Strict).
namespace encore::hub::backoffice {

struct BackOffice {
    staff::StaffLogin& login;
    desk::OrderDesk& desk;
    shipping::ShippingStation& shipping;
    OrderRepository& orders;
    // Counter payments and cancellations on the desk page; without it the page shows
    // neither.
    settlement::Settlement* settlement = nullptr;
    // Pickups printed at the booth: the desk page shows where each stands (and why a
    // booth could not print it) instead of lab prints.
    venue::VenueQueue* venue = nullptr;
};

void add_backoffice_routes(platform::http::Router& router, BackOffice& office);

} // namespace encore::hub::backoffice
