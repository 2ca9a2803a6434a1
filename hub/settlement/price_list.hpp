#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace encore::hub::settlement {

// One product a guest can reorder. Prices are integers in the currency's minor unit
// (cents), never floating point.
struct Product {
    // Stable id used in forms and the ledger ("5x7"); "strip" is the photo strip.
    std::string id;
    // The size as printed on the page ("5×7"); the words around it are translated.
    std::string label;
    std::int64_t unit_price = 0;
};

// The products of an event and their prices, all in one currency.
struct PriceList {
    // ISO 4217 code, upper case ("EUR").
    std::string currency;
    std::vector<Product> products;
    // What a reorder shipped to an address pays for postage and packing, in minor units,
    // once per reorder; pickup at the venue pays none.
    std::int64_t shipping = 0;

    const Product* find(std::string_view product_id) const;
};

// What the hub offers while no event has a price list of its own: prints 4×6, 5×7,
// 8×10 and the photo strip, in EUR.
PriceList default_price_list();

// Reads a price list from JSON: {"currency": "EUR", "products": [{"id": "5x7",
// "label": "5×7", "price": 350}, ...], "shipping": 495}. Returns an error message, or
// nullopt and fills `out`. Ids must be unique, [a-z0-9-] only; prices 1..10,000,000 minor
// units; "shipping" is optional, 0..10,000,000 minor units (0 when left out).
std::optional<std::string> parse_price_list(const nlohmann::json& json, PriceList& out);

// How many decimals the currency's minor unit has (2 for EUR, 0 for JPY).
int currency_decimals(std::string_view currency);

// An amount for staff and logs: "7.00 EUR", "500 JPY".
std::string format_amount(std::int64_t amount, std::string_view currency);

} // namespace encore::hub::settlement
