#pragma once

#include "kiosk/imaging/layout.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

// An event's settings for the guest flow, read from a JSON event file (see
// kiosk/session/events/demo.json and docs/kiosk-api.md):
//
//   {
//     "name": "Summer Gala",
//     "layout": "../../imaging/templates/grid-2x2-4x6.json",
//     "countdown_seconds": 3,
//     "max_retakes": 2,
//     "copies": {"min": 1, "max": 4, "default": 1},
//     "timeouts": {"countdown": 30, "capture": 30, "review": 90, "copies": 60,
//                  "printing": 300, "code": 60},
//     "languages": ["en", "de", "fr", "es", "ja"],
//     "default_language": "en",
//     "operator_pin": "2468"
//   }
namespace encore::kiosk::session {

// The languages the touchscreen UI has strings for.
inline const std::vector<std::string> supported_languages{"en", "de", "fr", "es", "ja"};

// How long each state waits for the guest (or the device) before the booth gives up
// and goes back to attract. In the event file: whole seconds.
struct StateTimeouts {
    // Waiting for the guest to start the next photo's countdown.
    std::chrono::milliseconds countdown{std::chrono::seconds(30)};
    // Waiting for the camera to deliver the picture.
    std::chrono::milliseconds capture{std::chrono::seconds(30)};
    std::chrono::milliseconds review{std::chrono::seconds(90)};
    std::chrono::milliseconds copies{std::chrono::seconds(60)};
    // From the print request; the print itself carries on after a timeout.
    std::chrono::milliseconds printing{std::chrono::seconds(300)};
    std::chrono::milliseconds code{std::chrono::seconds(60)};
};

struct CopiesLimits {
    int min = 1;
    int max = 4;
    int default_copies = 1;
};

struct EventSettings {
    std::string name = "Encore";
    // The layout template and the layout read from it; `shots` is its number of slots.
    std::filesystem::path layout_file;
    imaging::Layout layout;
    int shots = 1;
    // 0 takes the picture as soon as the guest asks.
    int countdown_seconds = 3;
    // One countdown step; one second, shorter only in tests (not in the event file).
    std::chrono::milliseconds countdown_step{std::chrono::seconds(1)};
    // Retakes per session, each of one photo or of all of them.
    int max_retakes = 2;
    CopiesLimits copies;
    StateTimeouts timeouts;
    // The languages offered on screen, and the one a session starts in.
    std::vector<std::string> languages{"en"};
    std::string default_language = "en";
    // Opens the operator screen. 4 to 12 digits; required.
    std::string operator_pin;
};

// Reads an event document. Relative paths (the layout) are resolved against
// `base_directory`. Strict: throws platform::config::ConfigError listing every
// problem, each naming its key ("copies.default"): unknown keys, wrong types, values
// out of range, a missing PIN, a layout that cannot be read.
EventSettings parse_event(const nlohmann::json& document,
                          const std::filesystem::path& base_directory);

// Reads and parses an event file; the layout path is relative to the file's folder.
EventSettings load_event(const std::filesystem::path& file);

// The settings as the operator screen shows them (everything but the PIN).
nlohmann::json describe_event(const EventSettings& event);

} // namespace encore::kiosk::session
