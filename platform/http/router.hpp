#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace encore::platform::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Status = boost::beast::http::status;
using Method = boost::beast::http::verb;
using Handler = std::function<boost::asio::awaitable<Response>(const Request&)>;
// A handler that takes the connection over once a request has been read: a WebSocket
// upgrade, or a long-lived response such as an MJPEG stream. It may move the stream and
// the buffer (which holds any bytes the client sent after the request) out of the
// references it is given; both live until it returns. The server sets no timeout on the
// stream (the handler sets its own), writes nothing more after it returns and reads no
// further request. Server::stop() does not end a taken-over connection: its owner does.
using StreamHandler = std::function<boost::asio::awaitable<void>(
    const Request&, boost::beast::tcp_stream&, boost::beast::flat_buffer&)>;

// Maps method + exact path to a handler. Unknown paths get 404, known paths with
// another method get 405 with an Allow header.
class Router {
public:
    void add(Method method, std::string path, Handler handler);
    // Matches every path that starts with `prefix` ("/api/photos/"); exact routes win.
    void add_prefix(Method method, std::string prefix, Handler handler);
    // Hands connections whose request is `method` + exact `path` to `handler`.
    void add_stream(Method method, std::string path, StreamHandler handler);
    boost::asio::awaitable<Response> route(const Request& request) const;
    // The stream handler for this request, or nullptr when it goes to route().
    const StreamHandler* find_stream(const Request& request) const;

private:
    struct Route {
        Method method;
        std::string path;
        Handler handler;
        bool prefix = false;
    };
    struct StreamRoute {
        Method method;
        std::string path;
        StreamHandler handler;
    };
    std::vector<Route> routes_;
    std::vector<StreamRoute> stream_routes_;
};

// Responses that carry the headers every Encore response has (nosniff, no-referrer).
Response text_response(const Request& request, Status status, std::string body,
                       std::string_view content_type = "text/plain; charset=utf-8");
Response json_response(const Request& request, Status status, const nlohmann::json& body);
// Adds GET /healthz answering `status` as JSON, for load balancers and operators.
void add_health_route(Router& router, nlohmann::json status);
// The path of a request target without its query string.
std::string_view path_of(const Request& request);
// The decoded value of `name` in the request's query string ("?state=paid&limit=5").
std::optional<std::string> query_parameter(const Request& request, std::string_view name);
// Decodes %XX escapes and '+' (as a space); nullopt when an escape is malformed.
std::optional<std::string> percent_decode(std::string_view text);

} // namespace encore::platform::http
