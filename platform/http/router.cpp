#include "platform/http/router.hpp"

#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

namespace encore::platform::http {

void Router::add(Method method, std::string path, Handler handler) {
    routes_.push_back({method, std::move(path), std::move(handler)});
}

std::string_view path_of(const Request& request) {
    const std::string_view target = request.target();
    return target.substr(0, target.find('?'));
}

boost::asio::awaitable<Response> Router::route(const Request& request) const {
    const auto path = path_of(request);
    std::string allowed;
    for (const auto& route : routes_) {
        if (route.path != path) {
            continue;
        }
        if (route.method == request.method()) {
            co_return co_await route.handler(request);
        }
        allowed += (allowed.empty() ? "" : ", ") +
                   std::string(boost::beast::http::to_string(route.method));
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
