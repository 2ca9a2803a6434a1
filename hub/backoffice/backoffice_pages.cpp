#include "hub/backoffice/backoffice_pages.hpp"

#include "hub/settlement/counter_provider.hpp"
#include "hub/settlement/price_list.hpp"
#include "hub/web/cookies.hpp"
#include "hub/web/html.hpp"
#include "platform/crypto/random.hpp"
#include "platform/crypto/sha256.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <charconv>

namespace encore::hub::backoffice {

namespace http = platform::http;
using web::html_escape;

namespace {

constexpr std::string_view stylesheet = R"css(
body { font: 16px/1.4 system-ui, sans-serif; margin: 0; background: #f6f6f4; color: #1a1a1a; }
main { max-width: 64rem; margin: 0 auto; padding: 1rem; }
nav a { margin-right: 1rem; }
table { border-collapse: collapse; width: 100%; background: #fff; margin: 1rem 0; }
th, td { text-align: left; padding: .5rem; border-bottom: 1px solid #ddd; vertical-align: top; }
button { font: inherit; padding: .6rem 1.2rem; min-height: 44px; cursor: pointer; }
input { font: inherit; padding: .5rem; min-height: 44px; }
.notice { padding: .75rem; background: #fff3cd; border: 1px solid #e0c46c; }
.done { color: #1b6e2a; } .waiting { color: #8a5a00; }
form.inline { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; }
)css";

// The member's CSRF token: derived from the login session's token, so it needs no
// storage and ends with the session.
std::string csrf_token(const http::Request& request) {
    const auto session = web::cookie_value(request, staff::staff_cookie_name).value_or("");
    return platform::crypto::to_hex(platform::crypto::sha256("encore back office csrf " + session));
}

bool csrf_matches(const http::Request& request) {
    const auto submitted = web::form_field(request.body(), "csrf");
    return submitted && platform::crypto::constant_time_equal(*submitted, csrf_token(request));
}

std::string navigation(const staff::StaffMember& member) {
    return "<nav><a href=\"/desk\">Order desk</a><a href=\"/shipping\">Shipping</a>"
           "<span>Signed in as " +
           html_escape(member.name) +
           "</span> <form class=\"inline\" method=\"post\" action=\"/logout\">"
           "<button type=\"submit\">Log out</button></form></nav>";
}

std::string code_of(OrderRepository& orders, const std::string& order_id) {
    const auto order = orders.find_order(order_id);
    return order ? order->code : order_id;
}

std::string lines_text(const settlement::Reorder& reorder) {
    std::string text;
    for (const auto& line : reorder.lines) {
        text +=
            (text.empty() ? "" : ", ") + std::to_string(line.quantity) + " × " + line.product_id;
    }
    return text;
}

std::string delivery_text(const settlement::Reorder& reorder) {
    if (reorder.delivery.method == settlement::DeliveryMethod::pickup) {
        return "pick up at the venue";
    }
    const auto& to = reorder.delivery;
    return to.name + ", " + to.street + ", " + to.postal_code + " " + to.city + ", " + to.country;
}

std::string hidden(std::string_view name, const std::string& value) {
    return "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" +
           html_escape(value) + "\">";
}

http::Response outcome_page(const http::Request& request, http::Status status,
                            const std::string& title, const std::string& message,
                            const std::string& back) {
    return staff::back_office_page(request, status, title,
                                   "<p class=\"notice\" role=\"status\">" + html_escape(message) +
                                       "</p><p><a href=\"" + back + "\">Back</a></p>");
}

std::string money_text(std::int64_t amount, const std::string& currency) {
    return settlement::format_amount(amount, currency);
}

// Reorders whose guests pay at the counter: the reference they show, the amount, and a
// form to confirm the cash or voucher taken.
std::string counter_section(BackOffice& office, const std::string& csrf) {
    const auto awaiting = office.settlement->ledger().reorders_awaiting_counter();
    if (awaiting.empty() && !office.settlement->counter()) {
        return {};
    }
    std::string body = "<h2>Awaiting payment at the counter</h2>";
    if (awaiting.empty()) {
        return body + "<p>No guest is waiting to pay at the counter.</p>";
    }
    body += "<table><thead><tr><th>Reference</th><th>Amount</th><th>Order</th><th>Items</th>"
            "<th></th></tr></thead><tbody>";
    for (const auto& reorder : awaiting) {
        body += "<tr><td class=\"reference\">" +
                html_escape(settlement::counter_reference(reorder.id)) + "<br><small>" +
                html_escape(reorder.id) + "</small></td><td class=\"amount\">" +
                html_escape(money_text(reorder.total, reorder.currency)) + "</td><td>" +
                html_escape(code_of(office.orders, reorder.order_id)) + "</td><td>" +
                html_escape(lines_text(reorder)) +
                // Part of the amount the clerk takes.
                html_escape(reorder.shipping > 0
                                ? ", shipping " + money_text(reorder.shipping, reorder.currency)
                                : std::string()) +
                "</td><td><form class=\"inline confirm\" method=\"post\" "
                "action=\"/desk/confirm\">" +
                hidden("reorder", reorder.id) + hidden("csrf", csrf) +
                "<label><input type=\"radio\" name=\"method\" value=\"cash\" checked> "
                "Cash</label><label><input type=\"radio\" name=\"method\" value=\"voucher\"> "
                "Voucher</label><label>Voucher code <input name=\"voucher\" maxlength=\"64\" "
                "pattern=\"[A-Za-z0-9_ \\-]+\" placeholder=\"ENC-XXXX-XXXX-XXXX\" "
                "autocomplete=\"off\" autocapitalize=\"characters\"></label><button "
                "type=\"submit\">Confirm "
                "payment</button></form></td></tr>";
    }
    return body + "</tbody></table>";
}

// Cancelling a paid reorder that is not at the lab yet refunds all of it.
std::string cancel_form(BackOffice& office, const settlement::Reorder& reorder,
                        const std::string& csrf) {
    if (office.settlement == nullptr) {
        return {};
    }
    return "<form class=\"inline cancel\" method=\"post\" action=\"/desk/cancel\">" +
           hidden("reorder", reorder.id) + hidden("csrf", csrf) +
           "<label>Reason <input name=\"reason\" required maxlength=\"500\"></label>"
           "<button type=\"submit\">Cancel and refund " +
           html_escape(money_text(reorder.charged - reorder.refunded, reorder.currency)) +
           "</button></form>";
}

// A pickup in the lab list: printed at the booth that took the order, not on the lab.
std::string venue_row(BackOffice& office, const settlement::Reorder& reorder,
                      const std::string& code) {
    const auto entry = office.venue->find(reorder.id);
    std::string where = "for pickup: not sent to a booth";
    bool done = false;
    if (entry) {
        where = "for pickup at booth " + entry->kiosk + ": " +
                std::string(venue::to_string(entry->state)) +
                (entry->reason.empty() ? "" : ": " + entry->reason);
        done = entry->state == venue::VenueState::ready ||
               entry->state == venue::VenueState::picked_up;
    }
    return "<tr><td>" + html_escape(code) + "<br><small>" + html_escape(reorder.id) +
           "</small></td><td>" + html_escape(lines_text(reorder)) + "</td><td class=\"venue " +
           (done ? "done" : "waiting") + "\">" + html_escape(where) + "</td><td></td></tr>";
}

http::Response desk_page(const http::Request& request, const staff::StaffMember& member,
                         BackOffice& office) {
    const auto csrf = csrf_token(request);
    std::string body = navigation(member);
    if (office.settlement != nullptr) {
        body += counter_section(office, csrf);
    }
    body += "<h2>Paid, waiting for the lab</h2>";
    const auto queue = office.desk.queue();
    if (queue.empty()) {
        body += "<p>No paid reorders are waiting.</p>";
    } else {
        body += "<table><thead><tr><th>Order</th><th>Items</th><th>Delivery</th><th></th></tr>"
                "</thead><tbody>";
        for (const auto& reorder : queue) {
            body += "<tr><td>" + html_escape(code_of(office.orders, reorder.order_id)) +
                    "<br><small>" + html_escape(reorder.id) + "</small></td><td>" +
                    html_escape(lines_text(reorder)) + "</td><td>" +
                    html_escape(delivery_text(reorder)) +
                    "</td><td><form method=\"post\" action=\"/desk/release\">" +
                    hidden("reorder", reorder.id) + hidden("csrf", csrf) +
                    "<button type=\"submit\">Release to the lab</button></form>" +
                    cancel_form(office, reorder, csrf) + "</td></tr>";
        }
        body += "</tbody></table>";
    }
    body += "<h2>In the lab</h2>";
    const auto in_lab = office.shipping.packing_list();
    if (in_lab.empty()) {
        body += "<p>Nothing is printing.</p>";
    } else {
        body += "<table><thead><tr><th>Order</th><th>Item</th><th>Prints</th><th></th></tr>"
                "</thead><tbody>";
        for (const auto& entry : in_lab) {
            const auto code = code_of(office.orders, entry.reorder.order_id);
            if (entry.reorder.delivery.method == settlement::DeliveryMethod::pickup &&
                office.venue != nullptr) {
                body += venue_row(office, entry.reorder, code);
                continue;
            }
            for (const auto& item : office.desk.progress(entry.reorder.id)) {
                const auto item_number = std::to_string(item.item);
                body += "<tr><td>" + html_escape(code) + "<br><small>" +
                        html_escape(entry.reorder.id) + "</small></td><td>" + item_number + ". " +
                        html_escape(item.product_id) + "</td><td class=\"" +
                        (item.printed >= item.copies ? "done" : "waiting") + "\">" +
                        html_escape(std::to_string(item.printed) + "/" +
                                    std::to_string(item.copies) + " " + item.state +
                                    (item.message.empty() ? "" : ": " + item.message)) +
                        "</td><td><form class=\"inline reprint\" method=\"post\" "
                        "action=\"/desk/reprint\">" +
                        hidden("reorder", entry.reorder.id) + hidden("item", item_number) +
                        hidden("csrf", csrf) +
                        "<label>Copies <input name=\"copies\" type=\"number\" min=\"1\" "
                        "max=\"99\" value=\"1\" required></label><button "
                        "type=\"submit\">Reprint</button></form></td></tr>";
            }
        }
        body += "</tbody></table>";
    }
    return staff::back_office_page(request, http::Status::ok, "Order desk", body);
}

http::Response shipping_page(const http::Request& request, const staff::StaffMember& member,
                             BackOffice& office) {
    const auto csrf = csrf_token(request);
    std::string body = navigation(member);
    body += "<h2>Packing list</h2>";
    const auto list = office.shipping.packing_list();
    if (list.empty()) {
        body += "<p>Nothing to pack.</p>";
    } else {
        body += "<table><thead><tr><th>Order</th><th>Items</th><th>Delivery</th><th></th></tr>"
                "</thead><tbody>";
        for (const auto& entry : list) {
            const auto& reorder = entry.reorder;
            body += "<tr><td>" + html_escape(code_of(office.orders, reorder.order_id)) +
                    "<br><small>" + html_escape(reorder.id) + "</small></td><td>" +
                    html_escape(lines_text(reorder)) + "</td><td>" +
                    html_escape(delivery_text(reorder)) + "</td><td>";
            // The slip opens in a tab of its own, to print; the list stays where it was.
            body +=
                "<p><a class=\"slip\" href=\"/shipping/slip?reorder=" + html_escape(reorder.id) +
                "\" target=\"_blank\" rel=\"noopener\">Packing slip (PDF)</a></p>";
            if (entry.printed && reorder.state == settlement::ReorderState::printing) {
                body += "<form class=\"inline\" method=\"post\" action=\"/shipping/pack\">" +
                        hidden("reorder", reorder.id) + hidden("csrf", csrf) +
                        "<button type=\"submit\">Mark packed</button></form>";
            } else if (reorder.state == settlement::ReorderState::packed) {
                body += "<p class=\"done\">Packed</p>";
            }
            if (!entry.printed) {
                body += "<span class=\"waiting\">still printing</span>";
            } else if (reorder.delivery.method == settlement::DeliveryMethod::pickup) {
                body += "<span>for pickup at the venue</span>";
            } else {
                body += "<form class=\"inline\" method=\"post\" action=\"/shipping/ship\">" +
                        hidden("reorder", reorder.id) + hidden("csrf", csrf) +
                        "<label>Carrier <input name=\"carrier\" required maxlength=\"40\">"
                        "</label><label>Tracking <input name=\"tracking\" required "
                        "maxlength=\"64\" pattern=\"[A-Za-z0-9-]+\"></label>"
                        "<button type=\"submit\">Shipped</button></form>";
            }
            body += "</td></tr>";
        }
        body += "</tbody></table>";
    }
    return staff::back_office_page(request, http::Status::ok, "Shipping", body);
}

} // namespace

void add_backoffice_routes(http::Router& router, BackOffice& office) {
    router.add(http::Method::get, "/back-office.css",
               [](const http::Request& request) -> boost::asio::awaitable<http::Response> {
                   auto response = http::text_response(request, http::Status::ok,
                                                       std::string(stylesheet), "text/css");
                   response.set("X-Content-Type-Options", "nosniff");
                   co_return response;
               });
    router.add(http::Method::get, "/desk",
               [&office](const http::Request& request) -> boost::asio::awaitable<http::Response> {
                   auto signed_in = office.login.require(request, staff::Role::desk);
                   if (auto* refusal = std::get_if<http::Response>(&signed_in)) {
                       co_return std::move(*refusal);
                   }
                   co_return desk_page(request, std::get<staff::StaffMember>(signed_in), office);
               });
    router.add(http::Method::post, "/desk/release",
               [&office](const http::Request& request) -> boost::asio::awaitable<http::Response> {
                   auto signed_in = office.login.require(request, staff::Role::desk);
                   if (auto* refusal = std::get_if<http::Response>(&signed_in)) {
                       co_return std::move(*refusal);
                   }
                   if (!csrf_matches(request)) {
                       co_return outcome_page(request, http::Status::forbidden, "Not released",
                                              "The form was stale: open the desk again.", "/desk");
                   }
                   const auto reorder = web::form_field(request.body(), "reorder").value_or("");
                   auto releasing = office.desk.release(reorder, std::nullopt);
                   const auto result = co_await std::move(releasing);
                   co_return outcome_page(
                       request, result.ok() ? http::Status::ok : http::Status::conflict,
                       result.ok() ? "Released" : "Not released", result.message, "/desk");
               });
    router.add(http::Method::post, "/desk/reprint",
               [&office](const http::Request& request) -> boost::asio::awaitable<http::Response> {
                   auto signed_in = office.login.require(request, staff::Role::desk);
                   if (auto* refusal = std::get_if<http::Response>(&signed_in)) {
                       co_return std::move(*refusal);
                   }
                   if (!csrf_matches(request)) {
                       co_return outcome_page(request, http::Status::forbidden, "Not reprinted",
                                              "The form was stale: open the desk again.", "/desk");
                   }
                   const auto number = [&request](std::string_view name) {
                       const auto text = web::form_field(request.body(), name).value_or("");
                       int value = 0;
                       const auto [end, error] =
                           std::from_chars(text.data(), text.data() + text.size(), value);
                       return error == std::errc() && end == text.data() + text.size() ? value : 0;
                   };
                   const auto reorder = web::form_field(request.body(), "reorder").value_or("");
                   auto reprinting =
                       office.desk.reprint(reorder, number("item"), number("copies"), std::nullopt);
                   const auto result = co_await std::move(reprinting);
                   co_return outcome_page(
                       request, result.ok() ? http::Status::ok : http::Status::conflict,
                       result.ok() ? "Reprinting" : "Not reprinted", result.message, "/desk");
               });
    router.add(
        http::Method::post, "/desk/confirm",
        [&office](const http::Request& request) -> boost::asio::awaitable<http::Response> {
            auto signed_in = office.login.require(request, staff::Role::desk);
            if (auto* refusal = std::get_if<http::Response>(&signed_in)) {
                co_return std::move(*refusal);
            }
            if (!csrf_matches(request)) {
                co_return outcome_page(request, http::Status::forbidden, "Not confirmed",
                                       "The form was stale: open the desk again.", "/desk");
            }
            if (office.settlement == nullptr) {
                co_return outcome_page(request, http::Status::service_unavailable, "Not confirmed",
                                       "This hub runs without settlement.", "/desk");
            }
            const auto field = [&request](std::string_view name) {
                return web::form_field(request.body(), name).value_or("");
            };
            const auto method = field("method") == "voucher" ? settlement::CounterMethod::voucher
                                                             : settlement::CounterMethod::cash;
            const auto result =
                office.settlement->confirm_at_counter(field("reorder"), method, field("voucher"));
            const bool ok = result.outcome == settlement::ConfirmOutcome::paid ||
                            result.outcome == settlement::ConfirmOutcome::already_paid;
            co_return outcome_page(request, ok ? http::Status::ok : http::Status::conflict,
                                   result.outcome == settlement::ConfirmOutcome::paid ? "Paid"
                                   : ok ? "Already paid"
                                        : "Not confirmed",
                                   result.message, "/desk");
        });
    router.add(
        http::Method::post, "/desk/cancel",
        [&office](const http::Request& request) -> boost::asio::awaitable<http::Response> {
            auto signed_in = office.login.require(request, staff::Role::desk);
            if (auto* refusal = std::get_if<http::Response>(&signed_in)) {
                co_return std::move(*refusal);
            }
            if (!csrf_matches(request)) {
                co_return outcome_page(request, http::Status::forbidden, "Not cancelled",
                                       "The form was stale: open the desk again.", "/desk");
            }
            if (office.settlement == nullptr) {
                co_return outcome_page(request, http::Status::service_unavailable, "Not cancelled",
                                       "This hub runs without settlement.", "/desk");
            }
            const auto reorder = web::form_field(request.body(), "reorder").value_or("");
            const auto reason = web::form_field(request.body(), "reason").value_or("");
            auto cancelling = office.settlement->cancel(reorder, reason);
            const auto result = co_await std::move(cancelling);
            const bool ok = result.ok() || result.error == settlement::CancelError::refund_pending;
            co_return outcome_page(request, ok ? http::Status::ok : http::Status::conflict,
                                   ok ? "Cancelled" : "Not cancelled", result.message, "/desk");
        });
    router.add(http::Method::get, "/shipping",
               [&office](const http::Request& request) -> boost::asio::awaitable<http::Response> {
                   auto signed_in = office.login.require(request, staff::Role::shipping);
                   if (auto* refusal = std::get_if<http::Response>(&signed_in)) {
                       co_return std::move(*refusal);
                   }
                   co_return shipping_page(request, std::get<staff::StaffMember>(signed_in),
                                           office);
               });
    router.add(http::Method::post, "/shipping/ship",
               [&office](const http::Request& request) -> boost::asio::awaitable<http::Response> {
                   auto signed_in = office.login.require(request, staff::Role::shipping);
                   if (auto* refusal = std::get_if<http::Response>(&signed_in)) {
                       co_return std::move(*refusal);
                   }
                   if (!csrf_matches(request)) {
                       co_return outcome_page(request, http::Status::forbidden, "Not shipped",
                                              "The form was stale: open the packing list again.",
                                              "/shipping");
                   }
                   const auto field = [&request](std::string_view name) {
                       return web::form_field(request.body(), name).value_or("");
                   };
                   const auto result =
                       office.shipping.ship(field("reorder"), field("carrier"), field("tracking"));
                   co_return outcome_page(
                       request, result.ok() ? http::Status::ok : http::Status::conflict,
                       result.ok() ? "Shipped" : "Not shipped", result.message, "/shipping");
               });
    router.add(http::Method::get, "/shipping/slip",
               [&office](const http::Request& request) -> boost::asio::awaitable<http::Response> {
                   auto signed_in = office.login.require(request, staff::Role::shipping);
                   if (auto* refusal = std::get_if<http::Response>(&signed_in)) {
                       co_return std::move(*refusal);
                   }
                   const auto reorder = http::query_parameter(request, "reorder").value_or("");
                   auto drawing = office.shipping.packing_slip(reorder);
                   const auto slip = co_await std::move(drawing);
                   if (!slip.ok()) {
                       const auto status = slip.error == shipping::SlipError::unknown_reorder
                                               ? http::Status::not_found
                                           : slip.error == shipping::SlipError::not_released
                                               ? http::Status::conflict
                                               : http::Status::internal_server_error;
                       co_return outcome_page(request, status, "No packing slip", slip.message,
                                              "/shipping");
                   }
                   auto response = http::text_response(
                       request, http::Status::ok,
                       std::string(reinterpret_cast<const char*>(slip.pdf.data()), slip.pdf.size()),
                       "application/pdf");
                   response.set(boost::beast::http::field::content_disposition,
                                "inline; filename=\"packing-slip-" + reorder + ".pdf\"");
                   co_return response;
               });
    router.add(http::Method::post, "/shipping/pack",
               [&office](const http::Request& request) -> boost::asio::awaitable<http::Response> {
                   auto signed_in = office.login.require(request, staff::Role::shipping);
                   if (auto* refusal = std::get_if<http::Response>(&signed_in)) {
                       co_return std::move(*refusal);
                   }
                   if (!csrf_matches(request)) {
                       co_return outcome_page(request, http::Status::forbidden, "Not packed",
                                              "The form was stale: open the packing list again.",
                                              "/shipping");
                   }
                   const auto reorder = web::form_field(request.body(), "reorder").value_or("");
                   const auto result = office.shipping.pack(reorder);
                   co_return outcome_page(
                       request, result.ok() ? http::Status::ok : http::Status::conflict,
                       result.ok() ? "Packed" : "Not packed", result.message, "/shipping");
               });
}

} // namespace encore::hub::backoffice
