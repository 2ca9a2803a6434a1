// The operator PIN's rate limit and sessions, with a clock the test moves by hand.

#include "kiosk/ui/operator_gate.hpp"

#include <doctest/doctest.h>

using encore::kiosk::ui::GateOptions;
using encore::kiosk::ui::OperatorGate;
using std::chrono::minutes;
using std::chrono::seconds;
using Verdict = OperatorGate::Verdict;

namespace {

GateOptions options() {
    GateOptions gate;
    gate.max_failures = 3;
    gate.lockout = seconds(30);
    gate.max_lockout = seconds(100);
    gate.session_idle = minutes(10);
    gate.max_sessions = 2;
    return gate;
}

} // namespace

TEST_CASE("wrong PINs lock the gate for longer each time, up to a cap") {
    OperatorGate gate("2468", options());
    auto now = OperatorGate::Clock::time_point{} + minutes(1);
    CHECK(gate.login("1111", now).verdict == Verdict::wrong_pin);
    CHECK(gate.login("", now).verdict == Verdict::wrong_pin);
    auto locked = gate.login("24680", now);
    CHECK(locked.verdict == Verdict::locked_out);
    CHECK(locked.retry_after == seconds(30));
    // Locked: the right PIN is not even looked at.
    CHECK(gate.login("2468", now + seconds(29)).verdict == Verdict::locked_out);

    now += seconds(30);
    for (int attempt = 0; attempt < 2; ++attempt) {
        CHECK(gate.login("0000", now).verdict == Verdict::wrong_pin);
    }
    CHECK(gate.login("0000", now).retry_after == seconds(60));
    now += seconds(60);
    for (int attempt = 0; attempt < 2; ++attempt) {
        gate.login("0000", now);
    }
    CHECK(gate.login("0000", now).retry_after == seconds(100)); // capped, not 120

    now += seconds(100);
    const auto granted = gate.login("2468", now);
    CHECK(granted.verdict == Verdict::granted);
    CHECK(granted.token.size() == 22);
    // A correct PIN starts the count afresh.
    CHECK(gate.login("0000", now).verdict == Verdict::wrong_pin);
    CHECK(gate.login("0000", now).verdict == Verdict::wrong_pin);
    CHECK(gate.login("0000", now).retry_after == seconds(30));
}

TEST_CASE("an operator session lasts while it is used, and ends on logout") {
    OperatorGate gate("2468", options());
    auto now = OperatorGate::Clock::time_point{} + minutes(1);
    const auto token = gate.login("2468", now).token;
    CHECK(gate.authorised(token, now + minutes(9)));
    CHECK(gate.authorised(token, now + minutes(18))); // used at 9 min: good until 19
    CHECK_FALSE(gate.authorised(token, now + minutes(29)));
    CHECK_FALSE(gate.authorised("", now));
    CHECK_FALSE(gate.authorised("not-a-token", now));

    const auto second = gate.login("2468", now).token;
    CHECK(gate.authorised(second, now));
    gate.logout(second);
    CHECK_FALSE(gate.authorised(second, now));
}

TEST_CASE("the least recently used session goes when too many are open") {
    OperatorGate gate("2468", options());
    auto now = OperatorGate::Clock::time_point{} + minutes(1);
    const auto first = gate.login("2468", now).token;
    const auto second = gate.login("2468", now + seconds(1)).token;
    CHECK(gate.authorised(first, now + seconds(2)));
    const auto third = gate.login("2468", now + seconds(3)).token;
    CHECK(gate.authorised(first, now + seconds(4)));
    CHECK_FALSE(gate.authorised(second, now + seconds(4)));
    CHECK(gate.authorised(third, now + seconds(4)));
}

TEST_CASE("a gate without a PIN lets nobody in") {
    OperatorGate gate("", options());
    CHECK(gate.login("").verdict == Verdict::wrong_pin);
}
