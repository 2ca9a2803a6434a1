#include "drivers/camera/host_protocol.hpp"

namespace encore::drivers::camera::host {
namespace {

constexpr std::uint8_t payload_none = 0;
constexpr std::uint8_t payload_cameras = 1;
constexpr std::uint8_t payload_info = 2;
constexpr std::uint8_t payload_photo = 3;
constexpr std::uint8_t payload_frame = 4;

class Writer {
public:
    Writer() { bytes_.resize(frame_header_size); }

    void u8(std::uint8_t value) { bytes_.push_back(value); }
    void u16(std::uint16_t value) { little_endian(value, 2); }
    void u32(std::uint32_t value) { little_endian(value, 4); }
    void u64(std::uint64_t value) { little_endian(value, 8); }
    void block(const void* data, std::size_t size) {
        u32(static_cast<std::uint32_t>(size));
        const auto* first = static_cast<const std::uint8_t*>(data);
        bytes_.insert(bytes_.end(), first, first + size);
    }
    void string(const std::string& text) { block(text.data(), text.size()); }
    void optional_u64(const std::optional<std::uint64_t>& value) {
        u8(value ? 1 : 0);
        u64(value.value_or(0));
    }

    // Fills in the length prefix and hands the frame over.
    std::vector<std::uint8_t> finish() {
        const auto body = static_cast<std::uint32_t>(bytes_.size() - frame_header_size);
        for (std::size_t i = 0; i < frame_header_size; ++i) {
            bytes_[i] = static_cast<std::uint8_t>(body >> (8 * i));
        }
        return std::move(bytes_);
    }

private:
    void little_endian(std::uint64_t value, std::size_t size) {
        for (std::size_t i = 0; i < size; ++i) {
            bytes_.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
        }
    }

    std::vector<std::uint8_t> bytes_;
};

// Reads a body; any read past the end marks it failed and returns zeros.
class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> body)
        : body_(body) {}

    std::uint8_t u8() { return static_cast<std::uint8_t>(little_endian(1)); }
    std::uint16_t u16() { return static_cast<std::uint16_t>(little_endian(2)); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(little_endian(4)); }
    std::uint64_t u64() { return little_endian(8); }
    std::span<const std::uint8_t> block() {
        const auto size = u32();
        if (!ok_ || body_.size() - at_ < size) {
            ok_ = false;
            return {};
        }
        const auto result = body_.subspan(at_, size);
        at_ += size;
        return result;
    }
    std::string string() {
        const auto bytes = block();
        return {bytes.begin(), bytes.end()};
    }
    std::vector<std::uint8_t> bytes() {
        const auto bytes = block();
        return {bytes.begin(), bytes.end()};
    }
    std::optional<std::uint64_t> optional_u64() {
        const bool present = u8() != 0;
        const auto value = u64();
        return present ? std::optional(value) : std::nullopt;
    }

    // Everything read, nothing left over.
    bool complete() const { return ok_ && at_ == body_.size(); }
    bool ok() const { return ok_; }

private:
    std::uint64_t little_endian(std::size_t size) {
        if (!ok_ || body_.size() - at_ < size) {
            ok_ = false;
            return 0;
        }
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < size; ++i) {
            value |= std::uint64_t{body_[at_ + i]} << (8 * i);
        }
        at_ += size;
        return value;
    }

    std::span<const std::uint8_t> body_;
    std::size_t at_ = 0;
    bool ok_ = true;
};

bool valid_op(std::uint8_t value) {
    return value >= static_cast<std::uint8_t>(Op::list) &&
           value <= static_cast<std::uint8_t>(Op::close);
}

void write_info(Writer& out, const CameraInfo& info) {
    out.string(info.manufacturer);
    out.string(info.model);
    out.string(info.serial);
    out.string(info.port);
    out.optional_u64(info.battery_percent ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(
                                                static_cast<std::uint32_t>(*info.battery_percent)))
                                          : std::nullopt);
    out.optional_u64(info.free_bytes);
    out.optional_u64(info.free_images);
}

CameraInfo read_info(Reader& in) {
    CameraInfo info;
    info.manufacturer = in.string();
    info.model = in.string();
    info.serial = in.string();
    info.port = in.string();
    if (const auto battery = in.optional_u64()) {
        info.battery_percent = static_cast<int>(static_cast<std::int32_t>(*battery));
    }
    info.free_bytes = in.optional_u64();
    info.free_images = in.optional_u64();
    return info;
}

} // namespace

std::string_view to_string(Op op) {
    switch (op) {
    case Op::list:
        return "list";
    case Op::open:
        return "open";
    case Op::capture:
        return "capture";
    case Op::preview:
        return "preview";
    case Op::stop_live_view:
        return "stop live view";
    case Op::info:
        return "info";
    case Op::close:
        return "close";
    }
    return "unknown";
}

std::vector<std::uint8_t> encode(const Request& request) {
    Writer out;
    out.u8(static_cast<std::uint8_t>(request.op));
    out.u32(request.sequence);
    if (request.op == Op::open) {
        out.string(request.selector.port);
        out.string(request.selector.model);
    }
    return out.finish();
}

std::vector<std::uint8_t> encode(const Reply& reply) {
    Writer out;
    out.u8(static_cast<std::uint8_t>(reply.op));
    out.u32(reply.sequence);
    if (reply.error) {
        out.u16(static_cast<std::uint16_t>(reply.error->code.value()));
        out.string(reply.error->message);
        out.u8(payload_none);
        return out.finish();
    }
    out.u16(0);
    out.string("");
    if (const auto* cameras = std::get_if<std::vector<DetectedCamera>>(&reply.payload)) {
        out.u8(payload_cameras);
        out.u32(static_cast<std::uint32_t>(cameras->size()));
        for (const auto& camera : *cameras) {
            out.string(camera.model);
            out.string(camera.port);
        }
    } else if (const auto* info = std::get_if<CameraInfo>(&reply.payload)) {
        out.u8(payload_info);
        write_info(out, *info);
    } else if (const auto* photo = std::get_if<CapturedPhoto>(&reply.payload)) {
        out.u8(payload_photo);
        out.block(photo->jpeg.data(), photo->jpeg.size());
        out.string(photo->file_name);
        out.u64(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                               photo->captured_at.time_since_epoch())
                                               .count()));
        out.u32(static_cast<std::uint32_t>(photo->took.count()));
    } else if (const auto* frame = std::get_if<LiveViewFrame>(&reply.payload)) {
        out.u8(payload_frame);
        out.block(frame->jpeg.data(), frame->jpeg.size());
    } else {
        out.u8(payload_none);
    }
    return out.finish();
}

std::optional<std::uint32_t> body_length(std::span<const std::uint8_t, frame_header_size> header) {
    std::uint32_t length = 0;
    for (std::size_t i = 0; i < frame_header_size; ++i) {
        length |= std::uint32_t{header[i]} << (8 * i);
    }
    if (length > max_frame_size) {
        return std::nullopt;
    }
    return length;
}

std::optional<Request> decode_request(std::span<const std::uint8_t> body) {
    Reader in(body);
    const auto op = in.u8();
    if (!valid_op(op)) {
        return std::nullopt;
    }
    Request request;
    request.op = static_cast<Op>(op);
    request.sequence = in.u32();
    if (request.op == Op::open) {
        request.selector.port = in.string();
        request.selector.model = in.string();
    }
    if (!in.complete()) {
        return std::nullopt;
    }
    return request;
}

std::optional<Reply> decode_reply(std::span<const std::uint8_t> body) {
    Reader in(body);
    const auto op = in.u8();
    if (!valid_op(op)) {
        return std::nullopt;
    }
    Reply reply;
    reply.op = static_cast<Op>(op);
    reply.sequence = in.u32();
    const auto errc = in.u16();
    auto message = in.string();
    if (errc != 0) {
        if (errc > static_cast<std::uint16_t>(Errc::host_failed)) {
            return std::nullopt;
        }
        reply.error = make_error(static_cast<Errc>(errc), std::move(message));
    }
    switch (in.u8()) {
    case payload_none:
        break;
    case payload_cameras: {
        const auto count = in.u32();
        std::vector<DetectedCamera> cameras;
        for (std::uint32_t i = 0; i < count && in.ok(); ++i) {
            DetectedCamera camera;
            camera.model = in.string();
            camera.port = in.string();
            cameras.push_back(std::move(camera));
        }
        reply.payload = std::move(cameras);
        break;
    }
    case payload_info:
        reply.payload = read_info(in);
        break;
    case payload_photo: {
        CapturedPhoto photo;
        photo.jpeg = in.bytes();
        photo.file_name = in.string();
        const auto nanoseconds = static_cast<std::int64_t>(in.u64());
        photo.captured_at = std::chrono::system_clock::time_point(
            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                std::chrono::nanoseconds(nanoseconds)));
        photo.took = std::chrono::milliseconds(in.u32());
        reply.payload = std::move(photo);
        break;
    }
    case payload_frame: {
        LiveViewFrame frame;
        frame.jpeg = in.bytes();
        reply.payload = std::move(frame);
        break;
    }
    default:
        return std::nullopt;
    }
    if (!in.complete() || (reply.error && reply.payload.index() != 0)) {
        return std::nullopt;
    }
    return reply;
}

} // namespace encore::drivers::camera::host
