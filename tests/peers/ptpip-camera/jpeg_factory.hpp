#pragma once

// Renders the simulated camera's pictures and encodes them as JPEG.
//
// Pictures are deterministic: the same seed and serial number always give the
// same pixels, so a test can regenerate or recognise any capture. Each
// picture has horizontal and vertical colour gradients, a grid of coloured
// blocks chosen from the seed and serial, and two strips of black and white
// squares across the top that spell the serial and the seed in binary.

#include "byte_buffer.hpp"

#include <cstdint>
#include <memory>

namespace encore::peers {

class JpegFactory {
public:
    // A factory holding one turbojpeg compressor, or nullptr if turbojpeg
    // cannot give one. The compressor, the pixel buffer and the output buffer
    // are reused from one picture to the next, so a factory belongs to one
    // thread at a time.
    static std::unique_ptr<JpegFactory> create(int quality);
    ~JpegFactory();
    JpegFactory(const JpegFactory&) = delete;
    JpegFactory& operator=(const JpegFactory&) = delete;

    // A still capture: serial is the capture number (1 for the first).
    Bytes render_capture(std::uint32_t seed, std::uint32_t serial, int width, int height);

    // A live-view frame: like a capture, plus a white bar that moves across
    // the picture from one frame to the next.
    Bytes render_preview(std::uint32_t seed, std::uint32_t frame, int width, int height);

private:
    JpegFactory(void* handle, int quality);

    void paint(std::uint32_t seed, std::uint32_t serial, int width, int height);
    void paint_moving_bar(std::uint32_t frame, int width, int height);
    Bytes encode(int width, int height);

    void* handle_;
    int quality_;
    Bytes pixels_;
    unsigned char* output_ = nullptr;
    unsigned long output_capacity_ = 0;
};

} // namespace encore::peers
