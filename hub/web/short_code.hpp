#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace encore::hub::web {

// Turns what a guest typed into the short code as the booth prints it ("K9Q-X4M",
// made by platform::crypto::random_short_code): lower case becomes upper case; spaces,
// dashes, dots and underscores are dropped wherever they are; full-width characters
// from a Japanese keyboard ("Ｋ９Ｑ", the ideographic space, "ー") count as their ASCII
// forms. The booth's alphabet leaves out both halves of every look-alike pair (0/O,
// 1/I/L, 5/S, 2/Z, 8/B), so no typed symbol can stand for another one: a symbol
// outside the alphabet makes the whole input "not a code" (nullopt), as does a
// length outside 4..12 symbols. The result is grouped by dashes every 3 symbols.
std::optional<std::string> normalize_short_code(std::string_view typed);

} // namespace encore::hub::web
