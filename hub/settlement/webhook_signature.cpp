#include "hub/settlement/webhook_signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <charconv>
#include <stdexcept>
#include <vector>

namespace encore::hub::settlement {
namespace {

std::string hmac_sha256_hex(std::string_view secret, std::string_view message) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(),
             &length) == nullptr) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    constexpr std::string_view digits = "0123456789abcdef";
    std::string hex;
    hex.reserve(length * 2);
    for (unsigned int index = 0; index < length; ++index) {
        hex.push_back(digits[digest[index] >> 4]);
        hex.push_back(digits[digest[index] & 0x0f]);
    }
    return hex;
}

std::string signed_payload(std::string_view timestamp, std::string_view body) {
    std::string payload;
    payload.reserve(timestamp.size() + 1 + body.size());
    payload.append(timestamp);
    payload.push_back('.');
    payload.append(body);
    return payload;
}

} // namespace

std::string sign_webhook(std::string_view secret, std::int64_t unix_seconds,
                         std::string_view body) {
    const auto timestamp = std::to_string(unix_seconds);
    return "t=" + timestamp + ",v1=" + hmac_sha256_hex(secret, signed_payload(timestamp, body));
}

std::string_view to_string(SignatureVerdict verdict) {
    switch (verdict) {
    case SignatureVerdict::valid:
        return "valid";
    case SignatureVerdict::malformed:
        return "malformed signature header";
    case SignatureVerdict::mismatch:
        return "signature does not match";
    case SignatureVerdict::stale:
        return "signature timestamp outside the tolerance";
    }
    return "unknown";
}

SignatureVerdict verify_webhook_signature(std::string_view header, std::string_view body,
                                          std::string_view secret, std::int64_t now_unix_seconds,
                                          std::chrono::seconds tolerance) {
    std::string_view timestamp;
    std::vector<std::string_view> signatures;
    while (!header.empty()) {
        const auto comma = header.find(',');
        auto entry = header.substr(0, comma);
        while (!entry.empty() && entry.front() == ' ') {
            entry.remove_prefix(1);
        }
        if (entry.starts_with("t=")) {
            if (!timestamp.empty()) {
                return SignatureVerdict::malformed;
            }
            timestamp = entry.substr(2);
        } else if (entry.starts_with("v1=")) {
            signatures.push_back(entry.substr(3));
        }
        if (comma == std::string_view::npos) {
            break;
        }
        header.remove_prefix(comma + 1);
    }
    std::int64_t signed_at = 0;
    const auto [end, error] =
        std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), signed_at);
    if (timestamp.empty() || timestamp.size() > 12 || error != std::errc() ||
        end != timestamp.data() + timestamp.size() || signatures.empty()) {
        return SignatureVerdict::malformed;
    }
    const auto expected = hmac_sha256_hex(secret, signed_payload(timestamp, body));
    bool matched = false;
    for (const auto signature : signatures) {
        // Every candidate is compared in full, so the time taken says nothing about
        // how much of a forged signature was right.
        if (signature.size() == expected.size() &&
            CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) == 0) {
            matched = true;
        }
    }
    if (!matched) {
        return SignatureVerdict::mismatch;
    }
    // Checked after the signature, so that an attacker learns nothing about the clock
    // from a forged request; a replay of a real one is refused here.
    const auto distance =
        now_unix_seconds > signed_at ? now_unix_seconds - signed_at : signed_at - now_unix_seconds;
    if (distance > tolerance.count()) {
        return SignatureVerdict::stale;
    }
    return SignatureVerdict::valid;
}

} // namespace encore::hub::settlement
