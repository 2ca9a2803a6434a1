#pragma once

// The live-view stream: each GetLiveViewImg answer is a Nikon live-view
// header followed by a small JPEG.

#include "byte_buffer.hpp"
#include "jpeg_factory.hpp"
#include "simulator_config.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace encore::peers {

class LiveView {
public:
    // nullptr if turbojpeg cannot give a compressor.
    static std::unique_ptr<LiveView> create(const SimulatorConfig& config);

    // The next frame's complete data phase. Frames come from a ring that is
    // rendered on first use, so every frame differs from the one before it
    // yet the stream costs no encoding once the ring is full.
    std::shared_ptr<const Bytes> next_frame();

private:
    LiveView(const SimulatorConfig& config, std::unique_ptr<JpegFactory> factory);
    std::shared_ptr<const Bytes> render(std::uint32_t frame);

    std::uint32_t seed_;
    int width_;
    int height_;
    int full_width_;
    int full_height_;
    std::unique_ptr<JpegFactory> factory_;
    std::vector<std::shared_ptr<const Bytes>> ring_;
    std::uint32_t next_ = 0;
};

} // namespace encore::peers
