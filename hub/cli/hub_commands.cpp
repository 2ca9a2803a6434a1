#include "hub/cli/hub_commands.hpp"

#include "hub/cli/hub_client.hpp"
#include "hub/settlement/ledger.hpp"
#include "hub/staff/staff_directory.hpp"
#include "platform/config/command_line.hpp"
#include "platform/files/atomic_file.hpp"
#include "platform/http/client.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <termios.h>
#include <unistd.h>

namespace encore::cli {
namespace {

using nlohmann::json;
namespace http = platform::http;

// A positive whole number given on the command line (an item, a count of copies).
int parse_count(const std::string& text, const std::string& what) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 1) {
        throw CommandError(what + " must be a whole number from 1, got '" + text + "'");
    }
    return value;
}

// The reorders in one state (`encore orders --state paid`), oldest first.
int print_reorders(HubClient& client, const std::string& state, bool as_json) {
    const auto body = json::parse(client.call("GET", "/api/reorders?state=" + state).body);
    if (as_json) {
        std::cout << body.dump(2) << "\n";
        return 0;
    }
    std::cout << std::left << std::setw(38) << "REORDER" << std::setw(38) << "ORDER"
              << std::setw(10) << "STATE" << std::setw(10) << "DELIVERY"
              << "ITEMS\n";
    for (const auto& reorder : body["reorders"]) {
        std::cout << std::setw(38) << reorder["id"].get<std::string>() << std::setw(38)
                  << reorder["order_id"].get<std::string>() << std::setw(10)
                  << reorder["state"].get<std::string>() << std::setw(10)
                  << reorder["delivery"].get<std::string>();
        bool first = true;
        for (const auto& line : reorder["lines"]) {
            std::cout << (first ? "" : " ") << line["quantity"].get<int>() << "x"
                      << line["product"].get<std::string>();
            first = false;
        }
        std::cout << "\n";
    }
    return 0;
}

} // namespace

int orders_command(int argc, const char* const* argv) {
    HubOptions hub;
    std::optional<std::string> state;
    bool as_json = false;
    platform::CommandLine command_line(
        "encore orders", "[--state S] [--json]",
        "Lists the booths' orders, newest first, with each photo's SHA-256; with a reorder "
        "state (unpaid, paid, printing, packed, shipped, cancelled), the guests' reorders in that "
        "state, "
        "oldest first.");
    hub.add_to(command_line);
    command_line.add_option(
        "state", "S",
        "booth orders in this state (received), or reorders in this state (unpaid, paid, "
        "printing, packed, shipped, cancelled)",
        state);
    command_line.add_flag("json", "print JSON instead of a table", as_json);
    if (const auto exit_code = command_line.parse(argc, argv, 2)) {
        return *exit_code;
    }
    return run_reporting_errors([&] {
        HubClient client(hub);
        if (state && hub::settlement::parse_reorder_state(*state)) {
            return print_reorders(client, *state, as_json);
        }
        const auto body = json::parse(
            client.call("GET", "/api/orders" + (state ? "?state=" + *state : std::string())).body);
        if (as_json) {
            std::cout << body.dump(2) << "\n";
            return 0;
        }
        std::cout << std::left << std::setw(38) << "ORDER" << std::setw(12) << "KIOSK"
                  << std::setw(10) << "CODE" << std::setw(10) << "STATE"
                  << "PHOTOS (sha256)\n";
        for (const auto& order : body["orders"]) {
            std::cout << std::setw(38) << order["order_id"].get<std::string>() << std::setw(12)
                      << order["kiosk"].get<std::string>() << std::setw(10)
                      << order["code"].get<std::string>() << std::setw(10)
                      << order["state"].get<std::string>();
            bool first = true;
            for (const auto& photo : order["photos"]) {
                std::cout << (first ? "" : " ") << photo["sha256"].get<std::string>()
                          << (photo["stored"].get<bool>() ? "" : " (not yet received)");
                first = false;
            }
            std::cout << "\n";
        }
        return 0;
    });
}

int photo_command(int argc, const char* const* argv) {
    HubOptions hub;
    std::optional<std::string> out;
    platform::CommandLine command_line(
        "encore photo", "get HASH [--out FILE]",
        "Fetches a stored original photo by its SHA-256; writes it to "
        "standard output unless --out is given.");
    command_line.allow_positionals();
    hub.add_to(command_line);
    command_line.add_option("out", "FILE", "write the photo to FILE", out);
    if (const auto exit_code = command_line.parse(argc, argv, 2)) {
        return *exit_code;
    }
    const auto& operands = command_line.positionals();
    if (operands.size() != 2 || operands[0] != "get") {
        std::cerr << "encore photo: expected 'get HASH'\n";
        return 2;
    }
    return run_reporting_errors([&] {
        HubClient client(hub);
        const auto response = client.call("GET", "/api/photos/" + operands[1]);
        if (out) {
            std::ofstream file(*out, std::ios::binary | std::ios::trunc);
            file << response.body;
            if (!file.flush()) {
                throw CommandError("cannot write " + *out);
            }
        } else {
            std::cout << response.body << std::flush;
        }
        return 0;
    });
}

int enrol_token_command(int argc, const char* const* argv) {
    HubOptions hub;
    std::optional<std::string> kiosk;
    std::optional<std::string> valid_hours;
    platform::CommandLine command_line(
        "encore enrol-token", "--kiosk NAME [--valid-hours N]",
        "Prints a one-line join token for a new booth. Start the booth "
        "with `kioskd --hub-token TOKEN`; the token works once.");
    hub.add_to(command_line);
    command_line.add_option("kiosk", "NAME", "the booth's name (letters, digits, '-', '_')", kiosk);
    command_line.add_option("valid-hours", "N", "how long the token may be used (default 72)",
                            valid_hours);
    if (const auto exit_code = command_line.parse(argc, argv, 2)) {
        return *exit_code;
    }
    if (!kiosk) {
        std::cerr << "encore enrol-token: --kiosk NAME is required\n";
        return 2;
    }
    return run_reporting_errors([&] {
        HubClient client(hub);
        json request = {{"kiosk", *kiosk}};
        if (valid_hours) {
            request["valid_hours"] = std::atoi(valid_hours->c_str());
        }
        const auto body =
            json::parse(client.call("POST", "/api/enrol-tokens", request.dump()).body);
        std::cout << body["token"].get<std::string>() << "\n";
        return 0;
    });
}

int kiosk_command(int argc, const char* const* argv) {
    HubOptions hub;
    platform::CommandLine command_line("encore kiosk", "list | revoke NAME",
                                       "Lists enrolled booths, or revokes one: its certificate is "
                                       "refused at once and its connection is closed.");
    command_line.allow_positionals();
    hub.add_to(command_line);
    if (const auto exit_code = command_line.parse(argc, argv, 2)) {
        return *exit_code;
    }
    const auto& operands = command_line.positionals();
    const bool list = operands.size() == 1 && operands[0] == "list";
    const bool revoke = operands.size() == 2 && operands[0] == "revoke";
    if (!list && !revoke) {
        std::cerr << "encore kiosk: expected 'list' or 'revoke NAME'\n";
        return 2;
    }
    return run_reporting_errors([&] {
        HubClient client(hub);
        if (revoke) {
            client.call("POST", "/api/kiosks/" + operands[1] + "/revoke");
            std::cout << "kiosk " << operands[1] << " revoked\n";
            return 0;
        }
        const auto body = json::parse(client.call("GET", "/api/kiosks").body);
        for (const auto& kiosk : body["kiosks"]) {
            std::cout << kiosk["name"].get<std::string>() << "  enrolled "
                      << kiosk["enrolled_at"].get<std::string>()
                      << (kiosk["revoked_at"].is_null()
                              ? ""
                              : "  REVOKED " + kiosk["revoked_at"].get<std::string>())
                      << "\n";
        }
        return 0;
    });
}

namespace {

// One line from the terminal with echo off, or from stdin when it is not a terminal
// (scripts, tests).
std::string read_password(const std::string& prompt) {
    if (isatty(STDIN_FILENO) == 0) {
        std::string line;
        std::getline(std::cin, line);
        return line;
    }
    std::cerr << prompt << std::flush;
    termios original{};
    tcgetattr(STDIN_FILENO, &original);
    termios silent = original;
    silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &silent);
    std::string line;
    std::getline(std::cin, line);
    tcsetattr(STDIN_FILENO, TCSANOW, &original);
    std::cerr << "\n";
    return line;
}

} // namespace

int staff_command(int argc, const char* const* argv) {
    HubOptions hub;
    std::optional<std::string> role;
    platform::CommandLine command_line(
        "encore staff", "add NAME --role desk|shipping|admin | list | remove NAME",
        "Manages the back office's staff accounts. `add` reads the password from the terminal "
        "(or one line of stdin), hashes it here with Argon2id and sends only the hash; adding "
        "an existing name sets a new role and password and logs them out.");
    command_line.allow_positionals();
    command_line.add_option("role", "ROLE", "desk, shipping or admin (for add)", role);
    hub.add_to(command_line);
    if (const auto exit_code = command_line.parse(argc, argv, 2)) {
        return *exit_code;
    }
    const auto& operands = command_line.positionals();
    const bool list = operands.size() == 1 && operands[0] == "list";
    const bool add = operands.size() == 2 && operands[0] == "add";
    const bool remove = operands.size() == 2 && operands[0] == "remove";
    if (!list && !add && !remove) {
        std::cerr << "encore staff: expected 'add NAME --role ROLE', 'list' or 'remove NAME'\n";
        return 2;
    }
    if (add) {
        if (const auto problem = hub::staff::problem_with_name(operands[1])) {
            std::cerr << "encore staff: " << *problem << "\n";
            return 2;
        }
        if (!role || !hub::staff::parse_role(*role)) {
            std::cerr << "encore staff add: --role must be desk, shipping or admin\n";
            return 2;
        }
    }
    return run_reporting_errors([&] {
        HubClient client(hub);
        if (remove) {
            client.call("POST", "/api/staff/" + operands[1] + "/remove");
            std::cout << "staff member " << operands[1] << " removed\n";
            return 0;
        }
        if (add) {
            const auto password = read_password("Password for " + operands[1] + ": ");
            if (const auto problem = hub::staff::problem_with_password(password)) {
                throw CommandError(*problem);
            }
            if (isatty(STDIN_FILENO) != 0 && read_password("Again: ") != password) {
                throw CommandError("the passwords differ; nothing was changed");
            }
            const json request = {{"name", operands[1]},
                                  {"role", *role},
                                  {"password_hash", hub::staff::hash_password(password)}};
            client.call("POST", "/api/staff", request.dump());
            std::cout << "staff member " << operands[1] << " (" << *role << ") saved\n";
            return 0;
        }
        const auto body = json::parse(client.call("GET", "/api/staff").body);
        for (const auto& member : body["staff"]) {
            std::cout << member["name"].get<std::string>() << "  "
                      << member["role"].get<std::string>() << "\n";
        }
        return 0;
    });
}

int desk_command(int argc, const char* const* argv) {
    HubOptions hub;
    std::optional<std::string> printer;
    std::optional<std::string> copies;
    platform::CommandLine command_line(
        "encore desk",
        "queue | release REORDER [--printer QUEUE] | show REORDER | reprint REORDER ITEM "
        "[--copies N] [--printer QUEUE]",
        "The order desk: lists the paid reorders waiting for the lab, releases one to the "
        "lab printer (each item rendered at its size from the original, each copy printed "
        "once), shows where each item of a released reorder stands, or prints an item again "
        "(a damaged or failed print). A reorder that is not paid, or was released already, "
        "is refused.");
    command_line.allow_positionals();
    command_line.add_option("printer", "QUEUE", "print on this CUPS queue instead of the lab's",
                            printer);
    command_line.add_option("copies", "N", "how many copies a reprint makes (default 1)", copies);
    hub.add_to(command_line);
    if (const auto exit_code = command_line.parse(argc, argv, 2)) {
        return *exit_code;
    }
    const auto& operands = command_line.positionals();
    const bool queue = operands.size() == 1 && operands[0] == "queue";
    const bool release = operands.size() == 2 && operands[0] == "release";
    const bool show = operands.size() == 2 && operands[0] == "show";
    const bool reprint = operands.size() == 3 && operands[0] == "reprint";
    if (!queue && !release && !show && !reprint) {
        std::cerr << "encore desk: expected 'queue', 'release REORDER', 'show REORDER' or "
                     "'reprint REORDER ITEM'\n";
        return 2;
    }
    const auto print_items = [](const json& items) {
        for (const auto& item : items) {
            std::cout << "  item " << item["item"].get<int>() << ": " << item["copies"].get<int>()
                      << " x " << item["product"].get<std::string>() << "  "
                      << item["printed"].get<int>() << " printed  "
                      << item["state"].get<std::string>();
            if (const auto message = item["message"].get<std::string>(); !message.empty()) {
                std::cout << " (" << message << ")";
            }
            std::cout << "\n";
        }
    };
    return run_reporting_errors([&] {
        HubClient client(hub);
        if (release || reprint) {
            json request = {{"reorder", operands[1]}};
            if (printer) {
                request["printer"] = *printer;
            }
            if (reprint) {
                request["item"] = parse_count(operands[2], "ITEM");
                request["copies"] = copies ? parse_count(*copies, "--copies") : 1;
            }
            const auto body =
                json::parse(client
                                .call("POST", release ? "/api/desk/release" : "/api/desk/reprint",
                                      request.dump())
                                .body);
            std::cout << body["message"].get<std::string>() << "\n";
            print_items(body["items"]);
            return 0;
        }
        if (show) {
            const auto body = json::parse(client.call("GET", "/api/reorders/" + operands[1]).body);
            std::cout << body["id"].get<std::string>() << "  " << body["state"].get<std::string>()
                      << "  " << body["delivery"].get<std::string>() << "\n";
            print_items(body["items"]);
            return 0;
        }
        const auto body = json::parse(client.call("GET", "/api/desk/queue").body);
        for (const auto& reorder : body["queue"]) {
            std::cout << reorder["id"].get<std::string>() << "  order "
                      << reorder["order_id"].get<std::string>() << "  "
                      << reorder["delivery"].get<std::string>();
            for (const auto& line : reorder["lines"]) {
                std::cout << "  " << line["quantity"].get<int>() << "x"
                          << line["product"].get<std::string>();
            }
            std::cout << "\n";
        }
        return 0;
    });
}

int ship_command(int argc, const char* const* argv) {
    HubOptions hub;
    std::optional<std::string> carrier;
    std::optional<std::string> tracking;
    std::optional<std::string> output;
    platform::CommandLine command_line(
        "encore ship",
        "REORDER --carrier CARRIER --tracking NUMBER | slip REORDER -o FILE | pack REORDER",
        "Records a reorder as shipped: only once every print is out of the lab printer. The "
        "guest's status page then shows the carrier and tracking number. 'slip' saves the "
        "reorder's packing slip (PDF) to FILE ('-' for standard output); 'pack' marks a "
        "printed reorder packed.");
    command_line.allow_positionals();
    command_line.add_option("carrier", "CARRIER", "who carries the parcel (\"DHL\")", carrier);
    command_line.add_option("tracking", "NUMBER", "the carrier's tracking number", tracking);
    command_line.add_option("output", "FILE", "where 'slip' saves the PDF (also -o FILE)", output);
    hub.add_to(command_line);
    // -o is the one short option, as in most tools that write a file.
    std::vector<const char*> arguments(argv, argv + argc);
    for (auto& argument : arguments) {
        if (std::string_view(argument) == "-o") {
            argument = "--output";
        }
    }
    if (const auto exit_code =
            command_line.parse(static_cast<int>(arguments.size()), arguments.data(), 2)) {
        return *exit_code;
    }
    const auto& operands = command_line.positionals();
    const bool slip = !operands.empty() && operands[0] == "slip";
    const bool pack = !operands.empty() && operands[0] == "pack";
    if (slip && (operands.size() != 2 || !output)) {
        std::cerr << "encore ship: expected slip REORDER -o FILE\n";
        return 2;
    }
    if (pack && operands.size() != 2) {
        std::cerr << "encore ship: expected pack REORDER\n";
        return 2;
    }
    if (!slip && !pack && (operands.size() != 1 || !carrier || !tracking)) {
        std::cerr << "encore ship: expected REORDER --carrier CARRIER --tracking NUMBER\n";
        return 2;
    }
    return run_reporting_errors([&] {
        HubClient client(hub);
        if (slip) {
            std::string reorder;
            for (const char c : operands[1]) {
                if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') {
                    reorder += c;
                } else {
                    constexpr std::string_view hex = "0123456789ABCDEF";
                    reorder += {'%', hex[static_cast<unsigned char>(c) >> 4], hex[c & 0xf]};
                }
            }
            const auto response = client.call("GET", "/api/shipping/slip?reorder=" + reorder);
            if (*output == "-") {
                std::cout << response.body << std::flush;
                return 0;
            }
            if (const auto error = platform::write_file_atomically(*output, response.body)) {
                throw CommandError("cannot write " + *output + ": " + error.message());
            }
            std::cout << "packing slip of reorder " << operands[1] << " saved to " << *output
                      << " (" << response.body.size() << " bytes)\n";
            return 0;
        }
        if (pack) {
            const json request = {{"reorder", operands[1]}};
            const auto body =
                json::parse(client.call("POST", "/api/shipping/pack", request.dump()).body);
            std::cout << body["message"].get<std::string>() << "\n";
            return 0;
        }
        const json request = {
            {"reorder", operands[0]}, {"carrier", *carrier}, {"tracking", *tracking}};
        const auto body =
            json::parse(client.call("POST", "/api/shipping/ship", request.dump()).body);
        std::cout << body["message"].get<std::string>() << "\n";
        return 0;
    });
}

} // namespace encore::cli
