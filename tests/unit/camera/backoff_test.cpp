#include "drivers/camera/backoff.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace encore::drivers::camera;
using std::chrono::milliseconds;

TEST_CASE("the nominal schedule doubles from the first wait up to the cap") {
    const Backoff backoff(BackoffPolicy{milliseconds(500), milliseconds(10'000), 2.0, 0.25});
    CHECK(backoff.nominal(0) == milliseconds(500));
    CHECK(backoff.nominal(1) == milliseconds(1000));
    CHECK(backoff.nominal(2) == milliseconds(2000));
    CHECK(backoff.nominal(3) == milliseconds(4000));
    CHECK(backoff.nominal(4) == milliseconds(8000));
    CHECK(backoff.nominal(5) == milliseconds(10'000));
    CHECK(backoff.nominal(60) == milliseconds(10'000));
    CHECK(backoff.nominal(5000) == milliseconds(10'000));
}

TEST_CASE("each wait is jittered below its nominal value, never above the cap") {
    Backoff backoff(BackoffPolicy{milliseconds(500), milliseconds(10'000), 2.0, 0.25}, 7);
    for (int attempt = 0; attempt < 40; ++attempt) {
        const auto nominal = backoff.nominal(attempt);
        const auto wait = backoff.next();
        CHECK(wait <= nominal);
        CHECK(wait.count() >= nominal.count() * 3 / 4 - 1);
        CHECK(wait <= milliseconds(10'000));
    }
    CHECK(backoff.attempts() == 40);
}

TEST_CASE("jitter spreads the waits of booths that lost their cameras together") {
    std::set<long> first_waits;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        Backoff backoff(BackoffPolicy{}, seed);
        backoff.next();
        backoff.next();
        first_waits.insert(static_cast<long>(backoff.next().count()));
    }
    CHECK(first_waits.size() > 10);
}

TEST_CASE("reset starts the schedule again") {
    Backoff backoff(BackoffPolicy{milliseconds(100), milliseconds(1000), 2.0, 0.0});
    CHECK(backoff.next() == milliseconds(100));
    CHECK(backoff.next() == milliseconds(200));
    CHECK(backoff.next() == milliseconds(400));
    backoff.reset();
    CHECK(backoff.attempts() == 0);
    CHECK(backoff.next() == milliseconds(100));
}

TEST_CASE("a policy that makes no sense is made sane") {
    Backoff backoff(BackoffPolicy{milliseconds(300), milliseconds(100), 0.5, 3.0});
    CHECK(backoff.policy().cap == milliseconds(300));
    CHECK(backoff.policy().factor == 1.0);
    CHECK(backoff.policy().jitter == 1.0);
    for (int i = 0; i < 10; ++i) {
        CHECK(backoff.next() <= milliseconds(300));
    }
}
