#pragma once

#include "platform/config/endpoint.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace encore::platform::http {

// "http://host:port" split into its parts; nullopt for anything else (the back
// office API is plain HTTP on the private network).
std::optional<Endpoint> parse_http_url(const std::string& url);

struct ClientResponse {
    int status = 0;
    std::string content_type;
    std::string body;
    // Every header field as received, in order (Set-Cookie may come more than once).
    std::vector<std::pair<std::string, std::string>> headers;

    // The first header of that name (case-insensitive), or nullopt.
    std::optional<std::string> header(std::string_view name) const;
};

// One blocking HTTP/1.1 request, for the command line and tests. Throws
// std::runtime_error with a message that names the address when the server cannot be
// reached or does not answer within `timeout`.
ClientResponse request(const Endpoint& server, const std::string& method, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers = {},
                       const std::string& body = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(30));

} // namespace encore::platform::http
