#include "fault_switches.hpp"

namespace encore::peers {

namespace {

constexpr std::array<std::string_view, fault_count> names{
    "busy", "no-object-added", "drop-mid-transfer", "slow", "vanish", "af-fail", "card-full",
};

} // namespace

std::string_view fault_name(Fault fault) {
    return names[static_cast<std::size_t>(fault)];
}

std::optional<Fault> parse_fault(std::string_view name) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == name) {
            return static_cast<Fault>(i);
        }
    }
    return std::nullopt;
}

std::string all_fault_names() {
    std::string joined;
    for (auto name : names) {
        if (!joined.empty()) {
            joined += ' ';
        }
        joined += name;
    }
    return joined;
}

std::vector<std::string_view> FaultSwitches::active_names() const {
    std::vector<std::string_view> active;
    for (std::size_t i = 0; i < fault_count; ++i) {
        if (on_[i]) {
            active.push_back(names[i]);
        }
    }
    return active;
}

} // namespace encore::peers
