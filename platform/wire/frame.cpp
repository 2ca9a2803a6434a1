#include "platform/wire/frame.hpp"

#include <stdexcept>

namespace encore::platform::wire {
namespace {

class FrameErrorCategory : public std::error_category {
public:
    const char* name() const noexcept override { return "kiosk-link frame"; }
    std::string message(int value) const override {
        switch (static_cast<FrameError>(value)) {
        case FrameError::too_large:
            return "frame larger than the 1 MiB bound";
        case FrameError::empty:
            return "frame of length 0 (no type byte)";
        case FrameError::unknown_type:
            return "frame of an unknown type";
        }
        return "unknown frame error";
    }
};

} // namespace

const std::error_category& frame_error_category() {
    static const FrameErrorCategory category;
    return category;
}

std::error_code make_error_code(FrameError error) {
    return {static_cast<int>(error), frame_error_category()};
}

std::optional<FrameType> frame_type_from_byte(std::uint8_t value) {
    if (value >= static_cast<std::uint8_t>(FrameType::hello) &&
        value <= static_cast<std::uint8_t>(FrameType::venue_photo_unavailable)) {
        return static_cast<FrameType>(value);
    }
    return std::nullopt;
}

std::string_view to_string(FrameType type) {
    switch (type) {
    case FrameType::hello:
        return "HELLO";
    case FrameType::welcome:
        return "WELCOME";
    case FrameType::order:
        return "ORDER";
    case FrameType::ack:
        return "ACK";
    case FrameType::photo_begin:
        return "PHOTO_BEGIN";
    case FrameType::offset:
        return "OFFSET";
    case FrameType::chunk:
        return "CHUNK";
    case FrameType::photo_end:
        return "PHOTO_END";
    case FrameType::error:
        return "ERROR";
    case FrameType::ping:
        return "PING";
    case FrameType::pong:
        return "PONG";
    case FrameType::config:
        return "CONFIG";
    case FrameType::venue_print:
        return "VENUE_PRINT";
    case FrameType::enrol:
        return "ENROL";
    case FrameType::enrolled:
        return "ENROLLED";
    case FrameType::venue_photo_wanted:
        return "VENUE_PHOTO_WANTED";
    case FrameType::venue_photo_unavailable:
        return "VENUE_PHOTO_UNAVAILABLE";
    }
    return "?";
}

bool carries_json(FrameType type) {
    return type != FrameType::chunk;
}

std::vector<std::byte> encode_frame(FrameType type, std::span<const std::byte> payload) {
    if (payload.size() > max_payload_bytes) {
        throw std::length_error("kiosk-link payload over the 1 MiB bound");
    }
    const auto length = static_cast<std::uint32_t>(payload.size() + 1);
    std::vector<std::byte> frame;
    frame.reserve(header_bytes + payload.size());
    for (int shift = 24; shift >= 0; shift -= 8) {
        frame.push_back(static_cast<std::byte>((length >> shift) & 0xff));
    }
    frame.push_back(static_cast<std::byte>(type));
    frame.insert(frame.end(), payload.begin(), payload.end());
    return frame;
}

std::vector<std::byte> encode_frame(FrameType type, std::string_view payload) {
    return encode_frame(type, std::as_bytes(std::span(payload.data(), payload.size())));
}

void FrameDecoder::feed(std::span<const std::byte> bytes) {
    if (error_) {
        return;
    }
    // Drop consumed bytes before growing, so the buffer stays about one frame long.
    if (consumed_ > 0 && consumed_ == buffer_.size()) {
        buffer_.clear();
        consumed_ = 0;
    } else if (consumed_ > max_payload_bytes) {
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(consumed_));
        consumed_ = 0;
    }
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

std::optional<Frame> FrameDecoder::next() {
    if (error_ || buffered() < header_bytes) {
        return std::nullopt;
    }
    const auto* header = buffer_.data() + consumed_;
    std::uint32_t length = 0;
    for (int index = 0; index < 4; ++index) {
        length = (length << 8) | std::to_integer<std::uint32_t>(header[index]);
    }
    if (length == 0) {
        error_ = FrameError::empty;
        return std::nullopt;
    }
    if (length > max_payload_bytes + 1) {
        error_ = FrameError::too_large;
        return std::nullopt;
    }
    const auto type = frame_type_from_byte(std::to_integer<std::uint8_t>(header[4]));
    if (!type) {
        error_ = FrameError::unknown_type;
        return std::nullopt;
    }
    if (buffered() < 4 + static_cast<std::size_t>(length)) {
        return std::nullopt;
    }
    const auto* payload = header + header_bytes;
    Frame frame{*type, std::vector<std::byte>(payload, payload + (length - 1))};
    consumed_ += 4 + length;
    return frame;
}

} // namespace encore::platform::wire
