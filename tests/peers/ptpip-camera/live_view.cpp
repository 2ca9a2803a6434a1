#include "live_view.hpp"

#include <utility>

namespace encore::peers {

namespace {

constexpr std::size_t ring_size = 60;

// Nikon DSLRs of the D750's generation put a 384-byte header before the
// live-view JPEG. libgphoto2 2.5.30 does not parse it: it searches the data
// for the JPEG start marker FF D8 and the end marker FF D9 after it. The
// header still carries the main fields, big-endian as Nikon writes them, so
// that a client reading it finds plausible values.
constexpr std::size_t nikon_header_size = 384;

void put_be16(Bytes& out, std::size_t offset, std::uint32_t value) {
    out[offset] = static_cast<std::uint8_t>(value >> 8);
    out[offset + 1] = static_cast<std::uint8_t>(value);
}

} // namespace

std::unique_ptr<LiveView> LiveView::create(const SimulatorConfig& config) {
    auto factory = JpegFactory::create(75);
    if (!factory) {
        return nullptr;
    }
    return std::unique_ptr<LiveView>(new LiveView(config, std::move(factory)));
}

LiveView::LiveView(const SimulatorConfig& config, std::unique_ptr<JpegFactory> factory)
    : seed_(config.seed)
    , width_(config.preview_width)
    , height_(config.preview_height)
    , full_width_(config.width)
    , full_height_(config.height)
    , factory_(std::move(factory))
    , ring_(ring_size) {}

std::shared_ptr<const Bytes> LiveView::next_frame() {
    const auto slot = next_ % ring_size;
    if (!ring_[slot]) {
        ring_[slot] = render(next_);
    }
    ++next_;
    return ring_[slot];
}

std::shared_ptr<const Bytes> LiveView::render(std::uint32_t frame) {
    const auto jpeg = factory_->render_preview(seed_, frame, width_, height_);
    auto data = std::make_shared<Bytes>(nikon_header_size, std::uint8_t{0});
    auto& out = *data;
    const auto size = static_cast<std::uint32_t>(jpeg.size());
    out[0] = static_cast<std::uint8_t>(size >> 24);
    out[1] = static_cast<std::uint8_t>(size >> 16);
    out[2] = static_cast<std::uint8_t>(size >> 8);
    out[3] = static_cast<std::uint8_t>(size);
    put_be16(out, 4, static_cast<std::uint32_t>(width_));
    put_be16(out, 6, static_cast<std::uint32_t>(height_));
    put_be16(out, 8, static_cast<std::uint32_t>(full_width_));
    put_be16(out, 10, static_cast<std::uint32_t>(full_height_));
    put_be16(out, 12, static_cast<std::uint32_t>(full_width_ / 2));
    put_be16(out, 14, static_cast<std::uint32_t>(full_height_ / 2));
    // A JPEG start marker inside the header would make libgphoto2 cut the
    // frame in the wrong place, so no header byte pair may read FF D8.
    for (std::size_t i = 0; i + 1 < nikon_header_size; ++i) {
        if (out[i] == 0xFF && out[i + 1] == 0xD8) {
            out[i] = 0xFE;
        }
    }
    out.insert(out.end(), jpeg.begin(), jpeg.end());
    return data;
}

} // namespace encore::peers
