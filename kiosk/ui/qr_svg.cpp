#include "kiosk/ui/qr_svg.hpp"

#include "kiosk/imaging/qr.hpp"

namespace encore::kiosk::ui {

std::optional<std::string> qr_svg(std::string_view text) {
    // Draw at two pixels a module (the smallest the encoder allows) on a canvas big
    // enough for the largest QR version, then read one pixel per module back.
    constexpr int side = (177 + 2 * imaging::qr_quiet_zone_modules) * imaging::qr_min_module_pixels;
    auto canvas = imaging::Image::filled(side, side, {255, 255, 255});
    if (!canvas) {
        return std::nullopt;
    }
    const auto placed = imaging::draw_qr(*canvas, {0, 0, side, side}, text);
    if (!placed) {
        return std::nullopt;
    }
    const int modules = placed->modules;
    const int pixels = placed->module_pixels;
    const int quiet = imaging::qr_quiet_zone_modules;
    const int origin_x = placed->area.x + quiet * pixels;
    const int origin_y = placed->area.y + quiet * pixels;
    const int total = modules + 2 * quiet;
    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " +
                      std::to_string(total) + " " + std::to_string(total) +
                      "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" "
                      "fill=\"#fff\"/><path fill=\"#000\" d=\"";
    for (int row = 0; row < modules; ++row) {
        for (int column = 0; column < modules; ++column) {
            const auto colour = canvas->pixel(origin_x + column * pixels + pixels / 2,
                                              origin_y + row * pixels + pixels / 2);
            if (colour.r < 128) {
                svg += "M" + std::to_string(column + quiet) + " " + std::to_string(row + quiet) +
                       "h1v1h-1z";
            }
        }
    }
    svg += "\"/></svg>\n";
    return svg;
}

} // namespace encore::kiosk::ui
