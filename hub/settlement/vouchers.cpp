#include "hub/settlement/vouchers.hpp"

#include "hub/settlement/price_list.hpp"
#include "platform/crypto/random.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>

namespace encore::hub::settlement {
namespace {

// The symbols of platform/crypto's short codes, which make the codes.
constexpr std::string_view alphabet = "ACDEFGHJKMNPQRTUVWXY3469";
constexpr std::string_view prefix = "ENC";
constexpr std::size_t symbols = 12;
constexpr std::size_t group = 4;

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string grouped(std::string_view random_part) {
    std::string code(prefix);
    for (std::size_t index = 0; index < random_part.size(); ++index) {
        if (index % group == 0) {
            code.push_back('-');
        }
        code.push_back(random_part[index]);
    }
    return code;
}

bool is_currency(std::string_view text) {
    return text.size() == 3 &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

} // namespace

std::string new_voucher_code() {
    std::string random_part;
    for (const char c : platform::crypto::random_short_code(symbols)) {
        if (c != '-') {
            random_part.push_back(c);
        }
    }
    return grouped(random_part);
}

std::optional<std::string> normalize_voucher_code(std::string_view typed) {
    std::string letters;
    for (char c : typed) {
        if (c == '-' || c == ' ' || c == '\t' || c == '_') {
            continue;
        }
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
        letters.push_back(c);
        if (letters.size() > prefix.size() + symbols) {
            return std::nullopt;
        }
    }
    if (letters.size() == prefix.size() + symbols && letters.starts_with(prefix)) {
        letters.erase(0, prefix.size());
    }
    if (letters.size() != symbols || letters.find_first_not_of(alphabet) != std::string::npos) {
        return std::nullopt;
    }
    return grouped(letters);
}

std::optional<std::int64_t> voucher_expiry(std::string_view date) {
    if (date.size() != 10 || date[4] != '-' || date[7] != '-') {
        return std::nullopt;
    }
    const auto number = [&](std::size_t from, std::size_t length) {
        int value = 0;
        for (std::size_t index = from; index < from + length; ++index) {
            if (date[index] < '0' || date[index] > '9') {
                return -1;
            }
            value = value * 10 + (date[index] - '0');
        }
        return value;
    };
    const int year = number(0, 4);
    const int month = number(5, 2);
    const int day = number(8, 2);
    if (year < 2000 || month < 1 || month > 12 || day < 1) {
        return std::nullopt;
    }
    const std::chrono::year_month_day ymd{std::chrono::year(year),
                                          std::chrono::month(static_cast<unsigned>(month)),
                                          std::chrono::day(static_cast<unsigned>(day))};
    if (!ymd.ok()) {
        return std::nullopt;
    }
    // The start of the next day, local time: valid through the whole of `date`.
    std::tm next{};
    next.tm_year = year - 1900;
    next.tm_mon = month - 1;
    next.tm_mday = day + 1;
    next.tm_isdst = -1;
    const auto end = std::mktime(&next);
    if (end == static_cast<std::time_t>(-1)) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(end);
}

std::string voucher_refusal(const VoucherCheck& check, const VoucherUse& use,
                            std::string_view typed) {
    const std::string code = check.voucher ? check.voucher->code : std::string(typed);
    const std::string voucher = "voucher " + code;
    switch (check.problem) {
    case VoucherProblem::none:
        return {};
    case VoucherProblem::unknown:
        return "no voucher " + std::string(typed) +
               " was issued by this store: check the code with the guest (codes look like "
               "ENC-4KQ9-M3XR-6CFW; `encore pay vouchers list` shows them), or take cash";
    case VoucherProblem::voided:
        return voucher + " was voided (" + check.voucher->void_reason +
               "): keep it, and take cash instead";
    case VoucherProblem::expired:
        return voucher + " expired at the end of " + check.voucher->expires_on +
               ": take cash instead";
    case VoucherProblem::redeemed:
        return voucher + " was redeemed already (reorder " + check.voucher->redeemed_by +
               "): ask for another voucher or cash";
    case VoucherProblem::other_event:
        return voucher + " is valid only for the event " + check.voucher->event +
               (use.event.empty() ? std::string(", and this reorder's event is not known")
                                  : ", and this reorder is from " + use.event) +
               ": take cash instead";
    case VoucherProblem::other_currency:
        return voucher + " is in " + check.voucher->currency + ", the reorder is in " +
               use.currency + ": take cash instead";
    case VoucherProblem::too_little:
        return voucher + " is worth " +
               format_amount(check.voucher->value, check.voucher->currency) + ", the reorder is " +
               format_amount(use.amount, use.currency) + ": take cash instead";
    }
    return voucher + " cannot pay this reorder: take cash instead";
}

std::optional<std::string> check_voucher_request(const VoucherRequest& request, NewVouchers& out) {
    if (request.value < 1 || request.value > 10'000'000) {
        return "a voucher's value is 1 to 10,000,000 minor units (cents): 500 is 5.00 EUR";
    }
    if (!is_currency(request.currency)) {
        return "a currency is three capital letters (ISO 4217, like EUR)";
    }
    if (request.count < 1 || request.count > 500) {
        return "issue 1 to 500 vouchers at a time";
    }
    if (request.event.size() > 200) {
        return "an event name is at most 200 characters";
    }
    if (request.note.size() > 500) {
        return "a note is at most 500 characters";
    }
    NewVouchers vouchers;
    if (!request.expires.empty()) {
        const auto end = voucher_expiry(request.expires);
        if (!end) {
            return "expires is a date written YYYY-MM-DD (like 2026-12-31)";
        }
        if (*end <= now_seconds()) {
            return "expires " + request.expires + " is in the past: give a later date";
        }
        vouchers.expires_on = request.expires;
        vouchers.expires_at = end;
    }
    vouchers.value = request.value;
    vouchers.currency = request.currency;
    vouchers.count = request.count;
    vouchers.event = request.event;
    vouchers.note = request.note;
    out = std::move(vouchers);
    return std::nullopt;
}

} // namespace encore::hub::settlement
