#include "platform/log/logger.hpp"

#include <doctest/doctest.h>

using namespace encore::platform;

TEST_CASE("levels apply per category, with the default for the rest") {
    LogSettings settings;
    settings.level = LogLevel::warning;
    settings.categories["camera"] = LogLevel::debug;
    configure_logging(settings);
    const Logger camera("camera");
    const Logger printer("printer");
    CHECK(camera.enabled(LogLevel::debug));
    CHECK_FALSE(printer.enabled(LogLevel::info));
    CHECK(printer.enabled(LogLevel::error));
    CHECK_FALSE(printer.enabled(LogLevel::off));
    configure_logging(LogSettings{});
    CHECK(printer.enabled(LogLevel::info));
}

TEST_CASE("log level names parse both ways") {
    for (const auto level :
         {LogLevel::debug, LogLevel::info, LogLevel::warning, LogLevel::error, LogLevel::off}) {
        CHECK(parse_log_level(to_string(level)) == level);
    }
    CHECK_FALSE(parse_log_level("verbose"));
}
