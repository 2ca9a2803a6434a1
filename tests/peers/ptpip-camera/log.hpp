#pragma once

// One line per message on stderr, tagged with the component that wrote it,
// so a test's captured log shows which side of the simulator spoke.

#include <iostream>
#include <mutex>
#include <string>
#include <string_view>

namespace encore::peers {

// Safe to call from the capture worker as well as the network thread: each
// line is built first and written whole under a lock.
inline void log_line(std::string_view category, std::string_view message) {
    static std::mutex mutex;
    std::string line = "ptpip-camera[";
    line.append(category).append("] ").append(message).append("\n");
    const std::lock_guard lock(mutex);
    std::cerr << line << std::flush;
}

} // namespace encore::peers
