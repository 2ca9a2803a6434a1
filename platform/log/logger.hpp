#pragma once

#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace encore::platform {

enum class LogLevel { debug, info, warning, error, off };

std::optional<LogLevel> parse_log_level(std::string_view name);
std::string_view to_string(LogLevel level);

// Process-wide log settings: one default level and optional levels per category
// (for example "camera": "debug" while everything else stays at "info").
struct LogSettings {
    LogLevel level = LogLevel::info;
    std::map<std::string, LogLevel, std::less<>> categories;
};

// Applies the settings to every Logger, existing and future. Thread-safe.
void configure_logging(const LogSettings& settings);

// A named log category, one per component ("camera", "printer", "intake", ...).
// Lines go to stderr as "2026-11-28T12:00:00.123Z info  camera: message", written
// with one write() so lines from worker threads never interleave.
class Logger {
public:
    explicit Logger(std::string category);

    bool enabled(LogLevel level) const;

    template <typename... Parts>
    void debug(const Parts&... parts) const {
        log(LogLevel::debug, parts...);
    }
    template <typename... Parts>
    void info(const Parts&... parts) const {
        log(LogLevel::info, parts...);
    }
    template <typename... Parts>
    void warning(const Parts&... parts) const {
        log(LogLevel::warning, parts...);
    }
    template <typename... Parts>
    void error(const Parts&... parts) const {
        log(LogLevel::error, parts...);
    }

    template <typename... Parts>
    void log(LogLevel level, const Parts&... parts) const {
        if (!enabled(level)) {
            return;
        }
        std::ostringstream text;
        (text << ... << parts);
        write(level, text.str());
    }

    const std::string& category() const { return category_; }

private:
    void write(LogLevel level, std::string_view message) const;

    std::string category_;
};

} // namespace encore::platform
