#include "platform/crypto/random.hpp"

#include "platform/crypto/base64url.hpp"

#include <openssl/rand.h>

#include <stdexcept>
#include <string_view>

namespace encore::platform::crypto {
namespace {

// 24 symbols, none of which can be mistaken for another when printed small.
constexpr std::string_view short_code_alphabet = "ACDEFGHJKMNPQRTUVWXY3469";

} // namespace

std::vector<std::byte> random_bytes(std::size_t count) {
    std::vector<std::byte> bytes(count);
    if (count > 0 &&
        RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
        throw std::runtime_error("the system's random generator failed");
    }
    return bytes;
}

std::string random_uuid() {
    auto bytes = random_bytes(16);
    bytes[6] = (bytes[6] & std::byte{0x0f}) | std::byte{0x40}; // version 4
    bytes[8] = (bytes[8] & std::byte{0x3f}) | std::byte{0x80}; // RFC 4122 variant
    static constexpr char digits[] = "0123456789abcdef";
    std::string text;
    for (std::size_t index = 0; index < bytes.size(); ++index) {
        if (index == 4 || index == 6 || index == 8 || index == 10) {
            text.push_back('-');
        }
        const auto value = std::to_integer<unsigned>(bytes[index]);
        text.push_back(digits[value >> 4]);
        text.push_back(digits[value & 0x0f]);
    }
    return text;
}

std::string random_token(std::size_t count) {
    return base64url_encode(random_bytes(count));
}

std::string random_short_code(std::size_t length) {
    std::string code;
    std::size_t produced = 0;
    while (produced < length) {
        for (const auto byte : random_bytes(length * 2)) {
            const auto value = std::to_integer<unsigned>(byte);
            // Reject values past the last whole multiple of the alphabet size, so every
            // symbol is equally likely.
            if (value >= 240) {
                continue;
            }
            if (produced > 0 && produced % 3 == 0) {
                code.push_back('-');
            }
            code.push_back(short_code_alphabet[value % short_code_alphabet.size()]);
            if (++produced == length) {
                break;
            }
        }
    }
    return code;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    unsigned char difference = 0;
    for (std::size_t index = 0; index < a.size(); ++index) {
        difference |= static_cast<unsigned char>(a[index] ^ b[index]);
    }
    return difference == 0;
}

} // namespace encore::platform::crypto
