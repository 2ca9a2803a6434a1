#include "hub/staff/staff_login.hpp"

#include "hub/web/cookies.hpp"
#include "hub/web/html.hpp"
#include "platform/crypto/random.hpp"
#include "platform/log/logger.hpp"

#include <boost/asio/use_awaitable.hpp>

namespace encore::hub::staff {

namespace http = platform::http;
using boost::beast::http::field;

namespace {

std::string login_form(const std::string& message, const std::string& name,
                       const std::string& next) {
    std::string html = "<form method=\"post\" action=\"/login\" class=\"login\">";
    if (!message.empty()) {
        html += "<p class=\"error\" role=\"alert\">" + web::html_escape(message) + "</p>";
    }
    html += "<label>Name <input name=\"name\" autocomplete=\"username\" required value=\"" +
            web::html_escape(name) +
            "\" autofocus></label>"
            "<label>Password <input name=\"password\" type=\"password\" "
            "autocomplete=\"current-password\" required></label>"
            "<input type=\"hidden\" name=\"next\" value=\"" +
            web::html_escape(next) +
            "\">"
            "<button type=\"submit\">Log in</button></form>";
    return html;
}

// Only a path of this site: never send a member elsewhere after the login.
std::string safe_next(const std::optional<std::string>& next) {
    if (!next || next->empty() || (*next)[0] != '/' || next->starts_with("//") ||
        next->find('\\') != std::string::npos) {
        return "/";
    }
    return *next;
}

std::string staff_cookie(const std::string& token, std::chrono::seconds lifetime) {
    return std::string(staff_cookie_name) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict" +
           "; Max-Age=" + std::to_string(lifetime.count());
}

} // namespace

http::Response back_office_page(const http::Request& request, http::Status status,
                                const std::string& title, const std::string& body_html) {
    auto response = http::text_response(
        request, status,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<link rel=\"stylesheet\" href=\"/back-office.css\">"
        "<title>" +
            web::html_escape(title) + " · Encore back office</title></head><body><main><h1>" +
            web::html_escape(title) + "</h1>" + body_html + "</main></body></html>",
        "text/html; charset=utf-8");
    response.set("Content-Security-Policy",
                 "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                 "frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
    response.set("Referrer-Policy", "no-referrer");
    response.set("X-Content-Type-Options", "nosniff");
    response.set(field::cache_control, "no-store");
    return response;
}

StaffLogin::StaffLogin(boost::asio::any_io_executor loop, StaffDirectory& directory,
                       LoginSettings settings)
    : directory_(directory)
    , settings_(settings)
    , wrong_passwords_(settings.wrong_passwords)
    , worker_(std::move(loop), "login")
    , decoy_hash_(hash_password(platform::crypto::random_token(16))) {}

void StaffLogin::add_routes(http::Router& router) {
    router.add(http::Method::get, "/login",
               [](const http::Request& request) -> boost::asio::awaitable<http::Response> {
                   const auto next = safe_next(http::query_parameter(request, "next"));
                   co_return back_office_page(request, http::Status::ok, "Log in",
                                              login_form("", "", next));
               });
    router.add(http::Method::get, "/",
               [this](const http::Request& request) -> boost::asio::awaitable<http::Response> {
                   auto signed_in = require(request);
                   if (auto* refusal = std::get_if<http::Response>(&signed_in)) {
                       co_return std::move(*refusal);
                   }
                   const auto& member = std::get<StaffMember>(signed_in);
                   co_return back_office_page(
                       request, http::Status::ok, "Back office",
                       "<p>Signed in as <strong>" + web::html_escape(member.name) + "</strong> (" +
                           std::string(to_string(member.role)) +
                           ").</p><form method=\"post\" action=\"/logout\">"
                           "<button type=\"submit\">Log out</button></form>");
               });
    router.add(http::Method::post, "/login",
               [this](const http::Request& request) { return login(request); });
    router.add(http::Method::post, "/logout",
               [this](const http::Request& request) -> boost::asio::awaitable<http::Response> {
                   if (const auto token = web::cookie_value(request, staff_cookie_name)) {
                       directory_.close_session(*token);
                   }
                   auto response = back_office_page(request, http::Status::ok, "Logged out",
                                                    "<p><a href=\"/login\">Log in again</a></p>");
                   response.set(field::set_cookie, std::string(staff_cookie_name) +
                                                       "=; Path=/; HttpOnly; SameSite=Strict; "
                                                       "Max-Age=0");
                   co_return response;
               });
}

boost::asio::awaitable<http::Response> StaffLogin::login(const http::Request& request) {
    const auto name = web::form_field(request.body(), "name").value_or("");
    const auto password = web::form_field(request.body(), "password").value_or("");
    const auto next = safe_next(web::form_field(request.body(), "next"));
    const auto now = web::MissRateLimiter::Clock::now();
    if (wrong_passwords_.check(name, now) != web::MissRateLimiter::Verdict::allowed) {
        auto response =
            back_office_page(request, http::Status::too_many_requests, "Log in",
                             login_form("Too many wrong passwords: wait a few minutes, or ask "
                                        "an admin to set a new password (encore staff add).",
                                        name, next));
        response.set(field::retry_after,
                     std::to_string(wrong_passwords_.retry_after(name, now).count()));
        co_return response;
    }
    const auto stored = directory_.password_hash(name);
    const auto hash = stored.value_or(decoy_hash_);
    // Bound to a local: GCC 12 frees a temporary with a destructor inside a co_await
    // expression twice.
    auto check = [hash, password] { return password_matches(hash, password); };
    const bool matches = co_await worker_.run(std::move(check), boost::asio::use_awaitable);
    if (!stored || !matches) {
        wrong_passwords_.record_miss(name, web::MissRateLimiter::Clock::now());
        platform::Logger("staff").warning("failed login for '", name, "'");
        co_return back_office_page(request, http::Status::unauthorized, "Log in",
                                   login_form("Wrong name or password.", name, next));
    }
    const auto token = directory_.open_session(name, settings_.session_lifetime);
    platform::Logger("staff").info("'", name, "' logged in");
    auto response =
        back_office_page(request, http::Status::see_other, "Logged in",
                         "<p><a href=\"" + web::html_escape(next) + "\">Continue</a></p>");
    response.set(field::location, next);
    response.set(field::set_cookie, staff_cookie(token, settings_.session_lifetime));
    co_return response;
}

std::variant<StaffMember, http::Response> StaffLogin::require(const http::Request& request,
                                                              std::optional<Role> needed) {
    const auto token = web::cookie_value(request, staff_cookie_name);
    const auto member = token ? directory_.session(*token) : std::nullopt;
    if (!member) {
        const std::string path(http::path_of(request));
        return back_office_page(request, http::Status::unauthorized, "Please log in",
                                "<p><a href=\"/login?next=" + web::html_escape(path) +
                                    "\">Log in</a> to use the back office.</p>");
    }
    if (needed && !member->may(*needed)) {
        return back_office_page(request, http::Status::forbidden, "Not for your role",
                                "<p>" + web::html_escape(member->name) + " works as " +
                                    std::string(to_string(member->role)) + "; this page is for " +
                                    std::string(to_string(*needed)) + ".</p>");
    }
    return *member;
}

} // namespace encore::hub::staff
