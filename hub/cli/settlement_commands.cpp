#include "hub/cli/settlement_commands.hpp"

#include "hub/cli/hub_client.hpp"
#include "platform/crypto/random.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <iostream>

namespace encore::cli {
namespace {

using nlohmann::json;

std::string amount_text(std::int64_t minor_units, const std::string& currency) {
    const bool whole = currency == "JPY" || currency == "KRW" || currency == "CLP" ||
                       currency == "ISK" || currency == "VND" || currency == "HUF";
    if (whole) {
        return std::to_string(minor_units) + " " + currency;
    }
    auto cents = std::to_string(minor_units % 100);
    if (cents.size() < 2) {
        cents.insert(0, "0");
    }
    return std::to_string(minor_units / 100) + "." + cents + " " + currency;
}

} // namespace

int pay_command(int argc, const char* const* argv) {
    HubOptions hub;
    bool cash = false;
    std::optional<std::string> voucher;
    std::optional<std::string> amount;
    std::optional<std::string> reason;
    std::optional<std::string> key;
    platform::CommandLine command_line(
        "encore pay",
        "counter | confirm REORDER --cash | --voucher CODE | refund REORDER --amount CENTS "
        "--reason TEXT [--key KEY]",
        "Payments the hub settles. `counter` lists the reorders whose guests pay at the "
        "counter, with the reference they show. `confirm` records the cash or voucher taken "
        "for one (by reorder id or reference): it is then paid and in the order desk's queue; "
        "confirming again records nothing more. `refund` gives part of a reorder's payment "
        "back through the provider that took it (cash at the counter for counter payments); "
        "never more than was charged. Give --key to retry a refund safely: the same key is "
        "one refund.");
    command_line.allow_positionals();
    command_line.add_flag("cash", "the guest paid in cash (confirm)", cash);
    command_line.add_option("voucher", "CODE", "the guest paid with this voucher (confirm)",
                            voucher);
    command_line.add_option("amount", "CENTS", "how much to give back, in minor units (refund)",
                            amount);
    command_line.add_option("reason", "TEXT", "why the money goes back (refund)", reason);
    command_line.add_option("key", "KEY", "idempotency key of the refund (default: a new one)",
                            key);
    hub.add_to(command_line);
    if (const auto exit_code = command_line.parse(argc, argv, 2)) {
        return *exit_code;
    }
    const auto& operands = command_line.positionals();
    const bool list = operands.size() == 1 && operands[0] == "counter";
    const bool confirm = operands.size() == 2 && operands[0] == "confirm";
    const bool refund = operands.size() == 2 && operands[0] == "refund";
    if (!list && !confirm && !refund) {
        std::cerr << "encore pay: expected 'counter', 'confirm REORDER --cash|--voucher CODE' or "
                     "'refund REORDER --amount CENTS --reason TEXT'\n";
        return 2;
    }
    if (confirm && cash == voucher.has_value()) {
        std::cerr << "encore pay confirm: give either --cash or --voucher CODE\n";
        return 2;
    }
    std::int64_t cents = 0;
    if (refund) {
        const auto parsed =
            amount ? std::from_chars(amount->data(), amount->data() + amount->size(), cents)
                   : std::from_chars_result{nullptr, std::errc::invalid_argument};
        if (!amount || parsed.ec != std::errc() || parsed.ptr != amount->data() + amount->size() ||
            cents <= 0 || !reason || reason->empty()) {
            std::cerr << "encore pay refund: give --amount CENTS (a positive whole number of "
                         "minor units) and --reason TEXT\n";
            return 2;
        }
    }
    return run_reporting_errors([&] {
        HubClient client(hub);
        if (list) {
            const auto body = json::parse(client.call("GET", "/api/settlement/counter").body);
            for (const auto& entry : body["awaiting"]) {
                std::cout << entry["reference"].get<std::string>() << "  "
                          << amount_text(entry["total"].get<std::int64_t>(),
                                         entry["currency"].get<std::string>())
                          << "  reorder " << entry["reorder"].get<std::string>() << "\n";
            }
            return 0;
        }
        if (confirm) {
            const json request = {{"reorder", operands[1]},
                                  {"method", cash ? "cash" : "voucher"},
                                  {"reference", voucher.value_or("")}};
            const auto body =
                json::parse(client.call("POST", "/api/settlement/confirm", request.dump()).body);
            std::cout << body["message"].get<std::string>() << "\n";
            return 0;
        }
        const auto idempotency_key = key.value_or("refund-" + platform::crypto::random_token(16));
        const json request = {{"reorder", operands[1]},
                              {"amount", cents},
                              {"reason", *reason},
                              {"key", idempotency_key}};
        const auto response = client.call("POST", "/api/settlement/refund", request.dump());
        const auto body = json::parse(response.body);
        std::cout << body["message"].get<std::string>() << "\n";
        if (response.status == 202) {
            std::cerr << "encore: the provider did not answer; retry with --key " << idempotency_key
                      << " (the hub also asks again when it starts)\n";
            return 1;
        }
        return 0;
    });
}

int desk_cancel_command(int argc, const char* const* argv) {
    HubOptions hub;
    std::optional<std::string> reason;
    platform::CommandLine command_line(
        "encore desk cancel", "REORDER --reason TEXT",
        "Cancels a reorder at the order desk: a paid one is refunded in full through the "
        "provider that took the money (cash back at the counter for counter payments), an "
        "unpaid one is closed without money moving. A reorder already at the lab (printing, "
        "packed or shipped) is refused. Cancelling again changes nothing.");
    command_line.allow_positionals();
    command_line.add_option("reason", "TEXT", "why it is cancelled (kept with the reorder)",
                            reason);
    hub.add_to(command_line);
    if (const auto exit_code = command_line.parse(argc, argv, 2)) {
        return *exit_code;
    }
    const auto& operands = command_line.positionals();
    if (operands.size() != 2 || operands[0] != "cancel" || !reason || reason->empty()) {
        std::cerr << "encore desk cancel: expected REORDER --reason TEXT\n";
        return 2;
    }
    return run_reporting_errors([&] {
        HubClient client(hub);
        const json request = {{"reorder", operands[1]}, {"reason", *reason}};
        const auto response = client.call("POST", "/api/desk/cancel", request.dump());
        const auto body = json::parse(response.body);
        std::cout << body["message"].get<std::string>() << "\n";
        // 202: cancelled, but a refund is still pending with the provider.
        return response.status == 202 ? 1 : 0;
    });
}

} // namespace encore::cli
