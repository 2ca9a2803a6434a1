#pragma once

#include "hub/settlement/ledger.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace encore::hub::settlement {

// A new voucher code: "ENC-" and 12 symbols from the short-code alphabet of
// platform/crypto (24 symbols, no 0/O, 1/I/L, 5/S, 2/Z, 8/B: 55 random bits), grouped
// by 4 for reading aloud: "ENC-4KQ9-M3XR-6CFW".
std::string new_voucher_code();

// A code as a clerk typed it, in the form the ledger keeps: upper or lower case, with or
// without dashes or spaces, with or without the "ENC" prefix. nullopt when it cannot be
// a code the hub made (wrong length, a symbol outside the alphabet).
std::optional<std::string> normalize_voucher_code(std::string_view typed);

// "2026-12-31": the moment that day ends in the hub's time zone (unix seconds), when the
// voucher stops being valid. nullopt for anything that is not a real date.
std::optional<std::int64_t> voucher_expiry(std::string_view date);

// Why the counter refuses a voucher, and what the clerk does instead ("voucher ENC-... is
// worth 5.00 EUR, the reorder is 7.00 EUR: take cash instead"). `typed` is the code as
// entered, for a code the store never issued.
std::string voucher_refusal(const VoucherCheck& check, const VoucherUse& use,
                            std::string_view typed);

// What staff send to issue vouchers, checked: value 1..10,000,000 minor units, currency
// ISO 4217 (three letters), count 1..500, event up to 200 characters, expires a date not
// in the past (YYYY-MM-DD), note up to 500 characters. Returns the problem, or nullopt
// and fills `out`.
struct VoucherRequest {
    std::int64_t value = 0;
    std::string currency;
    int count = 1;
    std::string event;
    std::string expires;
    std::string note;
};
std::optional<std::string> check_voucher_request(const VoucherRequest& request, NewVouchers& out);

} // namespace encore::hub::settlement
