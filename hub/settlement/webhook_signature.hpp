#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace encore::hub::settlement {

// The header a payment provider signs its webhooks with:
//   Encore-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">
// keyed with the provider's webhook secret. Several v1= entries may be present (a
// provider rotating its secret signs with both); one match is enough.
inline constexpr std::string_view signature_header_name = "Encore-Signature";

// How far the signed time may be from the hub's clock before a webhook is refused as a
// replay.
inline constexpr std::chrono::seconds signature_tolerance{300};

// The header value for `body` signed at `unix_seconds` (what a provider sends).
std::string sign_webhook(std::string_view secret, std::int64_t unix_seconds, std::string_view body);

enum class SignatureVerdict {
    valid,
    // No header, or one that is not t=...,v1=...
    malformed,
    // Well-formed, but no v1 matches the body under our secret.
    mismatch,
    // The signature is right but t is more than the tolerance away from now.
    stale,
};

std::string_view to_string(SignatureVerdict verdict);

// Checks a webhook's signature header against its raw body, comparing in constant time.
SignatureVerdict verify_webhook_signature(std::string_view header, std::string_view body,
                                          std::string_view secret, std::int64_t now_unix_seconds,
                                          std::chrono::seconds tolerance = signature_tolerance);

} // namespace encore::hub::settlement
