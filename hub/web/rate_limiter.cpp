#include "hub/web/rate_limiter.hpp"

#include <algorithm>

namespace encore::hub::web {

MissRateLimiter::MissRateLimiter(MissLimits limits)
    : limits_(limits) {}

void MissRateLimiter::forget_before(Clock::time_point cutoff) {
    while (!global_misses_.empty() && global_misses_.front() <= cutoff) {
        global_misses_.pop_front();
    }
    for (auto& [client, misses] : per_client_) {
        while (!misses.empty() && misses.front() <= cutoff) {
            misses.pop_front();
        }
    }
    std::erase_if(per_client_, [](const auto& entry) { return entry.second.empty(); });
}

MissRateLimiter::Verdict MissRateLimiter::check(std::string_view client, Clock::time_point now) {
    forget_before(now - limits_.window);
    if (const auto found = per_client_.find(std::string(client));
        found != per_client_.end() && found->second.size() >= limits_.per_address) {
        return Verdict::address_limited;
    }
    if (global_misses_.size() >= limits_.global) {
        return Verdict::globally_limited;
    }
    return Verdict::allowed;
}

void MissRateLimiter::record_miss(std::string_view client, Clock::time_point now) {
    forget_before(now - limits_.window);
    global_misses_.push_back(now);
    per_client_[std::string(client)].push_back(now);
}

std::chrono::seconds MissRateLimiter::retry_after(std::string_view client, Clock::time_point now) {
    const auto verdict = check(client, now);
    if (verdict == Verdict::allowed) {
        return std::chrono::seconds(0);
    }
    // The oldest miss that holds the limit leaves the window at oldest + window.
    const auto oldest = verdict == Verdict::address_limited
                            ? per_client_.find(std::string(client))->second.front()
                            : global_misses_.front();
    const auto wait = std::chrono::ceil<std::chrono::seconds>(oldest + limits_.window - now);
    return std::max(wait, std::chrono::seconds(1));
}

std::string rate_limit_key(const boost::asio::ip::address& address) {
    if (address.is_v4()) {
        return address.to_string();
    }
    const auto v6 = address.to_v6();
    if (v6.is_v4_mapped()) {
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
    }
    auto bytes = v6.to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

boost::asio::ip::address
client_address(const boost::asio::ip::address& peer, std::string_view forwarded_for,
               const std::vector<boost::asio::ip::address>& trusted_proxies) {
    const auto trusted = [&](const boost::asio::ip::address& address) {
        return std::find(trusted_proxies.begin(), trusted_proxies.end(), address) !=
               trusted_proxies.end();
    };
    auto client = peer;
    while (trusted(client) && !forwarded_for.empty()) {
        const auto comma = forwarded_for.rfind(',');
        auto hop =
            comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
        forwarded_for =
            comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
        while (!hop.empty() && (hop.front() == ' ' || hop.front() == '\t')) {
            hop.remove_prefix(1);
        }
        while (!hop.empty() && (hop.back() == ' ' || hop.back() == '\t')) {
            hop.remove_suffix(1);
        }
        boost::system::error_code error;
        const auto address = boost::asio::ip::make_address(std::string(hop), error);
        if (error) {
            return peer;
        }
        client = address;
    }
    return client;
}

} // namespace encore::hub::web
