#include "hub/web/rate_limiter.hpp"

#include <doctest/doctest.h>

using encore::hub::web::client_address;
using encore::hub::web::MissLimits;
using encore::hub::web::MissRateLimiter;
using encore::hub::web::rate_limit_key;
using Verdict = MissRateLimiter::Verdict;
using namespace std::chrono_literals;

namespace {

MissRateLimiter::Clock::time_point start() {
    return MissRateLimiter::Clock::time_point(1000h);
}

} // namespace

TEST_CASE("an address is refused after five misses within a minute, and only that address") {
    MissRateLimiter limiter;
    auto now = start();
    for (int miss = 0; miss < 5; ++miss) {
        REQUIRE(limiter.check("198.51.100.7", now) == Verdict::allowed);
        limiter.record_miss("198.51.100.7", now);
        now += 1s;
    }
    CHECK(limiter.check("198.51.100.7", now) == Verdict::address_limited);
    CHECK(limiter.check("198.51.100.8", now) == Verdict::allowed);
    // The first miss was at start(): it leaves the window 60 s later.
    CHECK(limiter.retry_after("198.51.100.7", now) == 55s);
    CHECK(limiter.check("198.51.100.7", start() + 59s) == Verdict::address_limited);
    CHECK(limiter.check("198.51.100.7", start() + 60s) == Verdict::allowed);
}

TEST_CASE("misses from many addresses together hit the global limit") {
    MissRateLimiter limiter(MissLimits{5, 100, 60s});
    const auto now = start();
    for (int address = 0; address < 100; ++address) {
        const auto client = "203.0.113." + std::to_string(address);
        REQUIRE(limiter.check(client, now) == Verdict::allowed);
        limiter.record_miss(client, now);
    }
    CHECK(limiter.check("192.0.2.1", now) == Verdict::globally_limited);
    CHECK(limiter.retry_after("192.0.2.1", now) == 60s);
    CHECK(limiter.check("192.0.2.1", now + 60s) == Verdict::allowed);
    // Addresses whose misses left the window are forgotten.
    CHECK(limiter.tracked_addresses() == 0);
}

TEST_CASE("a lookup that finds an order costs nothing") {
    MissRateLimiter limiter;
    for (int hit = 0; hit < 50; ++hit) {
        CHECK(limiter.check("198.51.100.7", start()) == Verdict::allowed);
    }
    CHECK(limiter.retry_after("198.51.100.7", start()) == 0s);
}

TEST_CASE("IPv6 clients are counted by their /64, IPv4 by the address") {
    const auto key = [](const char* text) {
        return rate_limit_key(boost::asio::ip::make_address(text));
    };
    CHECK(key("2001:db8:1:2:aaaa::1") == key("2001:db8:1:2:bbbb::9"));
    CHECK(key("2001:db8:1:2::1") != key("2001:db8:1:3::1"));
    CHECK(key("198.51.100.7") == "198.51.100.7");
    CHECK(key("::ffff:198.51.100.7") == "198.51.100.7");
    CHECK(key("198.51.100.7") != key("198.51.100.8"));
}

TEST_CASE("X-Forwarded-For is believed only from a trusted proxy, and only its own hop") {
    const auto ip = [](const char* text) { return boost::asio::ip::make_address(text); };
    const std::vector<boost::asio::ip::address> proxies = {ip("10.0.0.1"), ip("10.0.0.2")};
    // No proxies configured: the peer, whatever the header says.
    CHECK(client_address(ip("10.0.0.1"), "203.0.113.5", {}) == ip("10.0.0.1"));
    // A client that is not a proxy cannot name another address.
    CHECK(client_address(ip("198.51.100.7"), "203.0.113.5", proxies) == ip("198.51.100.7"));
    // Through one proxy: the address it appended.
    CHECK(client_address(ip("10.0.0.1"), "203.0.113.5", proxies) == ip("203.0.113.5"));
    // Entries left of the proxy's own were written by the client and are ignored.
    CHECK(client_address(ip("10.0.0.1"), "192.0.2.66, 203.0.113.5", proxies) == ip("203.0.113.5"));
    // Through two proxies of ours: the first address that is not one of them.
    CHECK(client_address(ip("10.0.0.1"), "203.0.113.5 , 10.0.0.2", proxies) == ip("203.0.113.5"));
    CHECK(client_address(ip("10.0.0.1"), "2001:db8::7", proxies) == ip("2001:db8::7"));
    // A proxy without the header, or with nonsense in it: the proxy itself.
    CHECK(client_address(ip("10.0.0.1"), "", proxies) == ip("10.0.0.1"));
    CHECK(client_address(ip("10.0.0.1"), "unknown", proxies) == ip("10.0.0.1"));
}
