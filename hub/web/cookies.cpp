#include "hub/web/cookies.hpp"

#include "platform/crypto/random.hpp"

#include <boost/beast/http/field.hpp>

namespace encore::hub::web {

namespace http = platform::http;

namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

// Sixteen random bytes in base64url are 22 characters.
constexpr std::size_t shortest_csrf_token = 22;

} // namespace

std::string set_cookie_value(std::string_view name, std::string_view value, SameSite same_site,
                             std::optional<std::chrono::seconds> max_age) {
    std::string cookie(name);
    cookie += '=';
    cookie += value;
    cookie += "; Path=/; Secure; HttpOnly; SameSite=";
    cookie += same_site == SameSite::lax ? "Lax" : "Strict";
    if (max_age) {
        cookie += "; Max-Age=" + std::to_string(max_age->count());
    }
    return cookie;
}

std::string clear_cookie_value(std::string_view name) {
    return set_cookie_value(name, "", SameSite::lax, std::chrono::seconds(0));
}

std::optional<std::string> cookie_value(const http::Request& request, std::string_view name) {
    const auto [first, last] = request.equal_range(boost::beast::http::field::cookie);
    for (auto header = first; header != last; ++header) {
        std::string_view cookies = header->value();
        while (!cookies.empty()) {
            const auto semicolon = cookies.find(';');
            const auto pair = trim(cookies.substr(0, semicolon));
            const auto equals = pair.find('=');
            if (equals != std::string_view::npos && trim(pair.substr(0, equals)) == name) {
                return std::string(trim(pair.substr(equals + 1)));
            }
            if (semicolon == std::string_view::npos) {
                break;
            }
            cookies.remove_prefix(semicolon + 1);
        }
    }
    return std::nullopt;
}

std::optional<std::string> form_field(std::string_view body, std::string_view name) {
    while (!body.empty()) {
        const auto amp = body.find('&');
        const auto pair = body.substr(0, amp);
        const auto equals = pair.find('=');
        if (pair.substr(0, equals) == name) {
            return http::percent_decode(equals == std::string_view::npos ? std::string_view()
                                                                         : pair.substr(equals + 1));
        }
        if (amp == std::string_view::npos) {
            break;
        }
        body.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

bool is_form_post(const http::Request& request) {
    const std::string_view type = request[boost::beast::http::field::content_type];
    return trim(type.substr(0, type.find(';'))) == "application/x-www-form-urlencoded";
}

bool csrf_tokens_match(const std::optional<std::string>& expected,
                       const std::optional<std::string>& submitted) {
    if (!expected || !submitted || expected->size() < shortest_csrf_token) {
        return false;
    }
    return platform::crypto::constant_time_equal(*expected, *submitted);
}

} // namespace encore::hub::web
