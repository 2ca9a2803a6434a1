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

// encore pay vouchers issue|list|void ...
int vouchers_command(int argc, const char* const* argv) {
    HubOptions hub;
    std::optional<std::string> value;
    std::optional<std::string> count;
    std::optional<std::string> currency;
    std::optional<std::string> event;
    std::optional<std::string> expires;
    std::optional<std::string> note;
    std::optional<std::string> state;
    std::optional<std::string> reason;
    platform::CommandLine command_line(
        "encore pay vouchers",
        "issue --value CENTS [--count N] [--currency C] [--event NAME] [--expires YYYY-MM-DD] "
        "[--note TEXT] | list [--state open|redeemed|voided|expired] | void CODE --reason TEXT",
        "Vouchers the store hands out, each good for one counter payment of a reorder worth at "
        "most its value. `issue` makes new ones with random codes and prints one code per "
        "line (ready to print); --event limits them to that event's reorders, --expires makes "
        "them invalid after that day. `list` shows every voucher with its state and the "
        "reorder it paid. `void` withdraws one that has not paid a reorder.");
    command_line.allow_positionals();
    command_line.add_option("value", "CENTS", "what each voucher is worth, in minor units (issue)",
                            value);
    command_line.add_option("count", "N", "how many to issue, 1 to 500 (default 1)", count);
    command_line.add_option("currency", "C",
                            "currency of the value (default: the event's price list's)", currency);
    command_line.add_option("event", "NAME", "valid only for reorders of this event (issue)",
                            event);
    command_line.add_option("expires", "YYYY-MM-DD", "last day the vouchers are valid (issue)",
                            expires);
    command_line.add_option("note", "TEXT", "what they are for, kept with them (issue)", note);
    command_line.add_option("state", "S", "only vouchers in this state (list)", state);
    command_line.add_option("reason", "TEXT", "why the voucher is withdrawn (void)", reason);
    hub.add_to(command_line);
    if (const auto exit_code = command_line.parse(argc, argv, 3)) {
        return *exit_code;
    }
    const auto& operands = command_line.positionals();
    const bool issue = operands.size() == 1 && operands[0] == "issue";
    const bool list = operands.size() == 1 && operands[0] == "list";
    const bool withdraw = operands.size() == 2 && operands[0] == "void";
    if (!issue && !list && !withdraw) {
        std::cerr << "encore pay vouchers: expected 'issue --value CENTS', 'list' or "
                     "'void CODE --reason TEXT'\n";
        return 2;
    }
    const auto whole_number = [](const std::optional<std::string>& text, std::int64_t& out) {
        if (!text) {
            return false;
        }
        const auto parsed = std::from_chars(text->data(), text->data() + text->size(), out);
        return parsed.ec == std::errc() && parsed.ptr == text->data() + text->size();
    };
    std::int64_t cents = 0;
    std::int64_t how_many = 1;
    if (issue && (!whole_number(value, cents) || cents <= 0)) {
        std::cerr << "encore pay vouchers issue: give --value CENTS (a positive whole number of "
                     "minor units: 500 is 5.00 EUR)\n";
        return 2;
    }
    if (issue && count && (!whole_number(count, how_many) || how_many < 1 || how_many > 500)) {
        std::cerr << "encore pay vouchers issue: --count is 1 to 500\n";
        return 2;
    }
    if (withdraw && (!reason || reason->empty())) {
        std::cerr << "encore pay vouchers void: give --reason TEXT (kept with the voucher)\n";
        return 2;
    }
    return run_reporting_errors([&] {
        HubClient client(hub);
        if (issue) {
            json request = {{"value", cents}, {"count", how_many}};
            for (const auto& [key, text] :
                 {std::pair{"currency", currency}, std::pair{"event", event},
                  std::pair{"expires", expires}, std::pair{"note", note}}) {
                if (text) {
                    request[key] = *text;
                }
            }
            const auto body =
                json::parse(client.call("POST", "/api/settlement/vouchers", request.dump()).body);
            for (const auto& voucher : body["vouchers"]) {
                std::cout << voucher["code"].get<std::string>() << "\n";
            }
            if (!body["vouchers"].empty()) {
                const auto& first = body["vouchers"][0];
                std::cerr << "encore: issued " << body["vouchers"].size() << " voucher"
                          << (body["vouchers"].size() == 1 ? "" : "s") << " worth "
                          << amount_text(first["value"].get<std::int64_t>(),
                                         first["currency"].get<std::string>())
                          << (body["vouchers"].size() == 1 ? "" : " each")
                          << (first["event"].get<std::string>().empty()
                                  ? ""
                                  : ", for event " + first["event"].get<std::string>())
                          << (first["expires"].get<std::string>().empty()
                                  ? ""
                                  : ", valid through " + first["expires"].get<std::string>())
                          << "\n";
            }
            return 0;
        }
        if (list) {
            const std::string target =
                "/api/settlement/vouchers" + (state ? "?state=" + *state : std::string());
            const auto body = json::parse(client.call("GET", target).body);
            for (const auto& voucher : body["vouchers"]) {
                std::cout << voucher["code"].get<std::string>() << "  "
                          << amount_text(voucher["value"].get<std::int64_t>(),
                                         voucher["currency"].get<std::string>())
                          << "  " << voucher["state"].get<std::string>();
                const auto field = [&voucher](const char* key) {
                    return voucher[key].get<std::string>();
                };
                if (!field("redeemed_by").empty()) {
                    std::cout << "  reorder " << field("redeemed_by");
                }
                if (!field("void_reason").empty()) {
                    std::cout << "  (" << field("void_reason") << ")";
                }
                if (!field("event").empty()) {
                    std::cout << "  event " << field("event");
                }
                if (!field("expires").empty()) {
                    std::cout << "  through " << field("expires");
                }
                if (!field("note").empty()) {
                    std::cout << "  \"" << field("note") << "\"";
                }
                std::cout << "\n";
            }
            return 0;
        }
        const json request = {{"code", operands[1]}, {"reason", *reason}};
        const auto body =
            json::parse(client.call("POST", "/api/settlement/vouchers/void", request.dump()).body);
        std::cout << body["message"].get<std::string>() << "\n";
        return 0;
    });
}

} // namespace

int pay_command(int argc, const char* const* argv) {
    if (argc > 2 && std::string_view(argv[2]) == "vouchers") {
        return vouchers_command(argc, argv);
    }
    HubOptions hub;
    bool cash = false;
    std::optional<std::string> voucher;
    std::optional<std::string> amount;
    std::optional<std::string> reason;
    std::optional<std::string> key;
    platform::CommandLine command_line(
        "encore pay",
        "counter | confirm REORDER --cash | --voucher CODE | refund REORDER --amount CENTS "
        "--reason TEXT [--key KEY] | vouchers issue|list|void ...",
        "Payments the hub settles. `counter` lists the reorders whose guests pay at the "
        "counter, with the reference they show. `confirm` records the cash or voucher taken "
        "for one (by reorder id or reference): it is then paid and in the order desk's queue; "
        "confirming again records nothing more. `refund` gives part of a reorder's payment "
        "back through the provider that took it (cash at the counter for counter payments); "
        "never more than was charged. Give --key to retry a refund safely: the same key is "
        "one refund. `vouchers` issues, lists and voids the store's vouchers (see `encore pay "
        "vouchers --help`).");
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
