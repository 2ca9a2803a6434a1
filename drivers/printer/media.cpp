#include "drivers/printer/media.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace encore::drivers::printer {
namespace {

struct KnownSize {
    MediaSize size;
    std::string_view name;
    MediaDimensions dimensions;
};

// 1 in = 2540 hundredths of a millimetre.
constexpr std::array<KnownSize, 5> known_sizes = {{
    {MediaSize::size_4x6, "4x6", {10160, 15240}},
    {MediaSize::size_5x7, "5x7", {12700, 17780}},
    {MediaSize::size_6x8, "6x8", {15240, 20320}},
    {MediaSize::size_8x10, "8x10", {20320, 25400}},
    {MediaSize::strip_2x6, "2x6", {5080, 15240}},
}};

constexpr std::array<MediaSize, 5> size_list = {MediaSize::size_4x6, MediaSize::size_5x7,
                                                MediaSize::size_6x8, MediaSize::size_8x10,
                                                MediaSize::strip_2x6};

// A decimal number such as "4", "8.5" or "105"; nullopt if `text` is anything else.
std::optional<double> parse_decimal(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    double whole = 0;
    double fraction = 0;
    double scale = 1;
    bool seen_point = false;
    for (const char c : text) {
        if (c == '.' && !seen_point) {
            seen_point = true;
            continue;
        }
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        if (seen_point) {
            scale /= 10;
            fraction += (c - '0') * scale;
        } else {
            whole = whole * 10 + (c - '0');
        }
    }
    return whole + fraction;
}

bool close_to(int a, int b) {
    return std::abs(a - b) <= 50;
}

} // namespace

std::optional<MediaSize> parse_media_size(std::string_view text) {
    for (const auto& known : known_sizes) {
        if (known.name == text) {
            return known.size;
        }
    }
    return std::nullopt;
}

std::string_view to_string(MediaSize size) {
    for (const auto& known : known_sizes) {
        if (known.size == size) {
            return known.name;
        }
    }
    return "unknown";
}

std::span<const MediaSize> all_media_sizes() {
    return size_list;
}

MediaDimensions dimensions(MediaSize size) {
    for (const auto& known : known_sizes) {
        if (known.size == size) {
            return known.dimensions;
        }
    }
    return {};
}

std::optional<MediaDimensions> parse_media_name_dimensions(std::string_view keyword) {
    const auto last = keyword.rfind('_');
    if (last == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view part = keyword.substr(last + 1);
    double unit = 0;
    if (part.ends_with("in")) {
        unit = 2540;
    } else if (part.ends_with("mm")) {
        unit = 100;
    } else {
        return std::nullopt;
    }
    part.remove_suffix(2);
    const auto x = part.find('x');
    if (x == std::string_view::npos) {
        return std::nullopt;
    }
    const auto width = parse_decimal(part.substr(0, x));
    const auto height = parse_decimal(part.substr(x + 1));
    if (!width || !height) {
        return std::nullopt;
    }
    return MediaDimensions{static_cast<int>(std::lround(*width * unit)),
                           static_cast<int>(std::lround(*height * unit))};
}

std::optional<MediaSize> media_size_of(std::string_view keyword) {
    const auto found = parse_media_name_dimensions(keyword);
    if (!found) {
        return std::nullopt;
    }
    for (const auto& known : known_sizes) {
        const auto& want = known.dimensions;
        if ((close_to(found->width, want.width) && close_to(found->height, want.height)) ||
            (close_to(found->width, want.height) && close_to(found->height, want.width))) {
            return known.size;
        }
    }
    return std::nullopt;
}

bool is_borderless_media(std::string_view keyword) {
    return keyword.find("borderless") != std::string_view::npos;
}

std::optional<std::string> choose_media(std::span<const std::string> supported, MediaSize size,
                                        bool borderless) {
    for (const auto& keyword : supported) {
        if (is_borderless_media(keyword) == borderless && media_size_of(keyword) == size) {
            return keyword;
        }
    }
    return std::nullopt;
}

} // namespace encore::drivers::printer
