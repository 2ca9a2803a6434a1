#pragma once

#include <chrono>
#include <cstdint>
#include <random>

// The waits between reconnection attempts: exponential with a cap, and jittered so that
// a camera that drops does not get hammered at fixed intervals (and booths that lose
// their cameras together, say on a power dip, do not retry in step).
namespace encore::drivers::camera {

struct BackoffPolicy {
    std::chrono::milliseconds initial{500};
    std::chrono::milliseconds cap{10'000};
    double factor = 2.0;
    // Each wait is the nominal wait times a random number in [1 - jitter, 1].
    double jitter = 0.25;
};

class Backoff {
public:
    explicit Backoff(BackoffPolicy policy = {}, std::uint64_t seed = std::random_device{}());

    // The wait before the next attempt; each call moves one step up the schedule.
    std::chrono::milliseconds next();
    // Back to the first step (after a success).
    void reset() { attempt_ = 0; }
    // Steps taken since the last reset.
    int attempts() const { return attempt_; }

    // The un-jittered wait of step `attempt` (0 for the first): initial * factor^attempt,
    // at most the cap.
    std::chrono::milliseconds nominal(int attempt) const;
    const BackoffPolicy& policy() const { return policy_; }

private:
    BackoffPolicy policy_;
    std::mt19937_64 random_;
    int attempt_ = 0;
};

} // namespace encore::drivers::camera
