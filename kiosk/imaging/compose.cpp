#include "kiosk/imaging/compose.hpp"

#include "kiosk/imaging/bitmap_font.hpp"
#include "kiosk/imaging/qr.hpp"
#include "kiosk/imaging/resample.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

namespace encore::kiosk::imaging {
namespace {

// Layout images (logos, backgrounds) larger than this are refused.
constexpr std::uintmax_t max_image_file_bytes = 64u << 20;

// Decodes `jpeg` at the scale that `rect` needs and draws it there.
Result<void> draw_jpeg(Image& canvas, JpegBytes jpeg, const Rect& rect, Fit fit) {
    auto info = read_jpeg_info(jpeg);
    if (!info) {
        return info.error();
    }
    const Size needed = fitted_size(info->upright_size(), {rect.width, rect.height}, fit);
    auto decoded = decode_jpeg(jpeg, needed);
    if (!decoded) {
        return decoded.error();
    }
    return draw_image(canvas, rect, decoded->pixels, decoded->orientation, fit);
}

Result<std::vector<std::byte>> read_file(const std::filesystem::path& path) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    if (error) {
        return Error{Errc::file_error, "cannot read " + path.string() + ": " + error.message()};
    }
    if (size > max_image_file_bytes) {
        return Error{Errc::file_error, path.string() + " is " + std::to_string(size >> 20) +
                                           " MiB; image files are limited to " +
                                           std::to_string(max_image_file_bytes >> 20) + " MiB"};
    }
    std::ifstream file(path, std::ios::binary);
    std::vector<std::byte> bytes(static_cast<std::size_t>(size));
    if (!file ||
        !file.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size))) {
        return Error{Errc::file_error, "cannot read " + path.string()};
    }
    return bytes;
}

Result<void> check_request(const Layout& layout, std::span<const JpegBytes> photos,
                           std::string_view order_code, std::string_view qr_url) {
    if (layout.width <= 0 || layout.height <= 0) {
        return Error{Errc::invalid_argument, "the layout has no size; load it with load_layout"};
    }
    if (photos.size() != layout.photos.size()) {
        return Error{Errc::invalid_argument,
                     "the layout \"" + layout.name + "\" has " +
                         std::to_string(layout.photos.size()) + " photo slots but " +
                         std::to_string(photos.size()) + " photos were given"};
    }
    if (order_code.empty() || order_code.size() > max_order_code_length) {
        return Error{Errc::invalid_argument,
                     "the order code must have 1 to " + std::to_string(max_order_code_length) +
                         " characters, got " + std::to_string(order_code.size())};
    }
    if (!font_supports(order_code)) {
        return Error{Errc::invalid_argument,
                     "the order code \"" + std::string(order_code) +
                         "\" has a character the built-in font cannot draw"};
    }
    if (qr_url.empty()) {
        return Error{Errc::invalid_argument, "the QR link is empty"};
    }
    return {};
}

} // namespace

Result<Image> render_print(const Layout& layout, std::span<const JpegBytes> photos,
                           std::string_view order_code, std::string_view qr_url) {
    if (auto checked = check_request(layout, photos, order_code, qr_url); !checked) {
        return checked.error();
    }
    auto canvas = Image::filled(layout.width, layout.height, layout.background);
    if (!canvas) {
        return canvas.error();
    }
    for (std::size_t i = 0; i < layout.images.size(); ++i) {
        const auto& item = layout.images[i];
        const auto context = "layout image " + item.file.string();
        auto bytes = read_file(item.file);
        if (!bytes) {
            return bytes.error();
        }
        if (auto drawn = draw_jpeg(*canvas, *bytes, item.rect, item.fit); !drawn) {
            return with_context(drawn.error(), context);
        }
    }
    for (std::size_t i = 0; i < photos.size(); ++i) {
        const auto& slot = layout.photos[i];
        if (auto drawn = draw_jpeg(*canvas, photos[i], slot.rect, slot.fit); !drawn) {
            return with_context(drawn.error(), "photo " + std::to_string(i + 1));
        }
    }
    for (const auto& text : layout.texts) {
        if (auto drawn =
                draw_text(*canvas, text.rect, text.text, text.colour, text.scale, text.align);
            !drawn) {
            return with_context(drawn.error(), "text");
        }
    }
    if (auto drawn = draw_qr(*canvas, layout.qr, qr_url); !drawn) {
        return with_context(drawn.error(), "QR code");
    }
    const std::string code = layout.code.prefix + std::string(order_code);
    if (auto drawn = draw_text(*canvas, layout.code.rect, code, layout.code.colour,
                               layout.code.scale, layout.code.align);
        !drawn) {
        return with_context(drawn.error(), "order code");
    }
    return canvas;
}

Result<std::vector<std::byte>> compose_print(const Layout& layout,
                                             std::span<const JpegBytes> photos,
                                             std::string_view order_code, std::string_view qr_url,
                                             const JpegEncoding& encoding) {
    auto print = render_print(layout, photos, order_code, qr_url);
    if (!print) {
        return print.error();
    }
    return encode_jpeg(*print, encoding);
}

Result<std::vector<std::byte>> compose_print(const Layout& layout,
                                             const std::vector<std::vector<std::byte>>& photos,
                                             std::string_view order_code, std::string_view qr_url,
                                             const JpegEncoding& encoding) {
    std::vector<JpegBytes> views(photos.begin(), photos.end());
    return compose_print(layout, views, order_code, qr_url, encoding);
}

Result<std::vector<std::byte>> make_thumbnail(std::span<const std::byte> jpeg, int max_side,
                                              const JpegEncoding& encoding) {
    if (max_side < 1 || max_side > max_image_dimension) {
        return Error{Errc::invalid_argument,
                     "thumbnail side " + std::to_string(max_side) + " is out of range"};
    }
    auto info = read_jpeg_info(jpeg);
    if (!info) {
        return info.error();
    }
    const Size upright = info->upright_size();
    const Size box{std::min(max_side, upright.width), std::min(max_side, upright.height)};
    const Size size = fitted_size(upright, box, Fit::contain);
    auto decoded = decode_jpeg(jpeg, size);
    if (!decoded) {
        return decoded.error();
    }
    auto thumbnail = Image::create(size.width, size.height);
    if (!thumbnail) {
        return thumbnail.error();
    }
    // Cover writes every pixel of the (uninitialised) thumbnail; with the same aspect
    // ratio it crops at most a rounding pixel.
    if (auto drawn = draw_image(*thumbnail, thumbnail->bounds(), decoded->pixels,
                                decoded->orientation, Fit::cover);
        !drawn) {
        return drawn.error();
    }
    return encode_jpeg(*thumbnail, encoding);
}

} // namespace encore::kiosk::imaging
