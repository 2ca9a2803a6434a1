#include "hub/settlement/price_list.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace encore::hub::settlement {

const Product* PriceList::find(std::string_view product_id) const {
    const auto found = std::find_if(products.begin(), products.end(), [&](const Product& product) {
        return product.id == product_id;
    });
    return found == products.end() ? nullptr : &*found;
}

PriceList default_price_list() {
    return {
        "EUR",
        {{"4x6", "4×6", 200}, {"5x7", "5×7", 350}, {"8x10", "8×10", 800}, {"strip", "2×6", 300}}};
}

int currency_decimals(std::string_view currency) {
    // ISO 4217 currencies without a minor unit that a store is likely to use.
    for (const std::string_view whole : {"JPY", "KRW", "CLP", "ISK", "VND", "HUF"}) {
        if (currency == whole) {
            return 0;
        }
    }
    return 2;
}

std::optional<std::string> parse_price_list(const nlohmann::json& json, PriceList& out) {
    if (!json.is_object()) {
        return "expected an object {\"currency\": \"EUR\", \"products\": [...]}";
    }
    PriceList list;
    const auto currency = json.find("currency");
    if (currency == json.end() || !currency->is_string()) {
        return "expected \"currency\": a three-letter ISO 4217 code such as \"EUR\"";
    }
    list.currency = currency->get<std::string>();
    if (list.currency.size() != 3 || !std::all_of(list.currency.begin(), list.currency.end(),
                                                  [](char c) { return c >= 'A' && c <= 'Z'; })) {
        return "\"currency\" must be three capital letters (ISO 4217), got \"" + list.currency +
               "\"";
    }
    const auto products = json.find("products");
    if (products == json.end() || !products->is_array() || products->empty()) {
        return "expected \"products\": a non-empty list of {\"id\", \"label\", \"price\"}";
    }
    std::set<std::string> ids;
    for (const auto& entry : *products) {
        if (!entry.is_object() || !entry.contains("id") || !entry["id"].is_string() ||
            !entry.contains("label") || !entry["label"].is_string() || !entry.contains("price") ||
            !entry["price"].is_number_integer() || entry.size() != 3) {
            return "each product is {\"id\": \"5x7\", \"label\": \"5×7\", \"price\": 350} "
                   "(price in minor units, an integer)";
        }
        Product product{entry["id"].get<std::string>(), entry["label"].get<std::string>(),
                        entry["price"].get<std::int64_t>()};
        if (product.id.empty() || product.id.size() > 32 ||
            !std::all_of(product.id.begin(), product.id.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            })) {
            return "product id \"" + product.id + "\": use 1 to 32 of a-z, 0-9 and -";
        }
        if (product.label.empty() || product.label.size() > 64) {
            return "product \"" + product.id + "\": the label must have 1 to 64 bytes";
        }
        if (product.unit_price < 1 || product.unit_price > 10'000'000) {
            return "product \"" + product.id + "\": price must be 1 to 10000000 minor units";
        }
        if (!ids.insert(product.id).second) {
            return "product id \"" + product.id + "\" appears twice";
        }
        list.products.push_back(std::move(product));
    }
    if (const auto shipping = json.find("shipping"); shipping != json.end()) {
        if (!shipping->is_number_integer() || shipping->get<std::int64_t>() < 0 ||
            shipping->get<std::int64_t>() > 10'000'000) {
            return "\"shipping\" must be 0 to 10000000 minor units (an integer, such as 495 for "
                   "4.95 EUR), got " +
                   shipping->dump();
        }
        list.shipping = shipping->get<std::int64_t>();
    }
    out = std::move(list);
    return std::nullopt;
}

std::string format_amount(std::int64_t amount, std::string_view currency) {
    const bool negative = amount < 0;
    const auto magnitude = negative ? -amount : amount;
    std::string text = negative ? "-" : "";
    if (currency_decimals(currency) == 0) {
        return text + std::to_string(magnitude) + " " + std::string(currency);
    }
    auto cents = std::to_string(magnitude % 100);
    if (cents.size() < 2) {
        cents.insert(0, "0");
    }
    return text + std::to_string(magnitude / 100) + "." + cents + " " + std::string(currency);
}

} // namespace encore::hub::settlement
