#include "kiosk/imaging/jpeg.hpp"

#include <turbojpeg.h>

#include <array>
#include <memory>
#include <string>

namespace encore::kiosk::imaging {
namespace {

// libjpeg-turbo's DCT scaling factors at or below 1/1, smallest first.
constexpr std::array<ScaleFactor, 8> decode_scales{{
    {1, 8},
    {1, 4},
    {3, 8},
    {1, 2},
    {5, 8},
    {3, 4},
    {7, 8},
    {1, 1},
}};

struct HandleDeleter {
    void operator()(void* handle) const { tjDestroy(handle); }
};
using Handle = std::unique_ptr<void, HandleDeleter>;

const unsigned char* jpeg_bytes(std::span<const std::byte> jpeg) {
    return reinterpret_cast<const unsigned char*>(jpeg.data());
}

std::string turbojpeg_message(tjhandle handle) {
    const char* text = tjGetErrorStr2(handle);
    return text != nullptr && *text != '\0' ? text : "unknown libjpeg-turbo error";
}

struct Header {
    int width = 0;
    int height = 0;
    int colourspace = 0;
};

Result<Header> read_header(tjhandle handle, std::span<const std::byte> jpeg) {
    Header header;
    int subsampling = 0;
    if (tjDecompressHeader3(handle, jpeg_bytes(jpeg), static_cast<unsigned long>(jpeg.size()),
                            &header.width, &header.height, &subsampling,
                            &header.colourspace) != 0) {
        return Error{Errc::corrupt_jpeg, "unreadable JPEG header: " + turbojpeg_message(handle)};
    }
    if (header.colourspace == TJCS_CMYK || header.colourspace == TJCS_YCCK) {
        return Error{Errc::unsupported_jpeg, "CMYK JPEGs are not supported; save the image as RGB"};
    }
    if (auto checked = check_dimensions(header.width, header.height, "the JPEG"); !checked) {
        return checked.error();
    }
    return header;
}

int turbojpeg_subsampling(ChromaSubsampling subsampling) {
    switch (subsampling) {
    case ChromaSubsampling::none:
        return TJSAMP_444;
    case ChromaSubsampling::horizontal:
        return TJSAMP_422;
    case ChromaSubsampling::both:
        return TJSAMP_420;
    }
    return TJSAMP_444;
}

} // namespace

ScaleFactor choose_decode_scale(Size stored, Size needed) {
    for (const auto& scale : decode_scales) {
        if (scale.apply(stored.width) >= needed.width &&
            scale.apply(stored.height) >= needed.height) {
            return scale;
        }
    }
    return {1, 1};
}

Result<JpegInfo> read_jpeg_info(std::span<const std::byte> jpeg) {
    // Our own walk over the segments comes first: it rejects what is not a JPEG or is
    // truncated in its headers with a precise message, and finds the EXIF block.
    auto orientation = read_exif_orientation(jpeg);
    if (!orientation) {
        return orientation.error();
    }
    const Handle handle(tjInitDecompress());
    if (!handle) {
        return Error{Errc::out_of_memory, "cannot create a JPEG decoder"};
    }
    auto header = read_header(handle.get(), jpeg);
    if (!header) {
        return header.error();
    }
    return JpegInfo{header->width, header->height, *orientation};
}

Result<DecodedJpeg> decode_jpeg(std::span<const std::byte> jpeg, Size needed_upright) {
    auto orientation = read_exif_orientation(jpeg);
    if (!orientation) {
        return orientation.error();
    }
    const Handle handle(tjInitDecompress());
    if (!handle) {
        return Error{Errc::out_of_memory, "cannot create a JPEG decoder"};
    }
    auto header = read_header(handle.get(), jpeg);
    if (!header) {
        return header.error();
    }
    const Size stored{header->width, header->height};
    const Size needed = swaps_axes(*orientation) ? Size{needed_upright.height, needed_upright.width}
                                                 : needed_upright;
    const ScaleFactor scale = choose_decode_scale(stored, needed);
    const int width = scale.apply(stored.width);
    const int height = scale.apply(stored.height);
    auto pixels = Image::create(width, height);
    if (!pixels) {
        return pixels.error();
    }
    // With the exact scaled size as the target, tjDecompress2 picks `scale`. A warning
    // (a truncated file, corrupt entropy data) stops the decoder: such a photo would
    // print with a grey or garbled part.
    if (tjDecompress2(handle.get(), jpeg_bytes(jpeg), static_cast<unsigned long>(jpeg.size()),
                      pixels->data(), width, static_cast<int>(pixels->stride()), height, TJPF_RGB,
                      TJFLAG_STOPONWARNING) != 0) {
        return Error{Errc::corrupt_jpeg, "cannot decode the JPEG (" + std::to_string(stored.width) +
                                             "x" + std::to_string(stored.height) +
                                             "): " + turbojpeg_message(handle.get())};
    }
    return DecodedJpeg{std::move(*pixels), *orientation, scale, stored};
}

Result<std::vector<std::byte>> encode_jpeg(const Image& image, const JpegEncoding& encoding) {
    if (image.width() <= 0 || image.height() <= 0) {
        return Error{Errc::invalid_argument, "cannot encode an empty image"};
    }
    if (encoding.quality < 1 || encoding.quality > 100) {
        return Error{Errc::invalid_argument,
                     "JPEG quality " + std::to_string(encoding.quality) + " is outside 1..100"};
    }
    const Handle handle(tjInitCompress());
    if (!handle) {
        return Error{Errc::out_of_memory, "cannot create a JPEG encoder"};
    }
    // libjpeg-turbo allocates the output itself; only the pages it writes are touched.
    unsigned char* output = nullptr;
    unsigned long output_size = 0;
    const int status =
        tjCompress2(handle.get(), image.data(), image.width(), static_cast<int>(image.stride()),
                    image.height(), TJPF_RGB, &output, &output_size,
                    turbojpeg_subsampling(encoding.subsampling), encoding.quality, 0);
    const std::unique_ptr<unsigned char, decltype(&tjFree)> owned(output, &tjFree);
    if (status != 0) {
        return Error{Errc::encode_failed,
                     "cannot encode the JPEG: " + turbojpeg_message(handle.get())};
    }
    const auto* begin = reinterpret_cast<const std::byte*>(output);
    return std::vector<std::byte>(begin, begin + output_size);
}

} // namespace encore::kiosk::imaging
