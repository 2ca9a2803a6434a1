#include "tests/support/source_tree.hpp"

namespace encore::testing {

std::filesystem::path source_dir() {
    return ENCORE_SOURCE_DIR;
}

std::filesystem::path demo_event_file() {
    return source_dir() / "kiosk" / "session" / "events" / "demo.json";
}

} // namespace encore::testing
