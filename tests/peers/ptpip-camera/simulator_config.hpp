#pragma once

// Everything the simulator can be told on its command line, with every
// default in this one place.

#include "fault_switches.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace encore::peers {

enum class CaptureOperation {
    // Advertise only the standard InitiateCapture (0x100E), so libgphoto2
    // takes its generic capture path.
    Generic,
    // Also advertise Nikon's InitiateCaptureRecInSdram (0x90C0), so
    // libgphoto2 takes its Nikon capture path as with a real Nikon DSLR.
    Nikon,
};

struct SimulatorConfig {
    std::uint16_t port = 0;         // 0 picks a free port.
    std::uint16_t control_port = 0; // 0 picks a free port.
    int width = 6000;               // 24 megapixels, like a D750.
    int height = 4000;
    int preview_width = 640;
    int preview_height = 426;
    int jpeg_quality = 90;
    std::uint32_t seed = 1;
    std::string save_dir;       // Empty: captures are not saved.
    std::string model = "D750"; // Not a model libgphoto2 treats specially.
    std::string serial_number = "3012345";
    std::uint8_t battery_percent = 87;
    CaptureOperation capture_operation = CaptureOperation::Generic;
    std::vector<Fault> initial_faults;
    bool verbose = false;
};

} // namespace encore::peers
