#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

// The kiosk link's framing: [u32 length][u8 type][payload], length in network byte
// order counting the type byte and the payload. docs/protocol.md is the specification.
namespace encore::platform::wire {

inline constexpr std::uint32_t protocol_version = 1;
// The largest payload a frame may carry; a longer frame is a protocol error.
inline constexpr std::size_t max_payload_bytes = 1024 * 1024;
inline constexpr std::size_t header_bytes = 5;

enum class FrameType : std::uint8_t {
    hello = 0x01,                   // kiosk -> hub, JSON
    welcome = 0x02,                 // hub -> kiosk, JSON
    order = 0x03,                   // kiosk -> hub, JSON
    ack = 0x04,                     // hub -> kiosk, JSON
    photo_begin = 0x05,             // kiosk -> hub, JSON
    offset = 0x06,                  // hub -> kiosk, JSON
    chunk = 0x07,                   // kiosk -> hub, binary
    photo_end = 0x08,               // kiosk -> hub, JSON
    error = 0x09,                   // either way, JSON
    ping = 0x0A,                    // either way, JSON
    pong = 0x0B,                    // either way, JSON
    config = 0x0C,                  // hub -> kiosk, JSON
    venue_print = 0x0D,             // hub -> kiosk, JSON
    enrol = 0x0E,                   // kiosk -> hub, JSON (first contact only)
    enrolled = 0x0F,                // hub -> kiosk, JSON
    venue_photo_wanted = 0x10,      // kiosk -> hub, JSON
    venue_photo_unavailable = 0x11, // hub -> kiosk, JSON
};

std::optional<FrameType> frame_type_from_byte(std::uint8_t value);
std::string_view to_string(FrameType type);
// True for frame types whose payload is JSON (every type but chunk).
bool carries_json(FrameType type);

struct Frame {
    FrameType type;
    std::vector<std::byte> payload;

    std::string_view payload_text() const {
        return {reinterpret_cast<const char*>(payload.data()), payload.size()};
    }
};

enum class FrameError {
    too_large = 1,    // length above max_payload_bytes + 1
    empty = 2,        // length 0: not even a type byte
    unknown_type = 3, // a type byte this version does not know
};
const std::error_category& frame_error_category();
std::error_code make_error_code(FrameError error);

// Encodes one frame. Throws std::length_error when the payload exceeds the bound:
// senders control their payload sizes, so that is a programming error.
std::vector<std::byte> encode_frame(FrameType type, std::span<const std::byte> payload);
std::vector<std::byte> encode_frame(FrameType type, std::string_view payload);

// Incremental decoder for a byte stream. Feed whatever the socket delivered; take
// complete frames with next(). After an error the stream is unusable: the caller
// closes the connection.
class FrameDecoder {
public:
    void feed(std::span<const std::byte> bytes);
    // The next complete frame, or nullopt when more bytes are needed or after an error.
    std::optional<Frame> next();
    std::error_code error() const { return error_; }
    // Bytes held waiting for the rest of a frame.
    std::size_t buffered() const { return buffer_.size() - consumed_; }

private:
    std::vector<std::byte> buffer_;
    std::size_t consumed_ = 0;
    std::error_code error_;
};

} // namespace encore::platform::wire

template <>
struct std::is_error_code_enum<encore::platform::wire::FrameError> : std::true_type {};
