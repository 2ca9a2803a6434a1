#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace encore::kiosk::ui {

// The QR code of `text` as an SVG image (dark modules on white, a quiet zone of four
// modules, crisp at any size), drawn with the same encoder as the prints. nullopt when
// the text cannot be a QR code (empty, too long).
std::optional<std::string> qr_svg(std::string_view text);

} // namespace encore::kiosk::ui
