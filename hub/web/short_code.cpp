#include "hub/web/short_code.hpp"

namespace encore::hub::web {
namespace {

// Must match platform/crypto/random.cpp, which makes the codes.
constexpr std::string_view alphabet = "ACDEFGHJKMNPQRTUVWXY3469";
constexpr std::size_t shortest_code = 4;
constexpr std::size_t longest_code = 12;

bool is_separator(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '-' || c == '.' || c == '_';
}

// Full-width forms U+FF01..U+FF5E are ASCII 0x21..0x7E shifted; U+3000 is a space and
// U+30FC (the long-vowel mark) is what a Japanese keyboard types for "-". Returns the
// ASCII character and how many bytes the UTF-8 sequence took, or 0 bytes for anything
// else that is not ASCII.
std::pair<char, std::size_t> next_character(std::string_view text) {
    const auto byte = [&](std::size_t index) { return static_cast<unsigned char>(text[index]); };
    if (byte(0) < 0x80) {
        return {text[0], 1};
    }
    if (text.size() < 3) {
        return {'\0', 0};
    }
    const unsigned code_point =
        ((byte(0) & 0x0Fu) << 12) | ((byte(1) & 0x3Fu) << 6) | (byte(2) & 0x3Fu);
    if ((byte(0) & 0xF0u) != 0xE0u || (byte(1) & 0xC0u) != 0x80u || (byte(2) & 0xC0u) != 0x80u) {
        return {'\0', 0};
    }
    if (code_point >= 0xFF01 && code_point <= 0xFF5E) {
        return {static_cast<char>(code_point - 0xFF01 + 0x21), 3};
    }
    if (code_point == 0x3000) {
        return {' ', 3};
    }
    if (code_point == 0x30FC) {
        return {'-', 3};
    }
    return {'\0', 0};
}

} // namespace

std::optional<std::string> normalize_short_code(std::string_view typed) {
    std::string symbols;
    while (!typed.empty()) {
        auto [character, length] = next_character(typed);
        if (length == 0) {
            return std::nullopt;
        }
        typed.remove_prefix(length);
        if (is_separator(character)) {
            continue;
        }
        if (character >= 'a' && character <= 'z') {
            character = static_cast<char>(character - 'a' + 'A');
        }
        if (alphabet.find(character) == std::string_view::npos || symbols.size() == longest_code) {
            return std::nullopt;
        }
        symbols.push_back(character);
    }
    if (symbols.size() < shortest_code) {
        return std::nullopt;
    }
    std::string code;
    for (std::size_t index = 0; index < symbols.size(); ++index) {
        if (index > 0 && index % 3 == 0) {
            code.push_back('-');
        }
        code.push_back(symbols[index]);
    }
    return code;
}

} // namespace encore::hub::web
