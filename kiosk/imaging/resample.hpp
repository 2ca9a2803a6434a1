#pragma once

#include "kiosk/imaging/error.hpp"
#include "kiosk/imaging/exif.hpp"
#include "kiosk/imaging/image.hpp"

// Drawing one image into a rectangle of another with a separable Lanczos-3 filter
// in fixed point. When shrinking, the kernel is widened by the shrink factor, so it
// low-passes (averages over the area each output pixel covers) before sampling;
// there is no nearest-neighbour path.
namespace encore::kiosk::imaging {

enum class Fit {
    // Fill the rectangle; the overflow is cropped, centred.
    cover,
    // Show all of the image inside the rectangle, centred; the rest of the rectangle
    // is left as it was (the background shows).
    contain,
};

// The size at which the whole of an `image`-sized picture is drawn for `box`: for
// cover at least the box in both dimensions (one of them equal), for contain at
// most the box (one of them equal). Never zero.
Size fitted_size(Size image, Size box, Fit fit);

// Draws `source`, stored as `orientation` says (the orientation is applied while
// drawing, without a rotated copy), into `target` of `canvas`. `target` must lie
// inside the canvas.
Result<void> draw_image(Image& canvas, Rect target, const Image& source, Orientation orientation,
                        Fit fit);

} // namespace encore::kiosk::imaging
