#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace encore::platform::crypto {

// Bytes from the operating system's CSPRNG (OpenSSL RAND_bytes). Throws if the
// generator cannot deliver, which should never happen on Linux.
std::vector<std::byte> random_bytes(std::size_t count);

// A random version-4 UUID in lowercase ("0b7e4a6c-2f1d-4c8e-9a3b-5d6e7f809a1b").
std::string random_uuid();

// A capability token: `bytes` random bytes in unpadded base64url (URL-safe).
std::string random_token(std::size_t bytes);

// A short code a guest can read and type: `length` symbols from an alphabet without
// look-alikes (no 0/O, 1/I/L, 5/S, 2/Z, 8/B), grouped by dashes every 3 ("K7Q-X4M").
std::string random_short_code(std::size_t length);

// True when `a` and `b` are equal, in time that depends only on their lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

} // namespace encore::platform::crypto
