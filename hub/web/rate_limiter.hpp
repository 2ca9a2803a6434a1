#pragma once

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace encore::hub::web {

struct MissLimits {
    // Misses one client address may make within `window` before it is refused.
    std::size_t per_address = 5;
    // Misses all clients together may make within `window`: the cap on guessing from
    // many addresses at once.
    std::size_t global = 100;
    std::chrono::seconds window{60};
};

// Counts failed short-code lookups ("misses") in a sliding window, per client address
// and over all clients, and says when a client must stop guessing. A lookup that finds
// an order costs nothing. Time is passed in, so tests step it without waiting. Memory
// stays bounded: an address is forgotten once its misses have left the window, and the
// global limit caps how many misses (and so addresses) the window can hold.
class MissRateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    enum class Verdict { allowed, address_limited, globally_limited };

    explicit MissRateLimiter(MissLimits limits = {});

    // Whether `client` may try a lookup now.
    Verdict check(std::string_view client, Clock::time_point now);
    void record_miss(std::string_view client, Clock::time_point now);
    // How long until `client` may try again (0 when it may now), for Retry-After.
    std::chrono::seconds retry_after(std::string_view client, Clock::time_point now);

    std::size_t tracked_addresses() const { return per_client_.size(); }

private:
    void forget_before(Clock::time_point cutoff);

    MissLimits limits_;
    std::deque<Clock::time_point> global_misses_;
    std::unordered_map<std::string, std::deque<Clock::time_point>> per_client_;
};

// The key a client is counted under: an IPv4 address as is (an IPv4-mapped IPv6
// address too), an IPv6 address by its /64 prefix, since one subscriber usually holds
// a whole /64 and could otherwise guess from a fresh address every time.
std::string rate_limit_key(const boost::asio::ip::address& address);

// The address a request came from. Only a trusted proxy (a TLS-terminating reverse proxy
// in front of the public listener) is believed about X-Forwarded-For: then the client is
// the right-most address in it that is not itself a trusted proxy (anything left of that
// the client could have written itself). From any other peer, or when the header is
// missing or malformed, the client is the TCP peer.
boost::asio::ip::address
client_address(const boost::asio::ip::address& peer, std::string_view forwarded_for,
               const std::vector<boost::asio::ip::address>& trusted_proxies);

} // namespace encore::hub::web
