#pragma once

#include <filesystem>

// Files of the source tree that tests start the programs with.
namespace encore::testing {

// The root of the source tree this build came from.
std::filesystem::path source_dir();

// kiosk/session/events/demo.json: the demo event (2x2 grid on 4x6, PIN 2468).
std::filesystem::path demo_event_file();

} // namespace encore::testing
