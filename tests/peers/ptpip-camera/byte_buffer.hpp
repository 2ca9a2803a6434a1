#pragma once

// Little-endian packing for PTP and PTP/IP. Both are little-endian on the
// wire whatever the host is, so values are written byte by byte instead of
// copied from memory; that keeps the simulator correct on any CPU.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace encore::peers {

using Bytes = std::vector<std::uint8_t>;

class LeWriter {
public:
    explicit LeWriter(Bytes& out)
        : out_(out) {}

    void u8(std::uint8_t value) { out_.push_back(value); }
    void u16(std::uint16_t value) {
        u8(static_cast<std::uint8_t>(value));
        u8(static_cast<std::uint8_t>(value >> 8));
    }
    void u32(std::uint32_t value) {
        u16(static_cast<std::uint16_t>(value));
        u16(static_cast<std::uint16_t>(value >> 16));
    }
    void u64(std::uint64_t value) {
        u32(static_cast<std::uint32_t>(value));
        u32(static_cast<std::uint32_t>(value >> 32));
    }
    void bytes(std::span<const std::uint8_t> data) {
        out_.insert(out_.end(), data.begin(), data.end());
    }

    // A PTP string: a count of UCS-2 characters including the terminating
    // NUL, then the characters; the empty string is a single zero byte.
    // Only ASCII is needed here, and PTP caps strings at 255 characters.
    void ptp_string(std::string_view text) {
        if (text.empty()) {
            u8(0);
            return;
        }
        const auto length = text.size() > 254 ? std::size_t{254} : text.size();
        u8(static_cast<std::uint8_t>(length + 1));
        for (std::size_t i = 0; i < length; ++i) {
            u16(static_cast<std::uint8_t>(text[i]));
        }
        u16(0);
    }

    // A PTP array of 16-bit or 32-bit values: a 32-bit count, then the values.
    void u16_array(std::span<const std::uint16_t> values) {
        u32(static_cast<std::uint32_t>(values.size()));
        for (auto value : values) {
            u16(value);
        }
    }
    void u32_array(std::span<const std::uint32_t> values) {
        u32(static_cast<std::uint32_t>(values.size()));
        for (auto value : values) {
            u32(value);
        }
    }

private:
    Bytes& out_;
};

// Reads a received packet body; every read checks the bounds and answers
// nullopt past the end, so a short packet can never read out of range.
class LeReader {
public:
    explicit LeReader(std::span<const std::uint8_t> data)
        : data_(data) {}

    std::optional<std::uint16_t> u16() {
        if (remaining() < 2) {
            return std::nullopt;
        }
        const auto value = static_cast<std::uint16_t>(data_[pos_] | (data_[pos_ + 1] << 8));
        pos_ += 2;
        return value;
    }
    std::optional<std::uint32_t> u32() {
        const auto low = u16();
        const auto high = u16();
        if (!low || !high) {
            return std::nullopt;
        }
        return static_cast<std::uint32_t>(*low) | (static_cast<std::uint32_t>(*high) << 16);
    }
    std::optional<std::uint64_t> u64() {
        const auto low = u32();
        const auto high = u32();
        if (!low || !high) {
            return std::nullopt;
        }
        return static_cast<std::uint64_t>(*low) | (static_cast<std::uint64_t>(*high) << 32);
    }
    std::size_t remaining() const { return data_.size() - pos_; }

private:
    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
};

} // namespace encore::peers
