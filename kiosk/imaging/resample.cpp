#include "kiosk/imaging/resample.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numbers>
#include <string>
#include <vector>

namespace encore::kiosk::imaging {
namespace {

// Weights are Q14 fixed point. The vertical pass sums integers exactly; its result is
// kept as float, so rounding happens once, at the end of the horizontal pass.
constexpr int weight_bits = 14;
constexpr int weight_one = 1 << weight_bits;
constexpr double lanczos_lobes = 3.0;

double lanczos3(double x) {
    x = std::abs(x);
    if (x < 1e-9) {
        return 1.0;
    }
    if (x >= lanczos_lobes) {
        return 0.0;
    }
    const double px = std::numbers::pi * x;
    return lanczos_lobes * std::sin(px) * std::sin(px / lanczos_lobes) / (px * px);
}

// The weights of one axis: output pixel i reads `taps` input pixels from first[i].
// Every output pixel has the same number of taps (zero weights pad the short ones),
// which keeps the inner loops simple.
struct AxisFilter {
    int taps = 0;
    std::vector<int> first;
    std::vector<std::int16_t> weights;

    int input_begin() const { return first.front(); }
    int input_end() const { return first.back() + taps; }
};

// Maps [region_start, region_start + region_size) of an axis of `input_size` pixels
// onto `output_size` pixels. Pixel j covers [j, j + 1); its centre is j + 0.5.
AxisFilter make_filter(int input_size, double region_start, double region_size, int output_size) {
    AxisFilter filter;
    const double scale = region_size / output_size;
    // Shrinking widens the kernel by the shrink factor: it averages over the area an
    // output pixel covers (the anti-aliasing prefilter). Enlarging keeps it at 3.
    const double stretch = std::max(scale, 1.0);
    const double radius = lanczos_lobes * stretch;
    filter.taps = std::min(input_size, static_cast<int>(std::ceil(2.0 * radius)) + 1);
    filter.first.resize(static_cast<std::size_t>(output_size));
    filter.weights.resize(static_cast<std::size_t>(output_size) * filter.taps);
    std::vector<double> exact(static_cast<std::size_t>(filter.taps));

    for (int i = 0; i < output_size; ++i) {
        const double centre = region_start + (i + 0.5) * scale;
        const int lowest = static_cast<int>(std::floor(centre - radius - 0.5));
        const int first = std::clamp(lowest, 0, input_size - filter.taps);
        double sum = 0.0;
        for (int k = 0; k < filter.taps; ++k) {
            exact[k] = lanczos3((first + k + 0.5 - centre) / stretch);
            sum += exact[k];
        }
        if (std::abs(sum) < 1e-9) {
            // Cannot happen with a region inside the image; keep a safe fallback.
            std::fill(exact.begin(), exact.end(), 0.0);
            const int nearest =
                std::clamp(static_cast<int>(centre), first, first + filter.taps - 1);
            exact[nearest - first] = 1.0;
            sum = 1.0;
        }
        // Taps that fell outside the image are dropped; renormalising keeps flat
        // areas flat up to the edge.
        auto* weights = &filter.weights[static_cast<std::size_t>(i) * filter.taps];
        int total = 0;
        int largest = 0;
        for (int k = 0; k < filter.taps; ++k) {
            weights[k] = static_cast<std::int16_t>(std::lround(exact[k] / sum * weight_one));
            total += weights[k];
            if (weights[k] > weights[largest]) {
                largest = k;
            }
        }
        weights[largest] = static_cast<std::int16_t>(weights[largest] + weight_one - total);
        filter.first[static_cast<std::size_t>(i)] = first;
    }
    return filter;
}

// acc[i] += w0 * a[i] + w1 * b[i]; written so the compiler vectorises it.
void accumulate_two(std::int32_t* __restrict acc, const std::uint8_t* __restrict a,
                    const std::uint8_t* __restrict b, std::int16_t w0, std::int16_t w1,
                    std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        acc[i] += static_cast<std::int16_t>(a[i]) * w0 + static_cast<std::int16_t>(b[i]) * w1;
    }
}

void accumulate_one(std::int32_t* __restrict acc, const std::uint8_t* __restrict a, std::int16_t w0,
                    std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        acc[i] += static_cast<std::int16_t>(a[i]) * w0;
    }
}

// One pixel of the intermediate row: R, G, B and an unused lane, so that one tap of
// the horizontal pass is one vector multiply-add (SSE2 on x86-64, NEON on ARM).
using Pixel4 = float __attribute__((vector_size(16)));
using Int4 = std::int32_t __attribute__((vector_size(16)));

// Turns the vertical pass's Q14 sums (R, G, B interleaved) into float pixels. Reads
// one int past the last pixel's blue (`acc` has a spare element); that fourth lane
// is never used.
void to_pixels(const std::int32_t* __restrict acc, Pixel4* __restrict middle, std::size_t pixels) {
    constexpr float unit = 1.0f / weight_one;
    for (std::size_t i = 0; i < pixels; ++i) {
        Int4 sums;
        std::memcpy(&sums, acc + 3 * i, sizeof sums);
        middle[i] = __builtin_convertvector(sums, Pixel4) * unit;
    }
}

// Rounds and clamps a row of float values to bytes.
void pack_row(const float* __restrict values, std::uint8_t* __restrict bytes, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        const auto rounded = static_cast<std::int32_t>(values[i] + 0.5f);
        bytes[i] = static_cast<std::uint8_t>(std::clamp(rounded, 0, 255));
    }
}

// Where the output pixel (x, y), in the source's stored orientation, lands on the
// canvas: origin + x * step_x + y * step_y (bytes).
struct Placement {
    std::uint8_t* origin = nullptr;
    std::ptrdiff_t step_x = 0;
    std::ptrdiff_t step_y = 0;
};

// `drawn` is the upright rectangle on the canvas; `stored` its size in the source's
// stored orientation.
Placement place(Image& canvas, Rect drawn, Size stored, Orientation orientation) {
    const std::ptrdiff_t pixel = 3;
    const std::ptrdiff_t row = canvas.stride();
    const auto at = [&](int x, int y) {
        return canvas.row(drawn.y + y) + static_cast<std::ptrdiff_t>(drawn.x + x) * pixel;
    };
    const int w = stored.width;
    const int h = stored.height;
    switch (orientation) {
    case Orientation::normal:
        return {at(0, 0), pixel, row};
    case Orientation::mirror_horizontal:
        return {at(w - 1, 0), -pixel, row};
    case Orientation::rotate_180:
        return {at(w - 1, h - 1), -pixel, -row};
    case Orientation::mirror_vertical:
        return {at(0, h - 1), pixel, -row};
    case Orientation::transpose:
        return {at(0, 0), row, pixel};
    case Orientation::rotate_90_cw:
        return {at(h - 1, 0), row, -pixel};
    case Orientation::transverse:
        return {at(h - 1, w - 1), -row, -pixel};
    case Orientation::rotate_270_cw:
        return {at(0, w - 1), -row, pixel};
    }
    return {at(0, 0), pixel, row};
}

// Resamples the region of `source` (stored coordinates) to `out` pixels (stored
// orientation) and writes them through `placement`. Vertical pass first: it reads
// whole source rows, which are contiguous whatever the orientation.
void resample(const Image& source, double x0, double y0, double region_width, double region_height,
              Size out, const Placement& placement) {
    const AxisFilter horizontal = make_filter(source.width(), x0, region_width, out.width);
    const AxisFilter vertical = make_filter(source.height(), y0, region_height, out.height);
    const int column_begin = horizontal.input_begin();
    const auto columns = static_cast<std::size_t>(horizontal.input_end() - column_begin);
    const std::size_t values = columns * 3;
    std::vector<std::int32_t> acc(values + 1);
    std::vector<Pixel4> middle(columns);
    std::vector<float> row_values(static_cast<std::size_t>(out.width) * 3 + 1);
    std::vector<std::uint8_t> row_bytes(static_cast<std::size_t>(out.width) * 3);
    // Each weight repeated in all four lanes: a tap is then one multiply and one add.
    std::vector<Pixel4> horizontal_weights(horizontal.weights.size());
    for (std::size_t i = 0; i < horizontal.weights.size(); ++i) {
        const float weight = static_cast<float>(horizontal.weights[i]) / weight_one;
        horizontal_weights[i] = Pixel4{weight, weight, weight, weight};
    }

    for (int y = 0; y < out.height; ++y) {
        std::fill(acc.begin(), acc.end(), 0);
        const auto* weights = &vertical.weights[static_cast<std::size_t>(y) * vertical.taps];
        const int first_row = vertical.first[static_cast<std::size_t>(y)];
        const auto row_at = [&](int k) {
            return source.row(first_row + k) + static_cast<std::ptrdiff_t>(column_begin) * 3;
        };
        int k = 0;
        for (; k + 1 < vertical.taps; k += 2) {
            if (weights[k] != 0 || weights[k + 1] != 0) {
                accumulate_two(acc.data(), row_at(k), row_at(k + 1), weights[k], weights[k + 1],
                               values);
            }
        }
        if (k < vertical.taps && weights[k] != 0) {
            accumulate_one(acc.data(), row_at(k), weights[k], values);
        }
        to_pixels(acc.data(), middle.data(), columns);

        std::uint8_t* target = placement.origin + y * placement.step_y;
        const int taps = horizontal.taps;
        // Two output pixels at a time, each with two partial sums: four independent
        // chains of adds instead of one long one.
        const Pixel4* w = horizontal_weights.data();
        const auto middle_at = [&](int x) {
            return middle.data() + (horizontal.first[static_cast<std::size_t>(x)] - column_begin);
        };
        int x = 0;
        for (; x + 1 < out.width; x += 2, w += 2 * taps) {
            const Pixel4* m0 = middle_at(x);
            const Pixel4* m1 = middle_at(x + 1);
            const Pixel4* w1 = w + taps;
            Pixel4 a0 = m0[0] * w[0];
            Pixel4 a1 = m1[0] * w1[0];
            Pixel4 b0{};
            Pixel4 b1{};
            int t = 1;
            for (; t + 1 < taps; t += 2) {
                b0 += m0[t] * w[t];
                b1 += m1[t] * w1[t];
                a0 += m0[t + 1] * w[t + 1];
                a1 += m1[t + 1] * w1[t + 1];
            }
            if (t < taps) {
                b0 += m0[t] * w[t];
                b1 += m1[t] * w1[t];
            }
            const Pixel4 sum0 = a0 + b0;
            const Pixel4 sum1 = a1 + b1;
            // 16-byte stores in increasing order: each one's spare lane is overwritten
            // by the next pixel (the row has a spare float at its end).
            std::memcpy(&row_values[3 * static_cast<std::size_t>(x)], &sum0, sizeof sum0);
            std::memcpy(&row_values[3 * static_cast<std::size_t>(x) + 3], &sum1, sizeof sum1);
        }
        if (x < out.width) {
            const Pixel4* m = middle_at(x);
            Pixel4 sum = m[0] * w[0];
            for (int t = 1; t < taps; ++t) {
                sum += m[t] * w[t];
            }
            std::memcpy(&row_values[3 * static_cast<std::size_t>(x)], &sum, sizeof sum);
        }
        if (placement.step_x == 3) {
            pack_row(row_values.data(), target, row_bytes.size());
        } else {
            pack_row(row_values.data(), row_bytes.data(), row_bytes.size());
            for (std::size_t i = 0; i < row_bytes.size(); i += 3) {
                target[0] = row_bytes[i];
                target[1] = row_bytes[i + 1];
                target[2] = row_bytes[i + 2];
                target += placement.step_x;
            }
        }
    }
}

} // namespace

Size fitted_size(Size image, Size box, Fit fit) {
    if (image.width <= 0 || image.height <= 0 || box.width <= 0 || box.height <= 0) {
        return {std::max(box.width, 1), std::max(box.height, 1)};
    }
    const double sx = static_cast<double>(box.width) / image.width;
    const double sy = static_cast<double>(box.height) / image.height;
    const double scale = fit == Fit::cover ? std::max(sx, sy) : std::min(sx, sy);
    int width = static_cast<int>(std::lround(image.width * scale));
    int height = static_cast<int>(std::lround(image.height * scale));
    if (fit == Fit::cover) {
        width = std::max(width, box.width);
        height = std::max(height, box.height);
    } else {
        width = std::clamp(width, 1, box.width);
        height = std::clamp(height, 1, box.height);
    }
    return {width, height};
}

Result<void> draw_image(Image& canvas, Rect target, const Image& source, Orientation orientation,
                        Fit fit) {
    if (target.empty() || !canvas.bounds().contains(target)) {
        return Error{Errc::invalid_argument,
                     "target rectangle " + std::to_string(target.width) + "x" +
                         std::to_string(target.height) + "+" + std::to_string(target.x) + "+" +
                         std::to_string(target.y) + " does not lie inside the " +
                         std::to_string(canvas.width()) + "x" + std::to_string(canvas.height()) +
                         " canvas"};
    }
    if (source.width() <= 0 || source.height() <= 0) {
        return Error{Errc::invalid_argument, "cannot draw an empty image"};
    }
    const bool swapped = swaps_axes(orientation);
    const Size stored = source.size();
    const Size upright = swapped ? Size{stored.height, stored.width} : stored;

    Rect drawn = target;
    double region_width = upright.width;
    double region_height = upright.height;
    if (fit == Fit::cover) {
        const double scale = std::max(static_cast<double>(target.width) / upright.width,
                                      static_cast<double>(target.height) / upright.height);
        region_width = std::min(target.width / scale, static_cast<double>(upright.width));
        region_height = std::min(target.height / scale, static_cast<double>(upright.height));
    } else {
        const Size size = fitted_size(upright, {target.width, target.height}, Fit::contain);
        drawn = {target.x + (target.width - size.width) / 2,
                 target.y + (target.height - size.height) / 2, size.width, size.height};
    }
    if (swapped) {
        std::swap(region_width, region_height);
    }
    // The visible region is centred, so it is the same whichever way the image is
    // mirrored or turned.
    const double x0 = (stored.width - region_width) / 2.0;
    const double y0 = (stored.height - region_height) / 2.0;
    const Size out = swapped ? Size{drawn.height, drawn.width} : Size{drawn.width, drawn.height};
    resample(source, x0, y0, region_width, region_height, out,
             place(canvas, drawn, out, orientation));
    return {};
}

} // namespace encore::kiosk::imaging
