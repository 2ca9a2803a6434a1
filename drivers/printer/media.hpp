#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

// Paper sizes of a photo printer and how they are named to CUPS. Encore asks for a size
// ("4x6", borderless or not); each queue names its paper in its own words (a PPD queue
// lists "oe_w-288h-432-borderless_4x6in", an IPP Everywhere printer "oe_4x-6-borderless_4x6in"),
// so the name is picked from what the queue says it supports (media-supported).
namespace encore::drivers::printer {

enum class MediaSize {
    size_4x6,
    size_5x7,
    size_6x8,
    size_8x10,
    strip_2x6,
};

// "4x6", "5x7", "6x8", "8x10", "2x6" (a strip); nullopt for anything else.
std::optional<MediaSize> parse_media_size(std::string_view text);
std::string_view to_string(MediaSize size);
// Every size, for help texts.
std::span<const MediaSize> all_media_sizes();

// Width and height in hundredths of a millimetre, the unit of IPP's media-size.
struct MediaDimensions {
    int width = 0;
    int height = 0;
};
MediaDimensions dimensions(MediaSize size);

// The size of a PWG self-describing media name ("na_index-4x6_4x6in", "custom_2x6in_2x6in",
// "iso_a6_105x148mm"), from its last part; nullopt when it has none.
std::optional<MediaDimensions> parse_media_name_dimensions(std::string_view keyword);

// The size a media name stands for, when it is one Encore knows (either orientation,
// within half a millimetre).
std::optional<MediaSize> media_size_of(std::string_view keyword);

// True when the keyword names a borderless variant ("...-borderless_4x6in").
bool is_borderless_media(std::string_view keyword);

// Picks from `supported` (a queue's media-supported, in its order) the keyword for
// `size`, bordered or borderless. Among several, the first wins. nullopt when the queue
// has no such paper.
std::optional<std::string> choose_media(std::span<const std::string> supported, MediaSize size,
                                        bool borderless);

} // namespace encore::drivers::printer
