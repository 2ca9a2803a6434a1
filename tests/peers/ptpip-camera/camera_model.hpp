#pragma once

// The state of the simulated camera that outlives any one connection: the
// pictures on its card, its properties, its fault switches and its counters,
// and the PTP datasets that describe them. It lives on the network thread.

#include "byte_buffer.hpp"
#include "fault_switches.hpp"
#include "simulator_config.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace encore::peers {

struct StoredObject {
    std::uint32_t serial = 0;
    std::string filename;
    std::shared_ptr<const Bytes> jpeg;
};

struct CameraCounters {
    std::uint64_t captures = 0;    // Pictures taken (objects created).
    std::uint64_t downloads = 0;   // GetObject transfers sent completely.
    std::uint64_t live_frames = 0; // GetLiveViewImg frames sent.
};

class CameraModel {
public:
    static constexpr std::uint32_t storage_id = 0x00010001;

    explicit CameraModel(SimulatorConfig config);

    const SimulatorConfig& config() const { return config_; }
    FaultSwitches& faults() { return faults_; }
    const FaultSwitches& faults() const { return faults_; }
    CameraCounters& counters() { return counters_; }
    const CameraCounters& counters() const { return counters_; }

    void set_battery_percent(std::uint8_t percent) { battery_percent_ = percent; }
    std::uint8_t battery_percent() const { return battery_percent_; }

    bool live_view_on() const { return live_view_on_; }
    void set_live_view(bool on) { live_view_on_ = on; }

    // The serial number the next capture gets; each call takes a new one.
    std::uint32_t take_capture_serial() { return ++last_serial_; }

    // Puts a capture on the card and answers its object handle.
    std::uint32_t add_object(std::uint32_t serial, std::shared_ptr<const Bytes> jpeg);
    const StoredObject* find_object(std::uint32_t handle) const;
    // Deletes one object, or all for handle 0xFFFFFFFF; false if none matched.
    bool delete_object(std::uint32_t handle);
    std::vector<std::uint32_t> object_handles(std::uint32_t storage, std::uint32_t parent) const;

    // PTP datasets, encoded as the data phase of the matching operation.
    Bytes device_info() const;
    std::optional<Bytes> storage_info(std::uint32_t storage) const;
    Bytes object_info(const StoredObject& object) const;
    // nullopt when the simulated camera does not have the property.
    std::optional<Bytes> device_prop_desc(std::uint16_t code) const;
    std::optional<Bytes> device_prop_value(std::uint16_t code) const;

    bool supports_operation(std::uint16_t code) const;

private:
    std::uint64_t free_bytes() const;

    SimulatorConfig config_;
    FaultSwitches faults_;
    CameraCounters counters_;
    std::map<std::uint32_t, StoredObject> objects_;
    std::uint32_t next_handle_ = 1;
    std::uint32_t last_serial_ = 0;
    std::uint8_t battery_percent_;
    bool live_view_on_ = false;
};

} // namespace encore::peers
