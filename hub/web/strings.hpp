#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
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
    more_prints_intro,
    product_print,
    product_strip,
    photo_field,
    product_field,
    quantity_field,
    add_to_cart,
    cart_heading,
    cart_empty,
    cart_remove,
    cart_total,
    delivery_heading,
    delivery_ship,
    delivery_pickup,
    address_name,
    address_street,
    address_postal_code,
    address_city,
    address_country,
    checkout_button,
    cart_line_invalid,
    cart_needed,
    address_invalid,
    delivery_invalid,
    reorders_heading,
    reorder_heading,
    reorder_status,
    state_unpaid,
    state_paid,
    state_printing,
    state_packed,
    state_shipped,
    unpaid_note,
    pay_now,
    back_to_order,
    payment_unavailable,
    shipment_heading,
    payment_heading,
    pay_online,
    pay_at_counter,
    counter_note,
    counter_reference,
    amount_due,
    state_cancelled,
    cancelled_refunded,
    cancelled_refund_pending,
    state_ready_for_pickup,
    state_picked_up,
    cart_line_withdrawn,
    shipping_cost,
    total_with_shipping,
    total_with_pickup,
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

// An amount in the currency's minor units as the language writes it: "€3.50" in
// English and Japanese, "3,50 €" in German, French and Spanish; "¥500" for a currency
// without a minor unit; the ISO code where there is no common sign ("3.50 CHF").
std::string format_money(Language language, std::int64_t minor_units, std::string_view currency);

} // namespace encore::hub::web
