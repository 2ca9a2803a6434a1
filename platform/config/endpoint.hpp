#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace encore::platform {

// A listen or connect address written "HOST:PORT"; IPv6 hosts in brackets ("[::1]:8080").
struct Endpoint {
    std::string host;
    std::uint16_t port = 0;

    std::string to_string() const;
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// Parses "HOST:PORT"; port 0 is allowed (the system picks one). nullopt when malformed.
std::optional<Endpoint> parse_endpoint(std::string_view text);

} // namespace encore::platform
