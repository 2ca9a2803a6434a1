#include "platform/crypto/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace encore::platform::crypto {

struct Sha256Hasher::Context {
    EVP_MD_CTX* md = nullptr;
    ~Context() { EVP_MD_CTX_free(md); }
};

Sha256Hasher::Sha256Hasher()
    : context_(std::make_unique<Context>()) {
    context_->md = EVP_MD_CTX_new();
    if (context_->md == nullptr || EVP_DigestInit_ex(context_->md, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("OpenSSL cannot start a SHA-256");
    }
}

Sha256Hasher::~Sha256Hasher() = default;
Sha256Hasher::Sha256Hasher(Sha256Hasher&&) noexcept = default;
Sha256Hasher& Sha256Hasher::operator=(Sha256Hasher&&) noexcept = default;

void Sha256Hasher::update(std::span<const std::byte> bytes) {
    EVP_DigestUpdate(context_->md, bytes.data(), bytes.size());
}

Digest Sha256Hasher::finish() {
    Digest digest{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(context_->md, digest.data(), &length);
    return digest;
}

Digest sha256(std::span<const std::byte> bytes) {
    Sha256Hasher hasher;
    hasher.update(bytes);
    return hasher.finish();
}

Digest sha256(std::string_view text) {
    return sha256(std::as_bytes(std::span(text.data(), text.size())));
}

std::string to_hex(const Digest& digest) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(64);
    for (const auto byte : digest) {
        hex.push_back(digits[byte >> 4]);
        hex.push_back(digits[byte & 0x0f]);
    }
    return hex;
}

} // namespace encore::platform::crypto
