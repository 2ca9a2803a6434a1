#pragma once

// One line per message on stderr, tagged with the component that wrote it,
// so a test's captured log shows which side of the simulator spoke.

#include <iostream>
#include <string_view>

namespace encore::peers {

inline void log_line(std::string_view category, std::string_view message)
{
    std::cerr << "ptpip-camera[" << category << "] " << message << '\n';
}

} // namespace encore::peers
