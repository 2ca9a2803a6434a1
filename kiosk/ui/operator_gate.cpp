#include "kiosk/ui/operator_gate.hpp"

#include "platform/crypto/random.hpp"

#include <algorithm>

namespace encore::kiosk::ui {

OperatorGate::OperatorGate(std::string pin, GateOptions options)
    : pin_(std::move(pin))
    , options_(options) {}

OperatorGate::Login OperatorGate::login(std::string_view pin, Clock::time_point now) {
    using std::chrono::duration_cast;
    using std::chrono::seconds;
    if (now < locked_until_) {
        // Rounded up, so a client that waits Retry-After seconds is let in.
        return {Verdict::locked_out, {}, duration_cast<seconds>(locked_until_ - now) + seconds(1)};
    }
    if (pin_.empty() || !platform::crypto::constant_time_equal(pin, pin_)) {
        ++failures_;
        if (failures_ < options_.max_failures) {
            return {Verdict::wrong_pin, {}, seconds(0)};
        }
        failures_ = 0;
        auto lockout = options_.lockout;
        for (int doubling = 0; doubling < lockouts_ && lockout < options_.max_lockout; ++doubling) {
            lockout *= 2;
        }
        lockout = std::min(lockout, options_.max_lockout);
        ++lockouts_;
        locked_until_ = now + lockout;
        return {Verdict::locked_out, {}, lockout};
    }
    failures_ = 0;
    lockouts_ = 0;
    // Drop sessions past their idle time, then the least recently used beyond the limit.
    std::erase_if(sessions_, [&](const auto& session) {
        return now - session.second > options_.session_idle;
    });
    while (sessions_.size() >= options_.max_sessions) {
        const auto oldest =
            std::min_element(sessions_.begin(), sessions_.end(),
                             [](const auto& a, const auto& b) { return a.second < b.second; });
        sessions_.erase(oldest);
    }
    auto token = platform::crypto::random_token(16);
    sessions_.emplace(token, now);
    return {Verdict::granted, std::move(token), std::chrono::seconds(0)};
}

bool OperatorGate::authorised(std::string_view token, Clock::time_point now) {
    if (token.empty()) {
        return false;
    }
    const auto found = sessions_.find(token);
    if (found == sessions_.end()) {
        return false;
    }
    if (now - found->second > options_.session_idle) {
        sessions_.erase(found);
        return false;
    }
    found->second = now;
    return true;
}

void OperatorGate::logout(std::string_view token) {
    if (const auto found = sessions_.find(token); found != sessions_.end()) {
        sessions_.erase(found);
    }
}

} // namespace encore::kiosk::ui
