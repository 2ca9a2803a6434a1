#include "platform/http/client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <stdexcept>

namespace encore::platform::http {

namespace asio = boost::asio;
namespace beast = boost::beast;

std::optional<Endpoint> parse_http_url(const std::string& url) {
    constexpr std::string_view scheme = "http://";
    if (!url.starts_with(scheme)) {
        return std::nullopt;
    }
    std::string rest = url.substr(scheme.size());
    while (!rest.empty() && rest.back() == '/') {
        rest.pop_back();
    }
    if (rest.find('/') != std::string::npos) {
        return std::nullopt;
    }
    return parse_endpoint(rest);
}

ClientResponse request(const Endpoint& server, const std::string& method, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers,
                       const std::string& body, std::chrono::milliseconds timeout) {
    asio::io_context io;
    beast::tcp_stream stream(io);
    asio::ip::tcp::resolver resolver(io);
    const auto where = "http://" + server.to_string();
    beast::error_code error;
    const auto addresses = resolver.resolve(server.host, std::to_string(server.port), error);
    if (error) {
        throw std::runtime_error("cannot resolve " + where + ": " + error.message());
    }
    stream.expires_after(timeout);
    stream.connect(addresses, error);
    if (error) {
        throw std::runtime_error("cannot reach " + where + ": " + error.message() +
                                 " (is hubd running?)");
    }
    beast::http::request<beast::http::string_body> message(beast::http::string_to_verb(method),
                                                           target, 11);
    // RFC 9112: the port belongs in Host unless it is the scheme's default.
    message.set(beast::http::field::host, server.port == 80 ? server.host : server.to_string());
    message.set(beast::http::field::user_agent, "encore");
    for (const auto& [name, value] : headers) {
        message.set(name, value);
    }
    message.body() = body;
    message.prepare_payload();
    stream.expires_after(timeout);
    beast::http::write(stream, message, error);
    beast::flat_buffer buffer;
    beast::http::response_parser<beast::http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    if (!error) {
        beast::http::read(stream, buffer, parser, error);
    }
    if (error) {
        throw std::runtime_error("no answer from " + where + ": " + error.message());
    }
    const auto& response = parser.get();
    ClientResponse result{static_cast<int>(response.result_int()),
                          std::string(response[beast::http::field::content_type]),
                          response.body(),
                          {}};
    for (const auto& field : response) {
        result.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    return result;
}

std::optional<std::string> ClientResponse::header(std::string_view name) const {
    for (const auto& [field, value] : headers) {
        if (boost::beast::iequals(field, name)) {
            return value;
        }
    }
    return std::nullopt;
}

} // namespace encore::platform::http
