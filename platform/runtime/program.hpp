#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace encore::platform {

// The top of every Encore program: runs `body`, and turns an exception that escaped
// it (a start-up failure: a port in use, an unusable data folder) into one line on
// stderr, "PROGRAM: what went wrong", and exit code 1.
int run_program(const std::string& program, const std::function<int()>& body);

// The current time as RFC 3339 UTC with seconds ("2026-11-28T12:00:00Z"), as stored
// in databases and sent over the kiosk link.
std::string utc_now_text();
// The same for any moment (whole seconds, rounded down).
std::string utc_text(std::chrono::system_clock::time_point when);

} // namespace encore::platform
