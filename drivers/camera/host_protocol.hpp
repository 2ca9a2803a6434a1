#pragma once

#include "drivers/camera/camera.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

// The protocol between HostedCamera (in the booth's process) and encore-camera-host
// (the child process that runs libgphoto2), over a Unix stream socket pair.
//
// Each message is a frame: [u32 length][body], the length little-endian and counting
// the body only (at most max_frame_size). A request body is [u8 op][u32 sequence]
// followed by the port and model strings for open. A reply body is [u8 op][u32 sequence]
// [u16 errc][string message][u8 payload kind][payload]; errc 0 means success, any other
// value is a camera Errc and the message the operator's sentence. Strings and byte
// blocks are [u32 length][bytes], integers little-endian. The host answers each request
// with exactly one reply carrying the request's op and sequence, in order.
namespace encore::drivers::camera::host {

enum class Op : std::uint8_t {
    list = 1,
    open,
    capture,
    preview,
    stop_live_view,
    info,
    close,
};
std::string_view to_string(Op op);

constexpr std::size_t frame_header_size = 4;
// A 24 MP JPEG is 5-15 MB; 256 MiB leaves room for anything a camera may send.
constexpr std::uint32_t max_frame_size = 256u << 20;

struct Request {
    Op op = Op::list;
    std::uint32_t sequence = 0;
    // Only for Op::open.
    CameraSelector selector;
};

using Payload = std::variant<std::monostate, std::vector<DetectedCamera>, CameraInfo, CapturedPhoto,
                             LiveViewFrame>;

struct Reply {
    Op op = Op::list;
    std::uint32_t sequence = 0;
    std::optional<Error> error;
    Payload payload;
};

// Whole frames, length prefix included.
std::vector<std::uint8_t> encode(const Request& request);
std::vector<std::uint8_t> encode(const Reply& reply);

// The body length announced by a frame header; nullopt when it exceeds max_frame_size.
std::optional<std::uint32_t> body_length(std::span<const std::uint8_t, frame_header_size> header);

// Parse a frame's body (after the length prefix); nullopt when it is malformed.
std::optional<Request> decode_request(std::span<const std::uint8_t> body);
std::optional<Reply> decode_reply(std::span<const std::uint8_t> body);

} // namespace encore::drivers::camera::host
