#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace encore::hub::web {

enum class Language { en, de, fr, es, ja };

inline constexpr std::array<Language, 5> all_languages = {Language::en, Language::de, Language::fr,
                                                          Language::es, Language::ja};

// Everything a guest page says. The table of translations lives in strings.cpp, one
// row per text, one column per language.
enum class Text {
    site_title,
    landing_heading,
    landing_intro,
    code_label,
    code_submit,
    code_not_found,
    code_invalid,
    code_ambiguous,
    code_too_many,
    form_expired,
    order_heading,
    order_code,
    order_event,
    photo_alt,
    photo_pending,
    no_photos,
    more_prints_heading,
    more_prints_soon,
    forget_order,
    order_closed,
    not_found_heading,
    not_found_body,
    no_session_heading,
    no_session_body,
    back_to_start,
    method_not_allowed,
    error_heading,
    server_error,
    language_switch,
    count_,
};

// The text in `language`; "{n}" and "{total}" in it are filled by the caller.
std::string_view text(Language language, Text key);

// "en", "de", ... (the lang attribute and the ?lang= value).
std::string_view language_tag(Language language);
// The language's own name ("Deutsch", "日本語").
std::string_view language_name(Language language);
// "de", "DE", "de-AT" → de; nullopt for a language without translations.
std::optional<Language> parse_language(std::string_view tag);

// The page's language: `chosen` (a ?lang= value or the language cookie) when it is one
// of ours, else the Accept-Language entry with the highest q-value that we have
// (ties go to the earlier entry), else English.
Language choose_language(std::optional<std::string_view> chosen, std::string_view accept_language);

} // namespace encore::hub::web
