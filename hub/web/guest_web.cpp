#include "hub/web/guest_web.hpp"

#include "hub/settlement/counter_provider.hpp"
#include "hub/web/assets.hpp"
#include "hub/web/cookies.hpp"
#include "hub/web/html.hpp"
#include "hub/web/short_code.hpp"
#include "hub/web/strings.hpp"
#include "platform/crypto/random.hpp"
#include "platform/crypto/sha256.hpp"
#include "platform/log/logger.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <charconv>

namespace encore::hub::web {

namespace http = platform::http;
namespace crypto = platform::crypto;
using boost::beast::http::field;

// What every handler of one request needs to know: the page's language and the
// headers it must add whatever it answers.
struct RequestContext {
    Language language = Language::en;
    // Set when ?lang= chose a language: remembered in a cookie.
    std::optional<std::string> language_cookie;
};

// What the guest typed into the checkout form, kept when it comes back with a notice.
struct CheckoutForm {
    std::string delivery = "ship";
    // "online" (the provider's hosted checkout) or "counter".
    std::string payment = "online";
    std::string name;
    std::string street;
    std::string postal_code;
    std::string city;
    std::string country;
    // Names of the fields to mark as invalid.
    std::vector<std::string> invalid;
    std::optional<Text> notice;
};

namespace {

constexpr std::string_view token_prefix = "/o/";
constexpr std::string_view reorders_prefix = "/order/reorders/";
constexpr std::string_view pay_suffix = "/pay";
constexpr std::string_view photos_prefix = "/order/photos/";
constexpr std::string_view thumb_suffix = "/thumb";
constexpr std::string_view assets_prefix = "/assets/";
// The QR link's token is 16 random bytes (22 characters); anything far outside that
// is not worth a database lookup.
constexpr std::size_t shortest_token = 16;
constexpr std::size_t longest_token = 128;
// A typed code is a dozen characters; this leaves room for full-width input.
constexpr std::size_t longest_typed_code = 64;

bool is_base64url(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
}

// Every photo of the order is in the image store: the order will not change again.
bool is_complete(const StoredOrder& order) {
    return std::all_of(order.photos.begin(), order.photos.end(),
                       [](const StoredPhoto& photo) { return photo.stored; });
}

std::string replace_all(std::string text, std::string_view placeholder, std::string_view value) {
    for (auto at = text.find(placeholder); at != std::string::npos;
         at = text.find(placeholder, at + value.size())) {
        text.replace(at, placeholder.size(), value);
    }
    return text;
}

http::Response respond(const http::Request& request, const RequestContext& context,
                       http::Status status, std::string body, std::string_view content_type) {
    // text_response sets Referrer-Policy and X-Content-Type-Options.
    auto response = http::text_response(request, status, std::move(body), content_type);
    response.set("Content-Security-Policy", content_security_policy);
    if (context.language_cookie) {
        response.insert(field::set_cookie,
                        set_cookie_value(language_cookie_name, *context.language_cookie,
                                         SameSite::lax, std::chrono::hours(24 * 365)));
    }
    return response;
}

// Every page of the guest site.
constexpr std::string_view html_content_type = "text/html; charset=utf-8";

// A whole page: `main` is already escaped HTML. `switch_path` is where the language
// links point (the page itself, or "/" for answers to a form).
std::string page(Language language, Text title, std::string_view main,
                 std::string_view switch_path) {
    std::string html = "<!doctype html>\n<html lang=\"";
    html += language_tag(language);
    html += "\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>";
    html += html_escape(text(language, title));
    html += "</title>\n<link rel=\"stylesheet\" href=\"/assets/guest.css\">\n"
            "<script src=\"/assets/guest.js\" defer></script>\n</head>\n<body>\n";
    html += main;
    html += "<footer>\n<nav class=\"languages\" aria-label=\"";
    html += html_escape(text(language, Text::language_switch));
    html += "\">\n";
    for (const auto other : all_languages) {
        html += "<a href=\"";
        html += html_escape(switch_path);
        html += "?lang=";
        html += language_tag(other);
        html += "\" lang=\"";
        html += language_tag(other);
        html += "\" hreflang=\"";
        html += language_tag(other);
        html += other == language ? "\" aria-current=\"true\">" : "\">";
        html += html_escape(language_name(other));
        html += "</a>\n";
    }
    html += "</nav>\n</footer>\n</body>\n</html>\n";
    return html;
}

http::Response html_page(const http::Request& request, const RequestContext& context,
                         http::Status status, Text title, std::string_view main,
                         std::string_view switch_path) {
    return respond(request, context, status, page(context.language, title, main, switch_path),
                   html_content_type);
}

// A page with a heading, one sentence and a way back to the code form.
http::Response message_page(const http::Request& request, const RequestContext& context,
                            http::Status status, Text heading, Text message) {
    std::string main = "<main class=\"narrow\">\n<h1>";
    main += html_escape(text(context.language, heading));
    main += "</h1>\n<p>";
    main += html_escape(text(context.language, message));
    main += "</p>\n<p><a class=\"button\" href=\"/\">";
    main += html_escape(text(context.language, Text::back_to_start));
    main += "</a></p>\n</main>\n";
    return html_page(request, context, status, heading, main, "/");
}

http::Response not_found(const http::Request& request, const RequestContext& context) {
    return message_page(request, context, http::Status::not_found, Text::not_found_heading,
                        Text::not_found_body);
}

// The landing page's form, with `notice` (a translated sentence) above it and the
// guest's input kept in the field.
http::Response code_form(const http::Request& request, const RequestContext& context,
                         http::Status status, const std::string& csrf_token,
                         std::optional<Text> notice, std::string_view typed = {}) {
    const auto language = context.language;
    std::string main = "<main class=\"narrow\">\n<h1>";
    main += html_escape(text(language, Text::landing_heading));
    main += "</h1>\n<p>";
    main += html_escape(text(language, Text::landing_intro));
    main += "</p>\n";
    if (notice) {
        main += "<p class=\"notice\" role=\"alert\">";
        main += html_escape(text(language, *notice));
        main += "</p>\n";
    }
    main += "<form class=\"code-form\" method=\"post\" action=\"/find\">\n"
            "<input type=\"hidden\" name=\"csrf\" value=\"";
    main += html_escape(csrf_token);
    main += "\">\n<label for=\"code\">";
    main += html_escape(text(language, Text::code_label));
    main += "</label>\n<input id=\"code\" name=\"code\" value=\"";
    main += html_escape(typed.substr(0, longest_typed_code));
    main += "\" autocomplete=\"off\" autocapitalize=\"characters\" spellcheck=\"false\" "
            "maxlength=\"32\" required>\n<button type=\"submit\">";
    main += html_escape(text(language, Text::code_submit));
    main += "</button>\n</form>\n</main>\n";
    return html_page(request, context, status, Text::site_title, main, "/");
}

// The form's CSRF secret: the browser's cookie when it holds a usable one, else a
// fresh one that the response must set.
struct FormSecret {
    std::string token;
    bool is_new = false;
};

FormSecret form_secret(const http::Request& request) {
    const auto existing = cookie_value(request, csrf_cookie_name);
    if (existing && csrf_tokens_match(existing, existing) && is_base64url(*existing)) {
        return {*existing, false};
    }
    return {crypto::random_token(16), true};
}

void remember_form_secret(http::Response& response, const FormSecret& secret) {
    if (secret.is_new) {
        response.insert(field::set_cookie,
                        set_cookie_value(csrf_cookie_name, secret.token, SameSite::strict));
    }
}

// 303 to the order page with the new session's cookie. The Location is a fixed path:
// the token that opened the order never appears in a URL again.
http::Response open_session(const http::Request& request, const RequestContext& context,
                            const GuestSession& session) {
    auto response = respond(request, context, http::Status::see_other,
                            "<!doctype html>\n<a href=\"/order\">/order</a>\n", html_content_type);
    response.set(field::location, "/order");
    response.insert(field::set_cookie,
                    set_cookie_value(session_cookie_name, session.id, SameSite::lax));
    return response;
}

bool is_head_or_get(const http::Request& request) {
    return request.method() == http::Method::get || request.method() == http::Method::head;
}

// A reorder id as the ledger makes them (a UUID): anything else is not looked up.
bool is_reorder_id(std::string_view id) {
    return id.size() == 36 && std::all_of(id.begin(), id.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-';
           });
}

http::Response see_other(const http::Request& request, const RequestContext& context,
                         const std::string& location) {
    auto response = respond(request, context, http::Status::see_other,
                            "<!doctype html>\n<a href=\"" + html_escape(location) + "\">" +
                                html_escape(location) + "</a>\n",
                            html_content_type);
    response.set(field::location, location);
    return response;
}

std::string product_name(Language language, std::string_view product_id, std::string_view label) {
    const auto key = product_id == "strip" ? Text::product_strip : Text::product_print;
    return replace_all(std::string(text(language, key)), "{size}", label);
}

// "Photo 2 of 5", the way the gallery names the photo; the hash when the order no
// longer lists it.
std::string photo_name(Language language, const StoredOrder& order, std::string_view sha256) {
    for (std::size_t index = 0; index < order.photos.size(); ++index) {
        if (order.photos[index].sha256 == sha256) {
            return replace_all(replace_all(std::string(text(language, Text::photo_alt)), "{n}",
                                           std::to_string(index + 1)),
                               "{total}", std::to_string(order.photos.size()));
        }
    }
    return std::string(sha256.substr(0, 12));
}

Text state_text(settlement::ReorderState state) {
    switch (state) {
    case settlement::ReorderState::unpaid:
        return Text::state_unpaid;
    case settlement::ReorderState::paid:
        return Text::state_paid;
    case settlement::ReorderState::printing:
        return Text::state_printing;
    case settlement::ReorderState::packed:
        return Text::state_packed;
    case settlement::ReorderState::shipped:
        return Text::state_shipped;
    case settlement::ReorderState::cancelled:
        return Text::state_cancelled;
    }
    return Text::state_unpaid;
}

// The reorder's state as the guest reads it; a cancelled one says what came back.
std::string state_label(Language language, const settlement::Reorder& reorder) {
    // A refund the provider refused is settled by hand: the page then says only
    // "Cancelled".
    if (reorder.state == settlement::ReorderState::cancelled &&
        reorder.refunded + reorder.refunding > 0) {
        const bool pending = reorder.refunding > 0;
        return replace_all(
            std::string(text(language,
                             pending ? Text::cancelled_refund_pending : Text::cancelled_refunded)),
            "{amount}",
            format_money(language,
                         pending ? reorder.refunded + reorder.refunding : reorder.refunded,
                         reorder.currency));
    }
    // A pickup is printed at the venue: packed there means ready, shipped picked up.
    if (reorder.delivery.method == settlement::DeliveryMethod::pickup) {
        if (reorder.state == settlement::ReorderState::packed) {
            return std::string(text(language, Text::state_ready_for_pickup));
        }
        if (reorder.state == settlement::ReorderState::shipped) {
            return std::string(text(language, Text::state_picked_up));
        }
    }
    return std::string(text(language, state_text(reorder.state)));
}

std::string trimmed(std::string_view value) {
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
    }
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
        value.remove_suffix(1);
    }
    return std::string(value);
}

// Printable text of 1 to `longest` bytes: no control characters (a newline in a name
// would break a shipping label).
bool is_address_text(std::string_view value, std::size_t longest) {
    return !value.empty() && value.size() <= longest &&
           std::none_of(value.begin(), value.end(),
                        [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::string hidden_field(std::string_view name, std::string_view value) {
    return "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" +
           html_escape(value) + "\">\n";
}

// One labelled input of the address form.
std::string address_input(Language language, const CheckoutForm& form, std::string_view name,
                          Text label, const std::string& value, std::string_view autocomplete,
                          std::size_t max_length) {
    const bool invalid =
        std::find(form.invalid.begin(), form.invalid.end(), name) != form.invalid.end();
    std::string html = "<label for=\"address-" + std::string(name) + "\">";
    html += html_escape(text(language, label));
    html += "</label>\n<input id=\"address-" + std::string(name) + "\" name=\"" +
            std::string(name) + "\" value=\"";
    html += html_escape(value);
    html += "\" autocomplete=\"" + std::string(autocomplete) + "\" maxlength=\"" +
            std::to_string(max_length) + "\"";
    html += invalid ? " aria-invalid=\"true\">\n" : ">\n";
    return html;
}

// The "order more prints" section of the order page: products with prices, the cart,
// the delivery form and checkout, and the reorders placed so far.
std::string reorder_section(Language language, const settlement::Settlement& settlement,
                            const GuestSession& session, const StoredOrder& order,
                            const std::vector<CartLine>& cart, const CheckoutForm& form,
                            const std::vector<settlement::Reorder>& reorders) {
    const auto& prices = settlement.prices(order.event);
    std::string html = "<section class=\"more-prints\" id=\"more-prints\">\n<h2>";
    html += html_escape(text(language, Text::more_prints_heading));
    html += "</h2>\n";
    if (form.notice) {
        html += "<p class=\"notice\" role=\"alert\">";
        html += html_escape(text(language, *form.notice));
        html += "</p>\n";
    }
    html += "<p>";
    html += html_escape(text(language, Text::more_prints_intro));
    html += "</p>\n<form class=\"add-to-cart\" method=\"post\" action=\"/order/cart\">\n";
    html += hidden_field("csrf", session.csrf_token);
    html += "<label for=\"cart-photo\">";
    html += html_escape(text(language, Text::photo_field));
    html += "</label>\n<select id=\"cart-photo\" name=\"photo\">\n";
    for (const auto& photo : order.photos) {
        if (photo.stored && is_sha256_hex(photo.sha256)) {
            html += "<option value=\"" + html_escape(photo.sha256) + "\">";
            html += html_escape(photo_name(language, order, photo.sha256));
            html += "</option>\n";
        }
    }
    html += "</select>\n<label for=\"cart-product\">";
    html += html_escape(text(language, Text::product_field));
    html += "</label>\n<select id=\"cart-product\" name=\"product\">\n";
    for (const auto& product : prices.products) {
        html += "<option value=\"" + html_escape(product.id) + "\">";
        html += html_escape(product_name(language, product.id, product.label) + " · " +
                            format_money(language, product.unit_price, prices.currency));
        html += "</option>\n";
    }
    html += "</select>\n<label for=\"cart-quantity\">";
    html += html_escape(text(language, Text::quantity_field));
    html += "</label>\n<input id=\"cart-quantity\" name=\"quantity\" type=\"number\" "
            "inputmode=\"numeric\" min=\"1\" max=\"" +
            std::to_string(max_cart_quantity) +
            "\" value=\"1\" required>\n<button type=\"submit\">";
    html += html_escape(text(language, Text::add_to_cart));
    html += "</button>\n</form>\n<h3 id=\"cart\">";
    html += html_escape(text(language, Text::cart_heading));
    html += "</h3>\n";
    // A line whose product the event no longer offers (the price list changed since it
    // was added) is left out, and checkout refuses it.
    std::vector<std::pair<const CartLine*, const settlement::Product*>> offered;
    for (const auto& line : cart) {
        if (const auto* product = prices.find(line.product_id)) {
            offered.emplace_back(&line, product);
        }
    }
    if (offered.size() < cart.size() && form.notice != Text::cart_line_withdrawn) {
        html += "<p class=\"notice\" role=\"alert\">";
        html += html_escape(text(language, Text::cart_line_withdrawn));
        html += "</p>\n";
    }
    if (offered.empty()) {
        html += "<p class=\"cart-empty\">";
        html += html_escape(text(language, Text::cart_empty));
        html += "</p>\n";
    } else {
        std::int64_t total = 0;
        html += "<table class=\"cart\">\n<tbody>\n";
        for (const auto& [line_pointer, product] : offered) {
            const auto& line = *line_pointer;
            const auto amount = product->unit_price * line.quantity;
            total += amount;
            html += "<tr><td>" + html_escape(photo_name(language, order, line.photo_sha256)) +
                    "</td><td class=\"product\">" +
                    html_escape(product_name(language, product->id, product->label)) +
                    "</td><td class=\"quantity\">× " + std::to_string(line.quantity) +
                    "</td><td class=\"amount\">" +
                    html_escape(format_money(language, amount, prices.currency)) + "</td><td>";
            html += "<form class=\"remove\" method=\"post\" action=\"/order/cart/remove\">\n";
            html += hidden_field("csrf", session.csrf_token);
            html += hidden_field("photo", line.photo_sha256);
            html += hidden_field("product", line.product_id);
            html += "<button type=\"submit\">" + html_escape(text(language, Text::cart_remove)) +
                    "</button>\n</form></td></tr>\n";
        }
        const auto footer_row = [&](Text label, std::string_view cell_class, std::int64_t amount) {
            return "<tr><th colspan=\"3\">" + html_escape(text(language, label)) +
                   "</th><td class=\"" + std::string(cell_class) + "\">" +
                   html_escape(format_money(language, amount, prices.currency)) +
                   "</td><td></td></tr>\n";
        };
        html += "</tbody>\n<tfoot>";
        if (prices.shipping > 0) {
            // The delivery is chosen below, on the same form, and the page runs no script:
            // the total says it includes shipping, and pickup's own total is shown beside it.
            html += footer_row(Text::shipping_cost, "amount shipping", prices.shipping);
            html += footer_row(Text::total_with_shipping, "amount total", total + prices.shipping);
            if (settlement.venue_pickup(order.event)) {
                html += footer_row(Text::total_with_pickup, "amount pickup-total", total);
            }
        } else {
            html += footer_row(Text::cart_total, "amount total", total);
        }
        html += "</tfoot>\n</table>\n";
        html += "<form class=\"checkout\" method=\"post\" action=\"/order/checkout\">\n";
        html += hidden_field("csrf", session.csrf_token);
        // Chosen when the form is shown: the same form sent twice places one reorder.
        html += hidden_field("key", crypto::random_token(16));
        html += "<fieldset>\n<legend>";
        html += html_escape(text(language, Text::delivery_heading));
        html += "</legend>\n<label><input type=\"radio\" name=\"delivery\" value=\"ship\"";
        html += form.delivery != "pickup" ? " checked>" : ">";
        html += html_escape(text(language, Text::delivery_ship));
        html += "</label>\n";
        if (settlement.venue_pickup(order.event)) {
            html += "<label><input type=\"radio\" name=\"delivery\" value=\"pickup\"";
            html += form.delivery == "pickup" ? " checked>" : ">";
            html += html_escape(text(language, Text::delivery_pickup));
            html += "</label>\n";
        }
        html += "</fieldset>\n";
        if (settlement.counter()) {
            html += "<fieldset class=\"payment\">\n<legend>";
            html += html_escape(text(language, Text::payment_heading));
            html += "</legend>\n<label><input type=\"radio\" name=\"payment\" value=\"online\"";
            html += form.payment != "counter" ? " checked>" : ">";
            html += html_escape(text(language, Text::pay_online));
            html += "</label>\n<label><input type=\"radio\" name=\"payment\" value=\"counter\"";
            html += form.payment == "counter" ? " checked>" : ">";
            html += html_escape(text(language, Text::pay_at_counter));
            html += "</label>\n</fieldset>\n";
        }
        html += "<div class=\"address\">\n";
        html += address_input(language, form, "name", Text::address_name, form.name, "name", 100);
        html += address_input(language, form, "street", Text::address_street, form.street,
                              "street-address", 200);
        html += address_input(language, form, "postal_code", Text::address_postal_code,
                              form.postal_code, "postal-code", 16);
        html += address_input(language, form, "city", Text::address_city, form.city,
                              "address-level2", 100);
        html += address_input(language, form, "country", Text::address_country, form.country,
                              "country", 2);
        html += "</div>\n<button type=\"submit\">";
        html += html_escape(text(language, Text::checkout_button));
        html += "</button>\n</form>\n";
    }
    html += "</section>\n";
    if (!reorders.empty()) {
        html += "<section class=\"reorders\">\n<h2>";
        html += html_escape(text(language, Text::reorders_heading));
        html += "</h2>\n<ul>\n";
        for (const auto& reorder : reorders) {
            html += "<li><a href=\"" + html_escape(std::string(reorders_prefix) + reorder.id) +
                    "\">" + html_escape(format_money(language, reorder.total, reorder.currency)) +
                    "</a> <span class=\"state state-" +
                    std::string(settlement::to_string(reorder.state)) + "\">" +
                    html_escape(state_label(language, reorder)) + "</span></li>\n";
        }
        html += "</ul>\n</section>\n";
    }
    return html;
}

} // namespace

GuestWeb::GuestWeb(boost::asio::any_io_executor loop, GuestWebSettings settings,
                   OrderRepository& orders, const ImageStore& images,
                   settlement::Settlement* settlement)
    : settings_(std::move(settings))
    , orders_(orders)
    , sessions_(settings_.data_dir / "guest_sessions.db", settings_.session_lifetime)
    , guest_orders_(orders)
    , limiter_(settings_.code_lookups)
    , previews_(std::move(loop), images, settings_.data_dir / "previews", settings_.preview_memory)
    , settlement_(settlement) {
    for (const auto& proxy : settings_.trusted_proxies) {
        boost::system::error_code error;
        trusted_proxies_.push_back(boost::asio::ip::make_address(proxy, error));
        if (error) {
            throw std::invalid_argument("a trusted proxy must be an IP address, not \"" + proxy +
                                        "\"");
        }
    }
}

GuestWeb::~GuestWeb() = default;

void GuestWeb::add_routes(http::Router& router) {
    auto handler = [this](const http::Request& request) { return handle(request); };
    // A prefix route of "/" matches every path; exact routes (/healthz, and later the
    // payment webhook) still win over it.
    for (const auto method :
         {http::Method::get, http::Method::head, http::Method::post, http::Method::put,
          http::Method::delete_, http::Method::patch, http::Method::options}) {
        router.add_prefix(method, "/", handler);
    }
    router.add_stream(
        http::Method::post, "/find",
        [this](const http::Request& request, boost::beast::tcp_stream& stream,
               boost::beast::flat_buffer&) -> boost::asio::awaitable<void> {
            boost::system::error_code error;
            const auto peer = stream.socket().remote_endpoint(error);
            const auto client =
                error ? std::string("unknown")
                      : rate_limit_key(client_address(peer.address(), request["X-Forwarded-For"],
                                                      trusted_proxies_));
            auto response = find_by_code(request, client, MissRateLimiter::Clock::now());
            // A stream route answers once; the browser opens a new connection for the
            // redirect, which costs nothing next to the lookup.
            response.keep_alive(false);
            stream.expires_after(std::chrono::seconds(15));
            co_await boost::beast::http::async_write(
                stream, response, boost::asio::as_tuple(boost::asio::use_awaitable));
            stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, error);
        });
}

boost::asio::awaitable<http::Response> GuestWeb::handle(const http::Request& request) {
    RequestContext context;
    const auto chosen = http::query_parameter(request, "lang");
    const auto remembered = cookie_value(request, language_cookie_name);
    std::optional<std::string_view> choice;
    if (chosen && parse_language(*chosen)) {
        choice = *chosen;
    } else if (remembered) {
        choice = *remembered;
    }
    context.language = choose_language(choice, request[field::accept_language]);
    if (chosen && parse_language(*chosen)) {
        context.language_cookie = std::string(language_tag(context.language));
    }
    std::optional<http::Response> response;
    try {
        response = co_await dispatch(request, context);
    } catch (const std::exception& error) {
        platform::Logger("web").error("a guest request failed: ", error.what());
    }
    if (!response) {
        response = message_page(request, context, http::Status::internal_server_error,
                                Text::error_heading, Text::server_error);
    }
    if (request.method() == http::Method::head) {
        const auto length = response->body().size();
        response->body().clear();
        response->content_length(length);
    }
    co_return std::move(*response);
}

boost::asio::awaitable<http::Response> GuestWeb::dispatch(const http::Request& request,
                                                          RequestContext& context) {
    const auto path = http::path_of(request);
    // Reordering exists only with settlement; without it these paths are unknown.
    const bool reorder_forms =
        settlement_ != nullptr &&
        (path == "/order/cart" || path == "/order/cart/remove" || path == "/order/checkout" ||
         (path.starts_with(reorders_prefix) && path.ends_with(pay_suffix)));
    const bool post_only = path == "/find" || path == "/order/forget" || reorder_forms;
    if (request.method() == http::Method::post && post_only) {
        if (path == "/find") {
            // Only reached when the router is driven in-process (tests): the listener
            // hands POST /find to the stream route, which knows the client's address.
            co_return find_by_code(request, "in-process", MissRateLimiter::Clock::now());
        }
        if (path == "/order/forget") {
            co_return forget(request, context);
        }
        if (path == "/order/checkout") {
            co_return co_await checkout(request, context);
        }
        if (path.starts_with(reorders_prefix)) {
            co_return co_await pay_reorder(request, context);
        }
        co_return change_cart(request, context);
    }
    const bool reorder_page_path = settlement_ != nullptr && path.starts_with(reorders_prefix);
    const bool known_page = path == "/" || path == "/robots.txt" || path == "/order" ||
                            path.starts_with(assets_prefix) || path.starts_with(token_prefix) ||
                            path.starts_with(photos_prefix) || reorder_page_path;
    if (!known_page && !post_only) {
        // Whatever the method: the public listener knows no other path (the back
        // office's /api/, /desk and /shipping live on the private one).
        co_return not_found(request, context);
    }
    if (!is_head_or_get(request) || post_only) {
        auto response = message_page(request, context, http::Status::method_not_allowed,
                                     Text::error_heading, Text::method_not_allowed);
        response.set(field::allow, post_only ? "POST" : "GET, HEAD");
        co_return response;
    }
    if (path == "/") {
        co_return landing(request, context);
    }
    if (path == "/robots.txt") {
        auto response = respond(request, context, http::Status::ok,
                                "User-agent: *\nDisallow: /o/\nDisallow: /order\n",
                                "text/plain; charset=utf-8");
        response.set(field::cache_control, "public, max-age=86400");
        co_return response;
    }
    if (path.starts_with(assets_prefix)) {
        const auto asset = find_asset(path.substr(assets_prefix.size() - 1));
        if (!asset) {
            co_return not_found(request, context);
        }
        auto response = respond(request, context, http::Status::ok, std::string(asset->bytes),
                                asset_content_type(asset->path));
        response.set(field::cache_control, "public, max-age=3600");
        co_return response;
    }
    if (path == "/order") {
        co_return order_page(request, context);
    }
    if (reorder_page_path) {
        co_return reorder_page(request, context);
    }
    if (path.starts_with(photos_prefix)) {
        co_return co_await photo(request, context);
    }
    co_return open_by_token(request, context);
}

http::Response GuestWeb::landing(const http::Request& request, RequestContext& context) {
    const auto secret = form_secret(request);
    auto response = code_form(request, context, http::Status::ok, secret.token, std::nullopt);
    remember_form_secret(response, secret);
    return response;
}

http::Response GuestWeb::open_by_token(const http::Request& request, RequestContext& context) {
    const auto token = http::path_of(request).substr(token_prefix.size());
    if (token.size() < shortest_token || token.size() > longest_token || !is_base64url(token)) {
        return not_found(request, context);
    }
    const auto order = orders_.find_by_token_sha256(crypto::to_hex(crypto::sha256(token)));
    if (!order) {
        return not_found(request, context);
    }
    // A browser that opens a second link drops the session of the first.
    if (const auto previous = cookie_value(request, session_cookie_name)) {
        sessions_.remove(*previous);
    }
    return open_session(request, context, sessions_.create(order->order_id));
}

http::Response GuestWeb::find_by_code(const http::Request& request, std::string_view client,
                                      MissRateLimiter::Clock::time_point now) {
    RequestContext context;
    context.language = choose_language(cookie_value(request, language_cookie_name),
                                       request[field::accept_language]);
    try {
        const auto secret = form_secret(request);
        const auto answer = [&](http::Status status, std::optional<Text> notice,
                                std::string_view typed) {
            auto response = code_form(request, context, status, secret.token, notice, typed);
            remember_form_secret(response, secret);
            return response;
        };
        const std::string_view body = request.body();
        const auto submitted_secret =
            is_form_post(request) ? form_field(body, "csrf") : std::nullopt;
        if (secret.is_new ||
            !csrf_tokens_match(cookie_value(request, csrf_cookie_name), submitted_secret)) {
            return answer(http::Status::forbidden, Text::form_expired, {});
        }
        const auto typed = form_field(body, "code").value_or("");
        if (limiter_.check(client, now) != MissRateLimiter::Verdict::allowed) {
            auto response = answer(http::Status::too_many_requests, Text::code_too_many, typed);
            response.set(field::retry_after,
                         std::to_string(limiter_.retry_after(client, now).count()));
            return response;
        }
        const auto code =
            typed.size() <= longest_typed_code ? normalize_short_code(typed) : std::nullopt;
        if (!code) {
            // Not a lookup, but counted: a form that only ever sends junk is guessing too.
            limiter_.record_miss(client, now);
            return answer(http::Status::bad_request, Text::code_invalid, typed);
        }
        // The index finds the candidates; the final comparison does not stop at the
        // first differing character.
        auto matches = orders_.find_by_code(*code);
        std::erase_if(matches, [&](const StoredOrder& order) {
            return !crypto::constant_time_equal(order.code, *code);
        });
        if (matches.empty()) {
            limiter_.record_miss(client, now);
            return answer(http::Status::not_found, Text::code_not_found, typed);
        }
        if (matches.size() > 1) {
            // Two booths drew the same code: the code alone cannot say whose photos
            // these are, so only the QR link (unique) opens them.
            return answer(http::Status::conflict, Text::code_ambiguous, typed);
        }
        if (const auto previous = cookie_value(request, session_cookie_name)) {
            sessions_.remove(*previous);
        }
        return open_session(request, context, sessions_.create(matches.front().order_id));
    } catch (const std::exception& error) {
        platform::Logger("web").error("a short-code lookup failed: ", error.what());
        return message_page(request, context, http::Status::internal_server_error,
                            Text::error_heading, Text::server_error);
    }
}

// The order page's header and photos. An order whose photos are all stored never
// changes, so its HTML is kept for the next request in the same language.
std::string GuestWeb::gallery(const StoredOrder& order, Language language) {
    const bool complete = is_complete(order);
    auto key = order.order_id + "/" + std::string(language_tag(language));
    if (complete) {
        if (const auto* cached = gallery_html_.find(key)) {
            return *cached;
        }
    }
    std::string main = "<main>\n<header class=\"order\">\n<h1>";
    main += html_escape(text(language, Text::order_heading));
    main += "</h1>\n<dl>\n<dt>";
    main += html_escape(text(language, Text::order_event));
    main += "</dt><dd class=\"event\">";
    main += html_escape(order.event);
    main += "</dd>\n<dt>";
    main += html_escape(text(language, Text::order_code));
    main += "</dt><dd class=\"code\">";
    main += html_escape(order.code);
    main += "</dd>\n</dl>\n</header>\n";
    if (order.photos.empty()) {
        main += "<p>";
        main += html_escape(text(language, Text::no_photos));
        main += "</p>\n";
    } else {
        main += "<ul class=\"gallery\">\n";
        const auto total = std::to_string(order.photos.size());
        for (std::size_t index = 0; index < order.photos.size(); ++index) {
            const auto& photo = order.photos[index];
            const auto alt = replace_all(replace_all(std::string(text(language, Text::photo_alt)),
                                                     "{n}", std::to_string(index + 1)),
                                         "{total}", total);
            if (!photo.stored || !is_sha256_hex(photo.sha256)) {
                main += "<li class=\"pending\">";
                main += html_escape(text(language, Text::photo_pending));
                main += "</li>\n";
                continue;
            }
            const auto url = std::string(photos_prefix) + photo.sha256;
            main += "<li><a class=\"photo\" href=\"";
            main += html_escape(url);
            main += "\"><img src=\"";
            main += html_escape(url + std::string(thumb_suffix));
            main += "\" alt=\"";
            main += html_escape(alt);
            main += "\" loading=\"lazy\"></a></li>\n";
        }
        main += "</ul>\n<dialog id=\"viewer\" class=\"viewer\"><img alt=\"\"></dialog>\n";
    }
    if (complete) {
        gallery_html_.put(key, main, main.size());
    }
    return main;
}

const std::vector<settlement::Reorder>& GuestWeb::reorders_of(const std::string& order_id) {
    auto& ledger = settlement_->ledger();
    const auto version = ledger.content_version();
    if (auto* listed = listed_reorders_.find(order_id);
        listed != nullptr && listed->ledger_version == version) {
        return listed->reorders;
    }
    return listed_reorders_.put(order_id, {version, ledger.reorders_of_order(order_id)})->reorders;
}

http::Response GuestWeb::order_page(const http::Request& request, RequestContext& context,
                                    http::Status status, const CheckoutForm* form) {
    const auto cookie = cookie_value(request, session_cookie_name);
    const auto session = cookie ? sessions_.find(*cookie) : std::nullopt;
    const auto order = session ? guest_orders_.find(session->order_id) : nullptr;
    if (!order) {
        return message_page(request, context, http::Status::not_found, Text::no_session_heading,
                            Text::no_session_body);
    }
    const auto language = context.language;
    // A plain view of a complete order changes only with the session's cart and the
    // ledger (a reorder placed, paid, shipped): kept until one of them moves.
    const bool keep = status == http::Status::ok && form == nullptr && is_complete(*order);
    SessionPage kept{};
    std::string key;
    if (keep) {
        kept.ledger_version = settlement_ != nullptr ? settlement_->ledger().content_version() : 0;
        kept.cart_version = sessions_.cart_version(session->id);
        key = session->id + "/" + std::string(language_tag(language));
        if (const auto* page = session_pages_.find(key);
            page != nullptr && page->ledger_version == kept.ledger_version &&
            page->cart_version == kept.cart_version) {
            return respond(request, context, status, page->html, html_content_type);
        }
    }
    std::string main = gallery(*order, language);
    if (settlement_ != nullptr) {
        const CheckoutForm empty_form;
        main +=
            reorder_section(language, *settlement_, *session, *order, sessions_.cart(session->id),
                            form != nullptr ? *form : empty_form, reorders_of(order->order_id));
    } else {
        // A hub without settlement shows where reorders would go.
        main += "<section class=\"more-prints\" aria-disabled=\"true\">\n<h2>";
        main += html_escape(text(language, Text::more_prints_heading));
        main += "</h2>\n<p>";
        main += html_escape(text(language, Text::more_prints_soon));
        main += "</p>\n</section>\n";
    }
    main += "<form class=\"forget\" method=\"post\" action=\"/order/forget\">\n"
            "<input type=\"hidden\" name=\"csrf\" value=\"";
    main += html_escape(session->csrf_token);
    main += "\">\n<button type=\"submit\">";
    main += html_escape(text(language, Text::forget_order));
    main += "</button>\n</form>\n</main>\n";
    auto html = page(language, Text::site_title, main, "/order");
    if (keep) {
        kept.html = html;
        session_pages_.put(key, std::move(kept), html.size());
    }
    return respond(request, context, status, std::move(html), html_content_type);
}

boost::asio::awaitable<http::Response> GuestWeb::photo(const http::Request& request,
                                                       RequestContext& context) {
    auto rest = http::path_of(request).substr(photos_prefix.size());
    auto size = PreviewSize::large;
    if (rest.ends_with(thumb_suffix)) {
        rest.remove_suffix(thumb_suffix.size());
        size = PreviewSize::thumbnail;
    }
    const std::string sha256(rest);
    const auto cookie = cookie_value(request, session_cookie_name);
    const auto session = cookie ? sessions_.find(*cookie) : std::nullopt;
    const auto order =
        session && is_sha256_hex(sha256) ? guest_orders_.find(session->order_id) : nullptr;
    // Only a photo of the session's own order: the same 404 whether the photo is
    // someone else's or does not exist, so a guest cannot probe for other photos.
    const bool in_order =
        order && std::any_of(order->photos.begin(), order->photos.end(),
                             [&](const StoredPhoto& photo) { return photo.sha256 == sha256; });
    if (!in_order) {
        co_return not_found(request, context);
    }
    // The URL names the content, so it never changes; "private" keeps it out of shared
    // caches, since only this browser's session may see it. After a day the browser
    // asks again with the ETag, and a photo still in its order costs a 304.
    const auto etag = "\"" + std::to_string(longest_side(size)) + "-" + sha256 + "\"";
    const auto if_none_match = request[field::if_none_match];
    if (request.method() == http::Method::get &&
        (if_none_match == "*" || if_none_match.find(etag) != std::string_view::npos)) {
        auto response = respond(request, context, http::Status::not_modified, {}, "image/jpeg");
        response.erase(field::content_type);
        response.set(field::cache_control, "private, max-age=86400");
        response.set(field::etag, etag);
        co_return response;
    }
    auto bytes = co_await previews_.get(sha256, size);
    if (!bytes) {
        co_return not_found(request, context);
    }
    auto response = respond(request, context, http::Status::ok, std::move(*bytes), "image/jpeg");
    response.set(field::cache_control, "private, max-age=86400");
    response.set(field::etag, etag);
    co_return response;
}

http::Response GuestWeb::forget(const http::Request& request, RequestContext& context) {
    const auto cookie = cookie_value(request, session_cookie_name);
    const auto session = cookie ? sessions_.find(*cookie) : std::nullopt;
    if (!session) {
        return message_page(request, context, http::Status::not_found, Text::no_session_heading,
                            Text::no_session_body);
    }
    const auto submitted =
        is_form_post(request) ? form_field(request.body(), "csrf") : std::nullopt;
    if (!csrf_tokens_match(session->csrf_token, submitted)) {
        return message_page(request, context, http::Status::forbidden, Text::no_session_heading,
                            Text::form_expired);
    }
    sessions_.remove(session->id);
    auto response = message_page(request, context, http::Status::ok, Text::no_session_heading,
                                 Text::order_closed);
    response.insert(field::set_cookie, clear_cookie_value(session_cookie_name));
    return response;
}

namespace {

std::optional<int> parse_quantity(const std::optional<std::string>& text) {
    if (!text || text->empty() || text->size() > 3) {
        return std::nullopt;
    }
    int quantity = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), quantity);
    if (error != std::errc() || end != text->data() + text->size() || quantity < 1 ||
        quantity > max_cart_quantity) {
        return std::nullopt;
    }
    return quantity;
}

bool order_has_photo(const StoredOrder& order, std::string_view sha256) {
    return std::any_of(order.photos.begin(), order.photos.end(), [&](const StoredPhoto& photo) {
        return photo.stored && photo.sha256 == sha256;
    });
}

} // namespace

http::Response GuestWeb::change_cart(const http::Request& request, RequestContext& context) {
    const auto cookie = cookie_value(request, session_cookie_name);
    const auto session = cookie ? sessions_.find(*cookie) : std::nullopt;
    const auto order = session ? orders_.find_order(session->order_id) : std::nullopt;
    if (!order) {
        return message_page(request, context, http::Status::not_found, Text::no_session_heading,
                            Text::no_session_body);
    }
    const std::string_view body = is_form_post(request) ? std::string_view(request.body()) : "";
    if (!csrf_tokens_match(session->csrf_token, form_field(body, "csrf"))) {
        return message_page(request, context, http::Status::forbidden, Text::error_heading,
                            Text::form_expired);
    }
    const auto photo = form_field(body, "photo").value_or("");
    const auto product = form_field(body, "product").value_or("");
    if (http::path_of(request) == "/order/cart/remove") {
        sessions_.remove_from_cart(session->id, photo, product);
        return see_other(request, context, "/order#cart");
    }
    const auto quantity = parse_quantity(form_field(body, "quantity"));
    if (!quantity || settlement_->prices(order->event).find(product) == nullptr ||
        !order_has_photo(*order, photo)) {
        CheckoutForm form;
        form.notice = Text::cart_line_invalid;
        return order_page(request, context, http::Status::bad_request, &form);
    }
    sessions_.add_to_cart(session->id, {photo, product, *quantity});
    return see_other(request, context, "/order#cart");
}

boost::asio::awaitable<http::Response> GuestWeb::checkout(const http::Request& request,
                                                          RequestContext& context) {
    const auto cookie = cookie_value(request, session_cookie_name);
    const auto session = cookie ? sessions_.find(*cookie) : std::nullopt;
    const auto order = session ? orders_.find_order(session->order_id) : std::nullopt;
    if (!order) {
        co_return message_page(request, context, http::Status::not_found, Text::no_session_heading,
                               Text::no_session_body);
    }
    const std::string_view body = is_form_post(request) ? std::string_view(request.body()) : "";
    const auto key = form_field(body, "key").value_or("");
    if (!csrf_tokens_match(session->csrf_token, form_field(body, "csrf")) || key.size() < 16 ||
        key.size() > 64 || !is_base64url(key)) {
        co_return message_page(request, context, http::Status::forbidden, Text::error_heading,
                               Text::form_expired);
    }
    // The key is the form's; the order id keeps one guest's key from naming another's
    // reorder.
    const auto idempotency_key = order->order_id + "/" + key;
    auto& ledger = settlement_->ledger();
    if (const auto placed = ledger.find_reorder_by_key(idempotency_key)) {
        // The same form sent again (a double tap, a reload): the reorder it placed.
        if (placed->awaiting_counter) {
            co_return see_other(request, context, std::string(reorders_prefix) + placed->id);
        }
        co_return co_await send_to_checkout(request, context, *placed, *order);
    }
    CheckoutForm form;
    form.delivery = form_field(body, "delivery").value_or("");
    form.payment = form_field(body, "payment").value_or("online");
    form.name = trimmed(form_field(body, "name").value_or(""));
    form.street = trimmed(form_field(body, "street").value_or(""));
    form.postal_code = trimmed(form_field(body, "postal_code").value_or(""));
    form.city = trimmed(form_field(body, "city").value_or(""));
    form.country = trimmed(form_field(body, "country").value_or(""));
    std::transform(form.country.begin(), form.country.end(), form.country.begin(),
                   [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });

    const auto& prices = settlement_->prices(order->event);
    settlement::NewReorder reorder;
    reorder.idempotency_key = idempotency_key;
    reorder.order_id = order->order_id;
    reorder.currency = prices.currency;
    bool withdrawn = false;
    for (const auto& line : sessions_.cart(session->id)) {
        const auto* product = prices.find(line.product_id);
        if (product == nullptr) {
            // The event's price list changed since the line was added: the page the
            // guest checks out from may have shown it, so nothing is placed until the
            // guest has seen the cart without it.
            sessions_.remove_from_cart(session->id, line.photo_sha256, line.product_id);
            withdrawn = true;
        } else if (order_has_photo(*order, line.photo_sha256)) {
            reorder.lines.push_back({line.photo_sha256, product->id, product->label, line.quantity,
                                     product->unit_price});
        }
    }
    if (withdrawn) {
        form.notice = Text::cart_line_withdrawn;
        co_return order_page(request, context, http::Status::conflict, &form);
    }
    if (reorder.lines.empty()) {
        form.notice = Text::cart_needed;
        co_return order_page(request, context, http::Status::bad_request, &form);
    }
    if (form.delivery == "pickup" && settlement_->venue_pickup(order->event)) {
        reorder.delivery.method = settlement::DeliveryMethod::pickup;
    } else if (form.delivery == "ship") {
        if (!is_address_text(form.name, 100)) {
            form.invalid.emplace_back("name");
        }
        if (!is_address_text(form.street, 200)) {
            form.invalid.emplace_back("street");
        }
        const bool postal_ok =
            is_address_text(form.postal_code, 16) &&
            std::all_of(form.postal_code.begin(), form.postal_code.end(), [](char c) {
                return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                       c == ' ' || c == '-';
            });
        if (!postal_ok) {
            form.invalid.emplace_back("postal_code");
        }
        if (!is_address_text(form.city, 100)) {
            form.invalid.emplace_back("city");
        }
        if (form.country.size() != 2 || !std::all_of(form.country.begin(), form.country.end(),
                                                     [](char c) { return c >= 'A' && c <= 'Z'; })) {
            form.invalid.emplace_back("country");
        }
        if (!form.invalid.empty()) {
            form.notice = Text::address_invalid;
            co_return order_page(request, context, http::Status::bad_request, &form);
        }
        reorder.delivery = {settlement::DeliveryMethod::ship,
                            form.name,
                            form.street,
                            form.postal_code,
                            form.city,
                            form.country};
        // As the cart showed it: a reorder keeps the shipping it was placed with.
        reorder.shipping = prices.shipping;
    } else {
        form.notice = Text::delivery_invalid;
        co_return order_page(request, context, http::Status::bad_request, &form);
    }
    const auto placed = ledger.place_reorder(reorder);
    sessions_.clear_cart(session->id);
    platform::Logger("web").info("reorder ", placed.id, " placed for order ", order->order_id, ": ",
                                 placed.total, " ", placed.currency);
    const auto status_path = std::string(reorders_prefix) + placed.id;
    if (form.payment == "counter" && settlement_->choose_counter(placed.id, status_path)) {
        // Nothing to pay online: the status page shows what to show at the counter.
        co_return see_other(request, context, status_path);
    }
    co_return co_await send_to_checkout(request, context, placed, *order);
}

boost::asio::awaitable<http::Response>
GuestWeb::send_to_checkout(const http::Request& request, RequestContext& context,
                           const settlement::Reorder& reorder, const StoredOrder& order) {
    const auto status_path = std::string(reorders_prefix) + reorder.id;
    if (reorder.state != settlement::ReorderState::unpaid) {
        co_return see_other(request, context, status_path);
    }
    std::size_t prints = 0;
    for (const auto& line : reorder.lines) {
        prints += static_cast<std::size_t>(line.quantity);
    }
    auto description =
        std::to_string(prints) + " prints from " + order.event + ", code " + order.code;
    if (reorder.shipping > 0) {
        description +=
            ", shipping " + settlement::format_amount(reorder.shipping, reorder.currency);
    }
    // Bound to a local first: GCC 12 mishandles temporaries inside a co_await.
    auto asking = settlement_->checkout_url(reorder.id, std::move(description), status_path);
    const auto url = co_await std::move(asking);
    if (!url) {
        // The reorder stays unpaid; its status page offers to pay again.
        co_return message_page(request, context, http::Status::service_unavailable,
                               Text::error_heading, Text::payment_unavailable);
    }
    co_return see_other(request, context, *url);
}

http::Response GuestWeb::reorder_page(const http::Request& request, RequestContext& context) {
    const auto path = http::path_of(request);
    const std::string id(path.substr(reorders_prefix.size()));
    const auto cookie = cookie_value(request, session_cookie_name);
    const auto session = cookie ? sessions_.find(*cookie) : std::nullopt;
    const auto order = session ? orders_.find_order(session->order_id) : std::nullopt;
    if (!order) {
        return message_page(request, context, http::Status::not_found, Text::no_session_heading,
                            Text::no_session_body);
    }
    const auto reorder = is_reorder_id(id) ? settlement_->ledger().find_reorder(id) : std::nullopt;
    // Another order's reorder gets the same 404 as one that does not exist.
    if (!reorder || reorder->order_id != order->order_id) {
        return not_found(request, context);
    }
    const auto language = context.language;
    std::string main = "<main class=\"narrow\">\n<h1>";
    main += html_escape(text(language, Text::reorder_heading));
    main += "</h1>\n<dl>\n<dt>";
    main += html_escape(text(language, Text::reorder_status));
    main += "</dt><dd class=\"state state-" + std::string(settlement::to_string(reorder->state)) +
            "\">";
    main += html_escape(state_label(language, *reorder));
    main += "</dd>\n<dt>";
    main += html_escape(text(language, Text::order_event));
    main += "</dt><dd>";
    main += html_escape(order->event);
    main += "</dd>\n<dt>";
    main += html_escape(text(language, Text::delivery_heading));
    main += "</dt><dd class=\"delivery\">";
    if (reorder->delivery.method == settlement::DeliveryMethod::pickup) {
        main += html_escape(text(language, Text::delivery_pickup));
    } else {
        const auto& address = reorder->delivery;
        main += html_escape(address.name) + "<br>" + html_escape(address.street) + "<br>" +
                html_escape(address.postal_code) + " " + html_escape(address.city) + "<br>" +
                html_escape(address.country);
    }
    main += "</dd>\n";
    if (reorder->state == settlement::ReorderState::shipped &&
        reorder->delivery.method != settlement::DeliveryMethod::pickup) {
        main += "<dt>";
        main += html_escape(text(language, Text::shipment_heading));
        main += "</dt><dd class=\"shipment\">" + html_escape(reorder->carrier) + " " +
                html_escape(reorder->tracking) + "</dd>\n";
    }
    main += "</dl>\n<table class=\"cart\">\n<tbody>\n";
    for (const auto& line : reorder->lines) {
        main += "<tr><td>" + html_escape(photo_name(language, *order, line.photo_sha256)) +
                "</td><td class=\"product\">" +
                html_escape(product_name(language, line.product_id, line.product_label)) +
                "</td><td class=\"quantity\">× " + std::to_string(line.quantity) +
                "</td><td class=\"amount\">" +
                html_escape(
                    format_money(language, line.unit_price * line.quantity, reorder->currency)) +
                "</td></tr>\n";
    }
    main += "</tbody>\n<tfoot>";
    if (reorder->shipping > 0) {
        main += "<tr><th colspan=\"3\">";
        main += html_escape(text(language, Text::shipping_cost));
        main += "</th><td class=\"amount shipping\">" +
                html_escape(format_money(language, reorder->shipping, reorder->currency)) +
                "</td></tr>\n";
    }
    main += "<tr><th colspan=\"3\">";
    main += html_escape(text(language, Text::cart_total));
    main += "</th><td class=\"amount total\">" +
            html_escape(format_money(language, reorder->total, reorder->currency)) +
            "</td></tr></tfoot>\n</table>\n";
    if (reorder->awaiting_counter) {
        main += "<section class=\"counter\">\n<p class=\"notice\">";
        main += html_escape(text(language, Text::counter_note));
        main += "</p>\n<dl>\n<dt>";
        main += html_escape(text(language, Text::counter_reference));
        main += "</dt><dd class=\"reference\">" +
                html_escape(settlement::counter_reference(reorder->id)) + "</dd>\n<dt>";
        main += html_escape(text(language, Text::amount_due));
        main += "</dt><dd class=\"amount due\">" +
                html_escape(format_money(language, reorder->total, reorder->currency)) +
                "</dd>\n</dl>\n</section>\n";
    }
    if (reorder->state == settlement::ReorderState::unpaid) {
        main += "<p class=\"notice\">";
        main += html_escape(text(language, Text::unpaid_note));
        main += "</p>\n<form class=\"pay\" method=\"post\" action=\"" +
                html_escape(std::string(path) + std::string(pay_suffix)) + "\">\n";
        main += hidden_field("csrf", session->csrf_token);
        main += "<button type=\"submit\">";
        main += html_escape(text(language, Text::pay_now));
        main += "</button>\n</form>\n";
    }
    main += "<p><a href=\"/order\">";
    main += html_escape(text(language, Text::back_to_order));
    main += "</a></p>\n</main>\n";
    return html_page(request, context, http::Status::ok, Text::reorder_heading, main,
                     std::string(path));
}

boost::asio::awaitable<http::Response> GuestWeb::pay_reorder(const http::Request& request,
                                                             RequestContext& context) {
    auto path = http::path_of(request);
    path.remove_suffix(pay_suffix.size());
    const std::string id(path.substr(reorders_prefix.size()));
    const auto cookie = cookie_value(request, session_cookie_name);
    const auto session = cookie ? sessions_.find(*cookie) : std::nullopt;
    const auto order = session ? orders_.find_order(session->order_id) : std::nullopt;
    if (!order) {
        co_return message_page(request, context, http::Status::not_found, Text::no_session_heading,
                               Text::no_session_body);
    }
    const auto reorder = is_reorder_id(id) ? settlement_->ledger().find_reorder(id) : std::nullopt;
    if (!reorder || reorder->order_id != order->order_id) {
        co_return not_found(request, context);
    }
    const std::string_view body = is_form_post(request) ? std::string_view(request.body()) : "";
    if (!csrf_tokens_match(session->csrf_token, form_field(body, "csrf"))) {
        co_return message_page(request, context, http::Status::forbidden, Text::error_heading,
                               Text::form_expired);
    }
    co_return co_await send_to_checkout(request, context, *reorder, *order);
}

} // namespace encore::hub::web
