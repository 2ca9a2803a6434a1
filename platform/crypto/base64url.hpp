#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace encore::platform::crypto {

// Unpadded base64url (RFC 4648 section 5): safe in URLs, cookies and file names.
std::string base64url_encode(std::span<const std::byte> bytes);
std::string base64url_encode(std::string_view text);
// nullopt when `text` holds a character outside the alphabet or has an impossible length.
std::optional<std::vector<std::byte>> base64url_decode(std::string_view text);

} // namespace encore::platform::crypto
