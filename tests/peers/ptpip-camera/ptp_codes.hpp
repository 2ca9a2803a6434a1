#pragma once

// Protocol numbers the simulator speaks: PTP/IP packet types, PTP operation,
// response and event codes, and the device properties it answers. The values
// come from the PTP (ISO 15740) and PTP/IP specifications and Nikon's
// vendor extension; names follow the specifications.

#include <cstdint>

namespace encore::peers::ptp {

enum class PacketType : std::uint32_t {
    InitCommandRequest = 1,
    InitCommandAck = 2,
    InitEventRequest = 3,
    InitEventAck = 4,
    InitFail = 5,
    OperationRequest = 6,
    OperationResponse = 7,
    Event = 8,
    StartData = 9,
    Data = 10,
    Cancel = 11,
    EndData = 12,
    Ping = 13,
    Pong = 14,
};

// The data-phase field of an operation request: 2 means the host sends data.
inline constexpr std::uint32_t host_sends_data = 2;

namespace op {
inline constexpr std::uint16_t get_device_info = 0x1001;
inline constexpr std::uint16_t open_session = 0x1002;
inline constexpr std::uint16_t close_session = 0x1003;
inline constexpr std::uint16_t get_storage_ids = 0x1004;
inline constexpr std::uint16_t get_storage_info = 0x1005;
inline constexpr std::uint16_t get_num_objects = 0x1006;
inline constexpr std::uint16_t get_object_handles = 0x1007;
inline constexpr std::uint16_t get_object_info = 0x1008;
inline constexpr std::uint16_t get_object = 0x1009;
inline constexpr std::uint16_t delete_object = 0x100B;
inline constexpr std::uint16_t initiate_capture = 0x100E;
inline constexpr std::uint16_t get_device_prop_desc = 0x1014;
inline constexpr std::uint16_t get_device_prop_value = 0x1015;
inline constexpr std::uint16_t set_device_prop_value = 0x1016;
inline constexpr std::uint16_t nikon_initiate_capture_rec_in_sdram = 0x90C0;
inline constexpr std::uint16_t nikon_device_ready = 0x90C8;
inline constexpr std::uint16_t nikon_start_live_view = 0x9201;
inline constexpr std::uint16_t nikon_end_live_view = 0x9202;
inline constexpr std::uint16_t nikon_get_live_view_img = 0x9203;
} // namespace op

namespace rc {
inline constexpr std::uint16_t ok = 0x2001;
inline constexpr std::uint16_t session_not_open = 0x2003;
inline constexpr std::uint16_t operation_not_supported = 0x2005;
inline constexpr std::uint16_t invalid_storage_id = 0x2008;
inline constexpr std::uint16_t invalid_object_handle = 0x2009;
inline constexpr std::uint16_t device_prop_not_supported = 0x200A;
inline constexpr std::uint16_t store_full = 0x200C;
inline constexpr std::uint16_t access_denied = 0x200F;
inline constexpr std::uint16_t device_busy = 0x2019;
inline constexpr std::uint16_t invalid_parameter = 0x201D;
inline constexpr std::uint16_t session_already_open = 0x201E;
inline constexpr std::uint16_t nikon_out_of_focus = 0xA002;
inline constexpr std::uint16_t nikon_not_live_view = 0xA00B;
} // namespace rc

namespace event {
inline constexpr std::uint16_t object_added = 0x4002;
inline constexpr std::uint16_t store_full = 0x400A;
inline constexpr std::uint16_t capture_complete = 0x400D;
} // namespace event

namespace prop {
inline constexpr std::uint16_t battery_level = 0x5001;
inline constexpr std::uint16_t image_size = 0x5003;
inline constexpr std::uint16_t nikon_live_view_status = 0xD1A2;
} // namespace prop

namespace datatype {
inline constexpr std::uint16_t uint8 = 0x0002;
inline constexpr std::uint16_t string = 0xFFFF;
} // namespace datatype

namespace format {
inline constexpr std::uint16_t undefined = 0x3000;
inline constexpr std::uint16_t exif_jpeg = 0x3801;
} // namespace format

inline constexpr std::uint32_t vendor_nikon = 0x0000000A;
inline constexpr std::uint32_t all_storages = 0xFFFFFFFF;
inline constexpr std::uint32_t root_parent = 0xFFFFFFFF;

} // namespace encore::peers::ptp
