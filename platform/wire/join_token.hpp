#pragma once

#include "platform/config/endpoint.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace encore::platform::wire {

// What a booth needs to join a hub, printed by `encore enrol-token --kiosk NAME` as
// one line ("encore-join-1.<base64url JSON>") for the operator to paste into kioskd.
struct JoinToken {
    Endpoint link;          // the hub's kiosk-link address
    std::string public_url; // base of the QR links the booth prints
    std::string ca_sha256;  // fingerprint of the hub's CA: the booth trusts only it
    std::string kiosk;      // the name the booth will carry in its certificate
    std::string secret;     // one-time; the hub forgets it once used
};

std::string encode_join_token(const JoinToken& token);
// nullopt with `error` set when the text is not a well-formed token.
std::optional<JoinToken> decode_join_token(std::string_view text, std::string& error);

} // namespace encore::platform::wire
