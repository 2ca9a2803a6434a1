#include "platform/log/logger.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <shared_mutex>
#include <unistd.h>

namespace encore::platform {
namespace {

std::shared_mutex settings_mutex;
LogSettings& current_settings() {
    static LogSettings settings;
    return settings;
}

std::string timestamp_now() {
    using namespace std::chrono;
    const auto now = system_clock::now();
    const auto seconds = time_point_cast<std::chrono::seconds>(now);
    const auto millis = duration_cast<milliseconds>(now - seconds).count();
    const std::time_t as_time_t = system_clock::to_time_t(seconds);
    std::tm utc{};
    gmtime_r(&as_time_t, &utc);
    std::array<char, 40> text{};
    const auto length = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%S", &utc);
    std::array<char, 8> fraction{};
    std::snprintf(fraction.data(), fraction.size(), ".%03dZ", static_cast<int>(millis));
    return std::string(text.data(), length) + fraction.data();
}

} // namespace

std::optional<LogLevel> parse_log_level(std::string_view name) {
    if (name == "debug") {
        return LogLevel::debug;
    }
    if (name == "info") {
        return LogLevel::info;
    }
    if (name == "warning") {
        return LogLevel::warning;
    }
    if (name == "error") {
        return LogLevel::error;
    }
    if (name == "off") {
        return LogLevel::off;
    }
    return std::nullopt;
}

std::string_view to_string(LogLevel level) {
    switch (level) {
    case LogLevel::debug:
        return "debug";
    case LogLevel::info:
        return "info";
    case LogLevel::warning:
        return "warning";
    case LogLevel::error:
        return "error";
    case LogLevel::off:
        return "off";
    }
    return "unknown";
}

void configure_logging(const LogSettings& settings) {
    std::unique_lock lock(settings_mutex);
    current_settings() = settings;
}

Logger::Logger(std::string category)
    : category_(std::move(category)) {}

bool Logger::enabled(LogLevel level) const {
    if (level == LogLevel::off) {
        return false;
    }
    std::shared_lock lock(settings_mutex);
    const auto& settings = current_settings();
    const auto found = settings.categories.find(category_);
    const LogLevel threshold = found != settings.categories.end() ? found->second : settings.level;
    return level >= threshold;
}

void Logger::write(LogLevel level, std::string_view message) const {
    std::string line = timestamp_now();
    line += ' ';
    const auto level_name = to_string(level);
    line += level_name;
    line.append(level_name.size() < 7 ? 7 - level_name.size() + 1 : 1, ' ');
    line += category_;
    line += ": ";
    line += message;
    line += '\n';
    // One write per line keeps lines whole when several threads log at once.
    const char* data = line.data();
    std::size_t left = line.size();
    while (left > 0) {
        const auto written = ::write(STDERR_FILENO, data, left);
        if (written <= 0) {
            return;
        }
        data += written;
        left -= static_cast<std::size_t>(written);
    }
}

} // namespace encore::platform
