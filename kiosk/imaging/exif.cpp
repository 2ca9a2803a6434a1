#include "kiosk/imaging/exif.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

namespace encore::kiosk::imaging {
namespace {

constexpr std::uint8_t marker_soi = 0xD8;
constexpr std::uint8_t marker_eoi = 0xD9;
constexpr std::uint8_t marker_sos = 0xDA;
constexpr std::uint8_t marker_app1 = 0xE1;
constexpr std::uint8_t marker_tem = 0x01;
constexpr std::uint16_t tag_orientation = 0x0112;
constexpr std::uint16_t type_short = 3;
constexpr std::size_t ifd_entry_size = 12;

std::uint8_t byte_at(std::span<const std::byte> bytes, std::size_t offset) {
    return static_cast<std::uint8_t>(bytes[offset]);
}

std::string hex(unsigned value, int digits) {
    std::array<char, 16> text{};
    std::snprintf(text.data(), text.size(), "%0*X", digits, value);
    return text.data();
}

Error corrupt_jpeg(std::string message) {
    return {Errc::corrupt_jpeg, std::move(message)};
}

Error corrupt_exif(std::string message) {
    return {Errc::corrupt_exif, "EXIF: " + std::move(message)};
}

// Reads integers of the TIFF block in its byte order; callers check bounds first.
class TiffReader {
public:
    TiffReader(std::span<const std::byte> bytes, bool little_endian)
        : bytes_(bytes)
        , little_endian_(little_endian) {}

    std::uint16_t u16(std::size_t offset) const {
        const unsigned a = byte_at(bytes_, offset);
        const unsigned b = byte_at(bytes_, offset + 1);
        return static_cast<std::uint16_t>(little_endian_ ? (b << 8) | a : (a << 8) | b);
    }
    std::uint32_t u32(std::size_t offset) const {
        const std::uint32_t high = u16(offset);
        const std::uint32_t low = u16(offset + 2);
        return little_endian_ ? (low << 16) | high : (high << 16) | low;
    }

private:
    std::span<const std::byte> bytes_;
    bool little_endian_;
};

} // namespace

Result<Orientation> parse_exif_orientation(std::span<const std::byte> tiff) {
    const std::size_t size = tiff.size();
    if (size < 8) {
        return corrupt_exif("the block has " + std::to_string(size) +
                            " bytes, too short for a TIFF header (8 bytes)");
    }
    bool little_endian = false;
    if (byte_at(tiff, 0) == 'I' && byte_at(tiff, 1) == 'I') {
        little_endian = true;
    } else if (byte_at(tiff, 0) == 'M' && byte_at(tiff, 1) == 'M') {
        little_endian = false;
    } else {
        return corrupt_exif("the TIFF header starts with 0x" +
                            hex(byte_at(tiff, 0) << 8 | byte_at(tiff, 1), 4) +
                            "; expected the byte order mark \"II\" or \"MM\"");
    }
    const TiffReader reader(tiff, little_endian);
    if (const auto magic = reader.u16(2); magic != 42) {
        return corrupt_exif("the TIFF header's magic number is " + std::to_string(magic) +
                            "; expected 42");
    }
    const std::size_t ifd0 = reader.u32(4);
    if (ifd0 < 8 || ifd0 > size - 2) {
        return corrupt_exif("IFD0 offset " + std::to_string(ifd0) +
                            " lies outside the EXIF block of " + std::to_string(size) + " bytes");
    }
    const std::size_t count = reader.u16(ifd0);
    if (count * ifd_entry_size > size - ifd0 - 2) {
        return corrupt_exif("IFD0 at offset " + std::to_string(ifd0) + " lists " +
                            std::to_string(count) + " entries, which run past the end of the " +
                            std::to_string(size) + "-byte EXIF block");
    }
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t entry = ifd0 + 2 + i * ifd_entry_size;
        if (reader.u16(entry) != tag_orientation) {
            continue;
        }
        const auto type = reader.u16(entry + 2);
        const auto components = reader.u32(entry + 4);
        if (type != type_short || components != 1) {
            return corrupt_exif("the Orientation tag has type " + std::to_string(type) + " and " +
                                std::to_string(components) +
                                " values; expected one SHORT (type 3)");
        }
        // A single SHORT sits left-aligned in the entry's 4-byte value field.
        const auto value = reader.u16(entry + 8);
        if (value < 1 || value > 8) {
            return corrupt_exif("Orientation is " + std::to_string(value) + "; expected 1 to 8");
        }
        return static_cast<Orientation>(value);
    }
    return Orientation::normal;
}

Result<Orientation> read_exif_orientation(std::span<const std::byte> jpeg) {
    const std::size_t size = jpeg.size();
    if (size < 2 || byte_at(jpeg, 0) != 0xFF || byte_at(jpeg, 1) != marker_soi) {
        std::string start;
        for (std::size_t i = 0; i < std::min<std::size_t>(size, 4); ++i) {
            start += (i == 0 ? "" : " ") + hex(byte_at(jpeg, i), 2);
        }
        return Error{Errc::not_a_jpeg, size == 0 ? std::string("no data (0 bytes)")
                                                 : "not a JPEG: it starts with " + start +
                                                       ", not with the SOI marker FF D8"};
    }
    std::optional<Result<Orientation>> exif;
    std::size_t position = 2;
    for (;;) {
        if (position >= size) {
            return corrupt_jpeg("truncated: the data ends after " + std::to_string(size) +
                                " bytes, before the image data (no start-of-scan marker)");
        }
        if (byte_at(jpeg, position) != 0xFF) {
            return corrupt_jpeg("expected a marker at offset " + std::to_string(position) +
                                ", found byte 0x" + hex(byte_at(jpeg, position), 2));
        }
        // Any number of 0xFF fill bytes may precede a marker code.
        while (position < size && byte_at(jpeg, position) == 0xFF) {
            ++position;
        }
        if (position >= size) {
            return corrupt_jpeg("truncated inside a marker at the end of the data");
        }
        const std::size_t marker_offset = position - 1;
        const std::uint8_t marker = byte_at(jpeg, position++);
        if (marker == 0x00 || marker == marker_soi || marker == marker_eoi) {
            return corrupt_jpeg("unexpected marker FF" + hex(marker, 2) + " at offset " +
                                std::to_string(marker_offset) + " before the image data");
        }
        if (marker == marker_tem || (marker >= 0xD0 && marker <= 0xD7)) {
            continue; // Markers without a length.
        }
        if (size - position < 2) {
            return corrupt_jpeg("segment FF" + hex(marker, 2) + " at offset " +
                                std::to_string(marker_offset) +
                                " is truncated before its length field");
        }
        const std::size_t length =
            static_cast<std::size_t>(byte_at(jpeg, position)) << 8 | byte_at(jpeg, position + 1);
        if (length < 2) {
            return corrupt_jpeg("segment FF" + hex(marker, 2) + " at offset " +
                                std::to_string(marker_offset) + " has an invalid length of " +
                                std::to_string(length));
        }
        if (length > size - position) {
            return corrupt_jpeg("segment FF" + hex(marker, 2) + " at offset " +
                                std::to_string(marker_offset) + " declares " +
                                std::to_string(length) + " bytes but only " +
                                std::to_string(size - position) + " remain (truncated file)");
        }
        if (marker == marker_sos) {
            return exif ? *exif : Result<Orientation>(Orientation::normal);
        }
        const auto payload = jpeg.subspan(position + 2, length - 2);
        static constexpr char exif_header[] = {'E', 'x', 'i', 'f', '\0', '\0'};
        if (marker == marker_app1 && !exif && payload.size() >= sizeof exif_header &&
            std::memcmp(payload.data(), exif_header, sizeof exif_header) == 0) {
            exif = parse_exif_orientation(payload.subspan(sizeof exif_header));
        }
        position += length;
    }
}

} // namespace encore::kiosk::imaging
