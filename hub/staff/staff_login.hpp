#pragma once

#include "hub/staff/staff_directory.hpp"
#include "hub/web/rate_limiter.hpp"
#include "platform/http/router.hpp"
#include "platform/runtime/blocking_worker.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <variant>

// Logging staff in and out of the back office on hubd's private listener:
//   GET /login           the login form
//   POST /login          name + password (form fields); a session cookie and 303 to the
//                        page asked for, or 401 with the form again; 429 after too many
//                        wrong passwords for one name, or for all names together
//   POST /logout         ends the session
//   GET /                the back office's front page: who is signed in
// Back-office pages call StaffLogin::require() first: without a session they answer 401
// with a link to the form; a member whose role does not cover the page gets 403.
//
// The cookie (encore_staff, HttpOnly, SameSite=Strict) is not marked Secure: the back
// office is served over plain HTTP on the store's private network, and browsers drop
// Secure cookies there (except on localhost). Put TLS in front of the private listener
// when the store's network cannot be trusted.
namespace encore::hub::staff {

inline constexpr std::string_view staff_cookie_name = "encore_staff";

struct LoginSettings {
    std::chrono::seconds session_lifetime{std::chrono::hours(12)};
    // Wrong passwords per name, and over all names, within the window.
    web::MissLimits wrong_passwords{5, 50, std::chrono::seconds(300)};
};

class StaffLogin {
public:
    // Borrows the directory; password checks run on a worker thread of its own (Argon2id
    // takes a fraction of a second and 64 MiB each).
    StaffLogin(boost::asio::any_io_executor loop, StaffDirectory& directory,
               LoginSettings settings = {});

    void add_routes(platform::http::Router& router);

    // The member signed in with the request's cookie when their role covers `needed`
    // (any role when nullopt); otherwise the response to send (401 with a link to the
    // login form, or 403).
    std::variant<StaffMember, platform::http::Response>
    require(const platform::http::Request& request, std::optional<Role> needed = std::nullopt);

private:
    boost::asio::awaitable<platform::http::Response> login(const platform::http::Request& request);

    StaffDirectory& directory_;
    LoginSettings settings_;
    web::MissRateLimiter wrong_passwords_;
    platform::BlockingWorker worker_;
    // Checked when a name is unknown, so that a wrong name takes as long as a wrong
    // password and names cannot be found by timing.
    std::string decoy_hash_;
};

// A back-office page: the security headers every page of Encore carries, and a CSP that
// allows only the hub's own scripts and styles.
platform::http::Response back_office_page(const platform::http::Request& request,
                                          platform::http::Status status, const std::string& title,
                                          const std::string& body_html);

} // namespace encore::hub::staff
