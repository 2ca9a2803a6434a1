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

} // namespace encore::hub::web
