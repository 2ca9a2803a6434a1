#pragma once

#include "platform/http/router.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace encore::hub::web {

// The guest's session: an opaque random id that the hub maps to one order. The
// __Host- prefix makes the browser refuse it unless it is Secure, has Path=/ and no
// Domain, so no other host (a sibling subdomain, a plain-http page) can set or
// overwrite it.
inline constexpr std::string_view session_cookie_name = "__Host-encore_order";
// The double-submit CSRF secret of the short-code form, which a guest fills in before
// any session exists.
inline constexpr std::string_view csrf_cookie_name = "__Host-encore_csrf";
// The language chosen with ?lang=.
inline constexpr std::string_view language_cookie_name = "__Host-encore_lang";

enum class SameSite { lax, strict };

// A Set-Cookie value: name=value; Path=/; Secure; HttpOnly; SameSite=...; with
// Max-Age only when `max_age` is given (without it the cookie ends with the browser
// session). `value` must be cookie-safe (base64url tokens, language tags).
std::string set_cookie_value(std::string_view name, std::string_view value, SameSite same_site,
                             std::optional<std::chrono::seconds> max_age = std::nullopt);
// A Set-Cookie value that deletes the cookie.
std::string clear_cookie_value(std::string_view name);

// The value of cookie `name` in the request's Cookie headers, or nullopt. When a name
// appears more than once the first one counts.
std::optional<std::string> cookie_value(const platform::http::Request& request,
                                        std::string_view name);

// The decoded value of field `name` in an application/x-www-form-urlencoded body.
std::optional<std::string> form_field(std::string_view body, std::string_view name);

// True when the request's Content-Type is application/x-www-form-urlencoded.
bool is_form_post(const platform::http::Request& request);

// True when both tokens are present, long enough to be ours (a random token of at
// least 16 bytes) and equal, compared in constant time.
bool csrf_tokens_match(const std::optional<std::string>& expected,
                       const std::optional<std::string>& submitted);

} // namespace encore::hub::web
