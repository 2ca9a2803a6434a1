#include "platform/http/router.hpp"

#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

namespace encore::platform::http {

void Router::add(Method method, std::string path, Handler handler) {
    routes_.push_back({method, std::move(path), std::move(handler), false});
}

void Router::add_prefix(Method method, std::string prefix, Handler handler) {
    routes_.push_back({method, std::move(prefix), std::move(handler), true});
}

void Router::add_stream(Method method, std::string path, StreamHandler handler) {
    stream_routes_.push_back({method, std::move(path), std::move(handler)});
}

const StreamHandler* Router::find_stream(const Request& request) const {
    const auto path = path_of(request);
    for (const auto& route : stream_routes_) {
        if (route.path == path && route.method == request.method()) {
            return &route.handler;
        }
    }
    return nullptr;
}

std::optional<std::string> percent_decode(std::string_view text) {
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t index = 0; index < text.size(); ++index) {
        const char c = text[index];
        if (c == '+') {
            decoded.push_back(' ');
        } else if (c == '%') {
            if (index + 2 >= text.size()) {
                return std::nullopt;
            }
            const auto hex = [](char digit) -> int {
                if (digit >= '0' && digit <= '9') {
                    return digit - '0';
                }
                if (digit >= 'a' && digit <= 'f') {
                    return digit - 'a' + 10;
                }
                if (digit >= 'A' && digit <= 'F') {
                    return digit - 'A' + 10;
                }
                return -1;
            };
            const int high = hex(text[index + 1]);
            const int low = hex(text[index + 2]);
            if (high < 0 || low < 0) {
                return std::nullopt;
            }
            decoded.push_back(static_cast<char>(high * 16 + low));
            index += 2;
        } else {
            decoded.push_back(c);
        }
    }
    return decoded;
}

std::optional<std::string> query_parameter(const Request& request, std::string_view name) {
    const std::string_view target = request.target();
    const auto question = target.find('?');
    if (question == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        const auto equals = pair.find('=');
        if (pair.substr(0, equals) == name) {
            return percent_decode(equals == std::string_view::npos ? std::string_view()
                                                                   : pair.substr(equals + 1));
        }
        if (amp == std::string_view::npos) {
            break;
        }
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

std::string_view path_of(const Request& request) {
    const std::string_view target = request.target();
    return target.substr(0, target.find('?'));
}

boost::asio::awaitable<Response> Router::route(const Request& request) const {
    const auto path = path_of(request);
    std::string allowed;
    const Route* prefix_match = nullptr;
    for (const auto& route : routes_) {
        if (route.prefix) {
            if (path.starts_with(route.path) && route.method == request.method()) {
                prefix_match = &route;
            }
            continue;
        }
        if (route.path != path) {
            continue;
        }
        if (route.method == request.method()) {
            co_return co_await route.handler(request);
        }
        allowed += (allowed.empty() ? "" : ", ") +
                   std::string(boost::beast::http::to_string(route.method));
    }
    // A stream route of this path with another method (a stream route with this method
    // never reaches route()).
    for (const auto& route : stream_routes_) {
        if (route.path == path) {
            allowed += (allowed.empty() ? "" : ", ") +
                       std::string(boost::beast::http::to_string(route.method));
        }
    }
    if (prefix_match != nullptr) {
        co_return co_await prefix_match->handler(request);
    }
    if (!allowed.empty()) {
        auto response = text_response(request, Status::method_not_allowed, "method not allowed\n");
        response.set(boost::beast::http::field::allow, allowed);
        co_return response;
    }
    co_return text_response(request, Status::not_found, "not found\n");
}

void add_health_route(Router& router, nlohmann::json status) {
    router.add(
        Method::get, "/healthz",
        [status = std::move(status)](const Request& request) -> boost::asio::awaitable<Response> {
            co_return json_response(request, Status::ok, status);
        });
}

Response text_response(const Request& request, Status status, std::string body,
                       std::string_view content_type) {
    Response response(status, request.version());
    response.set(boost::beast::http::field::content_type, content_type);
    response.set(boost::beast::http::field::cache_control, "no-store");
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Referrer-Policy", "no-referrer");
    response.keep_alive(request.keep_alive());
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

Response json_response(const Request& request, Status status, const nlohmann::json& body) {
    return text_response(request, status, body.dump() + "\n", "application/json");
}

} // namespace encore::platform::http
