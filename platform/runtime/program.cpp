#include "platform/runtime/program.hpp"

#include <ctime>
#include <exception>
#include <iostream>

namespace encore::platform {

int run_program(const std::string& program, const std::function<int()>& body) {
    try {
        return body();
    } catch (const std::exception& error) {
        std::cerr << program << ": " << error.what() << "\n";
        return 1;
    }
}

std::string utc_now_text() {
    return utc_text(std::chrono::system_clock::now());
}

std::string utc_text(std::chrono::system_clock::time_point when) {
    const std::time_t now = std::chrono::system_clock::to_time_t(when);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

} // namespace encore::platform
