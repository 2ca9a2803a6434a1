#include "hub/web/guest_web.hpp"

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

namespace {

constexpr std::string_view token_prefix = "/o/";
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

std::string replace_all(std::string text, std::string_view placeholder, std::string_view value) {
    for (auto at = text.find(placeholder); at != std::string::npos;
         at = text.find(placeholder, at + value.size())) {
        text.replace(at, placeholder.size(), value);
    }
    return text;
}

void add_security_headers(http::Response& response) {
    response.set("Content-Security-Policy", content_security_policy);
    response.set("Referrer-Policy", "no-referrer");
    response.set("X-Content-Type-Options", "nosniff");
}

http::Response respond(const http::Request& request, const RequestContext& context,
                       http::Status status, std::string body, std::string_view content_type) {
    auto response = http::text_response(request, status, std::move(body), content_type);
    add_security_headers(response);
    if (context.language_cookie) {
        response.insert(field::set_cookie,
                        set_cookie_value(language_cookie_name, *context.language_cookie,
                                         SameSite::lax, std::chrono::hours(24 * 365)));
    }
    return response;
}

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
                   "text/html; charset=utf-8");
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
    auto response =
        respond(request, context, http::Status::see_other,
                "<!doctype html>\n<a href=\"/order\">/order</a>\n", "text/html; charset=utf-8");
    response.set(field::location, "/order");
    response.insert(field::set_cookie,
                    set_cookie_value(session_cookie_name, session.id, SameSite::lax));
    return response;
}

bool is_head_or_get(const http::Request& request) {
    return request.method() == http::Method::get || request.method() == http::Method::head;
}

} // namespace

GuestWeb::GuestWeb(boost::asio::any_io_executor loop, GuestWebSettings settings,
                   OrderRepository& orders, const ImageStore& images)
    : settings_(std::move(settings))
    , orders_(orders)
    , sessions_(settings_.data_dir / "guest_sessions.db", settings_.session_lifetime)
    , limiter_(settings_.code_lookups)
    , previews_(std::move(loop), images, settings_.data_dir / "previews") {
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
    const bool post_only = path == "/find" || path == "/order/forget";
    if (request.method() == http::Method::post && post_only) {
        if (path == "/find") {
            // Only reached when the router is driven in-process (tests): the listener
            // hands POST /find to the stream route, which knows the client's address.
            co_return find_by_code(request, "in-process", MissRateLimiter::Clock::now());
        }
        co_return forget(request, context);
    }
    const bool known_page = path == "/" || path == "/robots.txt" || path == "/order" ||
                            path.starts_with(assets_prefix) || path.starts_with(token_prefix) ||
                            path.starts_with(photos_prefix);
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

http::Response GuestWeb::order_page(const http::Request& request, RequestContext& context) {
    const auto cookie = cookie_value(request, session_cookie_name);
    const auto session = cookie ? sessions_.find(*cookie) : std::nullopt;
    const auto order = session ? orders_.find_order(session->order_id) : std::nullopt;
    if (!order) {
        return message_page(request, context, http::Status::not_found, Text::no_session_heading,
                            Text::no_session_body);
    }
    const auto language = context.language;
    std::string main = "<main>\n<header class=\"order\">\n<h1>";
    main += html_escape(text(language, Text::order_heading));
    main += "</h1>\n<dl>\n<dt>";
    main += html_escape(text(language, Text::order_event));
    main += "</dt><dd class=\"event\">";
    main += html_escape(order->event);
    main += "</dd>\n<dt>";
    main += html_escape(text(language, Text::order_code));
    main += "</dt><dd class=\"code\">";
    main += html_escape(order->code);
    main += "</dd>\n</dl>\n</header>\n";
    if (order->photos.empty()) {
        main += "<p>";
        main += html_escape(text(language, Text::no_photos));
        main += "</p>\n";
    } else {
        main += "<ul class=\"gallery\">\n";
        const auto total = std::to_string(order->photos.size());
        for (std::size_t index = 0; index < order->photos.size(); ++index) {
            const auto& photo = order->photos[index];
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
    // Reorders (products, prices, cart, checkout) come with settlement; until then the
    // place they will take says so.
    main += "<section class=\"more-prints\" aria-disabled=\"true\">\n<h2>";
    main += html_escape(text(language, Text::more_prints_heading));
    main += "</h2>\n<p>";
    main += html_escape(text(language, Text::more_prints_soon));
    main += "</p>\n</section>\n";
    main += "<form class=\"forget\" method=\"post\" action=\"/order/forget\">\n"
            "<input type=\"hidden\" name=\"csrf\" value=\"";
    main += html_escape(session->csrf_token);
    main += "\">\n<button type=\"submit\">";
    main += html_escape(text(language, Text::forget_order));
    main += "</button>\n</form>\n</main>\n";
    return html_page(request, context, http::Status::ok, Text::site_title, main, "/order");
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
        session && is_sha256_hex(sha256) ? orders_.find_order(session->order_id) : std::nullopt;
    // Only a photo of the session's own order: the same 404 whether the photo is
    // someone else's or does not exist, so a guest cannot probe for other photos.
    const bool in_order =
        order && std::any_of(order->photos.begin(), order->photos.end(),
                             [&](const StoredPhoto& photo) { return photo.sha256 == sha256; });
    if (!in_order) {
        co_return not_found(request, context);
    }
    auto bytes = co_await previews_.get(sha256, size);
    if (!bytes) {
        co_return not_found(request, context);
    }
    auto response = respond(request, context, http::Status::ok, std::move(*bytes), "image/jpeg");
    // The URL names the content, so it never changes; "private" keeps it out of shared
    // caches, since only this browser's session may see it.
    response.set(field::cache_control, "private, max-age=86400");
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

} // namespace encore::hub::web
