#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>

// The PIN in front of the operator screen. A correct PIN buys a session token (128
// random bits, kept in an HttpOnly cookie) that expires after a while without use.
// Wrong PINs are rate limited: after `max_failures` in a row, every attempt is refused
// for `lockout`, doubling with each further lockout up to `max_lockout`, without
// looking at the PIN at all. A correct PIN resets the count.
namespace encore::kiosk::ui {

struct GateOptions {
    int max_failures = 5;
    std::chrono::seconds lockout{30};
    std::chrono::seconds max_lockout{std::chrono::minutes(15)};
    // A session ends this long after its last use.
    std::chrono::seconds session_idle{std::chrono::minutes(10)};
    // The oldest session is dropped when more are open.
    std::size_t max_sessions = 8;
};

class OperatorGate {
public:
    using Clock = std::chrono::steady_clock;

    OperatorGate(std::string pin, GateOptions options = {});

    enum class Verdict { granted, wrong_pin, locked_out };
    struct Login {
        Verdict verdict = Verdict::wrong_pin;
        // granted: the session token.
        std::string token;
        // locked_out (and the wrong PIN that caused it): when to try again.
        std::chrono::seconds retry_after{0};
    };

    Login login(std::string_view pin, Clock::time_point now = Clock::now());
    // True when `token` names an open session; using it extends the session.
    bool authorised(std::string_view token, Clock::time_point now = Clock::now());
    void logout(std::string_view token);

    const GateOptions& options() const { return options_; }

private:
    std::string pin_;
    GateOptions options_;
    int failures_ = 0;
    int lockouts_ = 0;
    Clock::time_point locked_until_{};
    // token -> last use
    std::map<std::string, Clock::time_point, std::less<>> sessions_;
};

} // namespace encore::kiosk::ui
