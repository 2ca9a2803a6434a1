#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace encore::platform::crypto {

using Digest = std::array<std::uint8_t, 32>;

// Incremental SHA-256 (OpenSSL), for photos that arrive or are read in pieces.
class Sha256Hasher {
public:
    Sha256Hasher();
    ~Sha256Hasher();
    Sha256Hasher(Sha256Hasher&&) noexcept;
    Sha256Hasher& operator=(Sha256Hasher&&) noexcept;

    void update(std::span<const std::byte> bytes);
    // Returns the digest; the hasher must not be used afterwards.
    Digest finish();

private:
    struct Context;
    std::unique_ptr<Context> context_;
};

Digest sha256(std::span<const std::byte> bytes);
Digest sha256(std::string_view text);
std::string to_hex(const Digest& digest);

} // namespace encore::platform::crypto
