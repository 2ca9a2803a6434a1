#include "camera_model.hpp"

#include "ptp_codes.hpp"

#include <array>
#include <cstdio>
#include <utility>

namespace encore::peers {

namespace {

constexpr std::uint64_t card_capacity = 32ull * 1024 * 1024 * 1024;
// Used to estimate how many more pictures fit before anything was captured.
constexpr std::uint64_t typical_picture_bytes = 8ull * 1024 * 1024;

std::vector<std::uint16_t> operations(CaptureOperation capture_operation) {
    std::vector<std::uint16_t> codes{
        ptp::op::get_device_info,
        ptp::op::open_session,
        ptp::op::close_session,
        ptp::op::get_storage_ids,
        ptp::op::get_storage_info,
        ptp::op::get_num_objects,
        ptp::op::get_object_handles,
        ptp::op::get_object_info,
        ptp::op::get_object,
        ptp::op::delete_object,
        ptp::op::initiate_capture,
        ptp::op::get_device_prop_desc,
        ptp::op::get_device_prop_value,
        ptp::op::set_device_prop_value,
        ptp::op::nikon_device_ready,
        ptp::op::nikon_start_live_view,
        ptp::op::nikon_end_live_view,
        ptp::op::nikon_get_live_view_img,
    };
    if (capture_operation == CaptureOperation::Nikon) {
        codes.push_back(ptp::op::nikon_initiate_capture_rec_in_sdram);
    }
    return codes;
}

constexpr std::array<std::uint16_t, 3> events{ptp::event::object_added, ptp::event::store_full,
                                              ptp::event::capture_complete};
constexpr std::array<std::uint16_t, 3> properties{ptp::prop::battery_level, ptp::prop::image_size,
                                                  ptp::prop::nikon_live_view_status};
constexpr std::array<std::uint16_t, 1> picture_formats{ptp::format::exif_jpeg};

} // namespace

CameraModel::CameraModel(SimulatorConfig config)
    : config_(std::move(config))
    , battery_percent_(config_.battery_percent) {
    for (auto fault : config_.initial_faults) {
        faults_.set(fault, true);
    }
}

std::uint32_t CameraModel::add_object(std::uint32_t serial, std::shared_ptr<const Bytes> jpeg) {
    char name[16];
    std::snprintf(name, sizeof name, "DSC_%04u.JPG", serial % 10000);
    const auto handle = next_handle_++;
    objects_[handle] = StoredObject{serial, name, std::move(jpeg)};
    ++counters_.captures;
    return handle;
}

const StoredObject* CameraModel::find_object(std::uint32_t handle) const {
    const auto found = objects_.find(handle);
    return found == objects_.end() ? nullptr : &found->second;
}

bool CameraModel::delete_object(std::uint32_t handle) {
    if (handle == 0xFFFFFFFF) {
        const bool any = !objects_.empty();
        objects_.clear();
        return any;
    }
    return objects_.erase(handle) > 0;
}

std::vector<std::uint32_t> CameraModel::object_handles(std::uint32_t storage,
                                                       std::uint32_t parent) const {
    std::vector<std::uint32_t> handles;
    // The card is flat: every picture sits in the root, and no object is a
    // folder, so only a root listing has anything in it.
    const bool our_storage = storage == ptp::all_storages || storage == storage_id;
    const bool root = parent == 0 || parent == ptp::root_parent;
    if (our_storage && root) {
        for (const auto& [handle, object] : objects_) {
            handles.push_back(handle);
        }
    }
    return handles;
}

std::uint64_t CameraModel::free_bytes() const {
    if (faults_.is_on(Fault::CardFull)) {
        return 0;
    }
    std::uint64_t used = 0;
    for (const auto& [handle, object] : objects_) {
        used += object.jpeg->size();
    }
    return used >= card_capacity ? 0 : card_capacity - used;
}

bool CameraModel::supports_operation(std::uint16_t code) const {
    for (auto supported : operations(config_.capture_operation)) {
        if (supported == code) {
            return true;
        }
    }
    return false;
}

Bytes CameraModel::device_info() const {
    Bytes data;
    LeWriter out(data);
    out.u16(100); // PTP 1.00
    out.u32(ptp::vendor_nikon);
    out.u16(100);
    out.ptp_string("microsoft.com: 1.0");
    out.u16(0); // Functional mode: standard.
    const auto ops = operations(config_.capture_operation);
    out.u16_array(ops);
    out.u16_array(events);
    out.u16_array(properties);
    out.u16_array(picture_formats); // Capture formats.
    out.u16_array(picture_formats); // Image formats.
    out.ptp_string("Nikon Corporation");
    out.ptp_string(config_.model);
    out.ptp_string("V1.10");
    out.ptp_string(config_.serial_number);
    return data;
}

std::optional<Bytes> CameraModel::storage_info(std::uint32_t storage) const {
    if (storage != storage_id) {
        return std::nullopt;
    }
    const auto free = free_bytes();
    std::uint64_t picture_bytes = typical_picture_bytes;
    if (!objects_.empty()) {
        picture_bytes = objects_.rbegin()->second.jpeg->size();
    }
    Bytes data;
    LeWriter out(data);
    out.u16(0x0004); // Removable RAM, i.e. a memory card.
    out.u16(0x0002); // Generic hierarchical file system.
    out.u16(0x0000); // Read-write.
    out.u64(card_capacity);
    out.u64(free);
    out.u32(static_cast<std::uint32_t>(free / (picture_bytes == 0 ? 1 : picture_bytes)));
    out.ptp_string("SD card");
    out.ptp_string("NIKON " + config_.model);
    return data;
}

Bytes CameraModel::object_info(const StoredObject& object) const {
    // Capture dates advance one minute a picture from a fixed start so that
    // repeated runs describe the same pictures identically.
    char date[20];
    std::snprintf(date, sizeof date, "20240601T%02u%02u00", 9 + (object.serial / 60) % 14,
                  object.serial % 60);
    Bytes data;
    LeWriter out(data);
    out.u32(storage_id);
    out.u16(ptp::format::exif_jpeg);
    out.u16(0); // No protection.
    out.u32(static_cast<std::uint32_t>(object.jpeg->size()));
    out.u16(ptp::format::undefined); // No thumbnail.
    out.u32(0);
    out.u32(0);
    out.u32(0);
    out.u32(static_cast<std::uint32_t>(config_.width));
    out.u32(static_cast<std::uint32_t>(config_.height));
    out.u32(24);
    out.u32(0); // Parent: the root.
    out.u16(0); // Not an association.
    out.u32(0);
    out.u32(0);
    out.ptp_string(object.filename);
    out.ptp_string(date);
    out.ptp_string(date);
    out.ptp_string("");
    return data;
}

std::optional<Bytes> CameraModel::device_prop_desc(std::uint16_t code) const {
    Bytes data;
    LeWriter out(data);
    switch (code) {
    case ptp::prop::battery_level:
        out.u16(code);
        out.u16(ptp::datatype::uint8);
        out.u8(0); // Read only.
        out.u8(100);
        out.u8(battery_percent_);
        out.u8(1); // Range form: 0 to 100 in steps of 1.
        out.u8(0);
        out.u8(100);
        out.u8(1);
        return data;
    case ptp::prop::image_size: {
        const auto size = std::to_string(config_.width) + "x" + std::to_string(config_.height);
        out.u16(code);
        out.u16(ptp::datatype::string);
        out.u8(0);
        out.ptp_string(size);
        out.ptp_string(size);
        out.u8(0); // No form.
        return data;
    }
    case ptp::prop::nikon_live_view_status:
        out.u16(code);
        out.u16(ptp::datatype::uint8);
        out.u8(0);
        out.u8(0);
        out.u8(live_view_on_ ? 1 : 0);
        out.u8(0);
        return data;
    default:
        return std::nullopt;
    }
}

std::optional<Bytes> CameraModel::device_prop_value(std::uint16_t code) const {
    Bytes data;
    LeWriter out(data);
    switch (code) {
    case ptp::prop::battery_level:
        out.u8(battery_percent_);
        return data;
    case ptp::prop::image_size:
        out.ptp_string(std::to_string(config_.width) + "x" + std::to_string(config_.height));
        return data;
    case ptp::prop::nikon_live_view_status:
        out.u8(live_view_on_ ? 1 : 0);
        return data;
    default:
        return std::nullopt;
    }
}

} // namespace encore::peers
