#pragma once

#include "kiosk/imaging/error.hpp"
#include "kiosk/imaging/image.hpp"

#include <optional>
#include <string_view>

// A built-in 5x7 bitmap font, drawn at integer scales so every stroke is a crisp block
// of whole pixels. It has capitals A-Z (lower-case letters are drawn as capitals),
// digits 0-9, the space and - . , : ; ! ? ' " & / # + ( ) @ _ * = < > % $
namespace encore::kiosk::imaging {

inline constexpr int glyph_width = 5;
inline constexpr int glyph_height = 7;
// One empty column between glyphs.
inline constexpr int glyph_advance = glyph_width + 1;

enum class Align { left, center, right };

// True when every character of `text` has a glyph.
bool font_supports(std::string_view text);
// The first character without a glyph, if any.
std::optional<char> first_unsupported(std::string_view text);

// The size of `text` on one line at `scale` (the last glyph's trailing gap excluded).
Size text_size(std::string_view text, int scale);

// The largest integer scale at which `text` fits in `box`; 0 when not even scale 1 fits.
int largest_scale(std::string_view text, Size box);

// Draws `text` on one line inside `box`: at `scale`, or at the largest scale that fits
// when `scale` is 0; aligned horizontally as asked and centred vertically. Fails with
// invalid_argument when a character has no glyph or the text does not fit.
Result<void> draw_text(Image& canvas, Rect box, std::string_view text, Rgb colour, int scale,
                       Align align);

} // namespace encore::kiosk::imaging
