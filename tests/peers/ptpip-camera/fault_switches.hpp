#pragma once

// The faults the simulated camera can play. Each is an independent on/off
// switch, set from the command line at start or through the control channel
// while the simulator runs.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace encore::peers {

enum class Fault {
    Busy,            // InitiateCapture answers DeviceBusy (0x2019).
    NoObjectAdded,   // InitiateCapture succeeds but ObjectAdded is never sent.
    DropMidTransfer, // GetObject closes the connection halfway through the data.
    Slow,            // GetObject data is throttled to about 200 KB/s.
    Vanish,          // All connections close and new ones are refused.
    AfFail,          // InitiateCapture answers Nikon OutOfFocus (0xA002).
    CardFull,        // InitiateCapture answers StoreFull (0x200C), no free space.
};

inline constexpr std::size_t fault_count = 7;

// The name used on the command line and in the control protocol.
std::string_view fault_name(Fault fault);

// The fault with that name, or nullopt if there is none.
std::optional<Fault> parse_fault(std::string_view name);

// All fault names separated by spaces, for help and error messages.
std::string all_fault_names();

class FaultSwitches {
public:
    bool is_on(Fault fault) const { return on_[static_cast<std::size_t>(fault)]; }
    void set(Fault fault, bool on) { on_[static_cast<std::size_t>(fault)] = on; }
    void clear_all() { on_.fill(false); }

    // The names of the faults that are on, in declaration order.
    std::vector<std::string_view> active_names() const;

private:
    std::array<bool, fault_count> on_{};
};

} // namespace encore::peers
