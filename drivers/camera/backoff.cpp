#include "drivers/camera/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace encore::drivers::camera {

Backoff::Backoff(BackoffPolicy policy, std::uint64_t seed)
    : policy_(policy)
    , random_(seed) {
    policy_.factor = std::max(policy_.factor, 1.0);
    policy_.jitter = std::clamp(policy_.jitter, 0.0, 1.0);
    policy_.cap = std::max(policy_.cap, policy_.initial);
}

std::chrono::milliseconds Backoff::nominal(int attempt) const {
    const double initial = static_cast<double>(policy_.initial.count());
    const double cap = static_cast<double>(policy_.cap.count());
    // pow() grows past the cap long before it overflows a double.
    const double wait = std::min(cap, initial * std::pow(policy_.factor, std::max(attempt, 0)));
    return std::chrono::milliseconds(static_cast<std::int64_t>(wait));
}

std::chrono::milliseconds Backoff::next() {
    const auto wait = nominal(attempt_);
    attempt_ = std::min(attempt_ + 1, 1000);
    std::uniform_real_distribution<double> spread(1.0 - policy_.jitter, 1.0);
    const double jittered = static_cast<double>(wait.count()) * spread(random_);
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(jittered)));
}

} // namespace encore::drivers::camera
