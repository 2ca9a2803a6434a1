// encore: the operator's command line. Each subcommand is a small function; main()
// only dispatches.

#include "hub/app/hub_config.hpp"
#include "hub/cli/camera_commands.hpp"
#include "hub/cli/hub_commands.hpp"
#include "hub/cli/printer_commands.hpp"
#include "hub/cli/settlement_commands.hpp"
#include "kiosk/app/kiosk_config.hpp"
#include "platform/config/command_line.hpp"
#include "platform/config/config_reader.hpp"
#include "platform/config/daemon_options.hpp"

#include <functional>
#include <iostream>
#include <map>
#include <string>

namespace {

using namespace encore;

constexpr const char* overview = R"(Encore operator command line.

Commands:
  check-config kioskd|hubd FILE   validate a daemon's config file (exit 2 on problems)
  orders [--state S] [--json]     list the hub's orders and their photos
  photo get HASH [--out FILE]     fetch a stored original photo
  enrol-token --kiosk NAME        print a one-time join token for a new booth
  kiosk list | revoke NAME        list booths, or cut one off at once
  staff add NAME --role ROLE      add a back-office account (desk, shipping, admin)
  staff list | remove NAME        list the accounts, or remove one
  desk queue                      list the paid reorders waiting for the lab
  desk release REORDER            print a paid reorder on the lab printer
  desk cancel REORDER --reason T  cancel a reorder not yet at the lab, refunding it in full
  pay counter                     list the reorders whose guests pay at the counter
  pay confirm REORDER --cash | --voucher CODE   record a payment taken at the counter
  pay refund REORDER --amount CENTS --reason T  give money back through its provider
  pay vouchers issue --value CENTS [--count N] [--event E] [--expires YYYY-MM-DD] [--note T]
                                  issue vouchers for the counter: one code per line, to print
  pay vouchers list [--state S]   list the vouchers (open, redeemed, voided, expired)
  pay vouchers void CODE --reason T   withdraw a voucher that has not paid a reorder
  ship REORDER --carrier C --tracking T   record a printed reorder as shipped
  ship slip REORDER -o FILE       save a reorder's packing slip (PDF)
  ship pack REORDER               mark a printed reorder packed
  print --printer QUEUE FILE      print a JPEG or PDF through CUPS and wait for it
  printer status [QUEUE]          show a print queue's state and jobs (or list the queues)
  printer resume QUEUE            start a stopped print queue and release its held jobs
  camera list                     list the cameras attached by USB, with their ports
  camera info [--port PORT]       show a camera's model, serial, battery and free space
  camera capture --out FILE       take a picture and write the camera's JPEG to FILE
  camera preview [--frames N]     fetch live-view frames and print the frame rate

Run 'encore COMMAND --help' for a command's options.)";

int check_config(int argc, const char* const* argv) {
    platform::CommandLine command_line("encore check-config", "kioskd|hubd FILE",
                                       "Validates a kioskd or hubd config file without starting "
                                       "the daemon. Exits 0 when it is valid, 2 otherwise.");
    command_line.allow_positionals();
    if (const auto exit_code = command_line.parse(argc, argv, 2)) {
        return *exit_code;
    }
    const auto& operands = command_line.positionals();
    if (operands.size() != 2 || (operands[0] != "kioskd" && operands[0] != "hubd")) {
        std::cerr << "encore check-config: expected 'kioskd FILE' or 'hubd FILE'\n";
        return 2;
    }
    const auto& daemon = operands[0];
    const auto& path = operands[1];
    const auto outcome = platform::config::report_config_outcome(daemon, true, [&] {
        const auto json = platform::config::load_json_file(path);
        std::vector<platform::config::Problem> problems;
        platform::config::ObjectReader root(json, "", problems);
        if (daemon == "kioskd") {
            kiosk::KioskConfig config;
            kiosk::read_kiosk_config(root, config);
        } else {
            hub::HubConfig config;
            hub::read_hub_config(root, config);
        }
        root.finish();
        platform::config::throw_if_problems(std::move(problems));
    });
    return outcome.value_or(0);
}

} // namespace

int main(int argc, char** argv) {
    const std::map<std::string, std::function<int(int, const char* const*)>> commands = {
        {"check-config", check_config},
        {"orders", cli::orders_command},
        {"photo", cli::photo_command},
        {"enrol-token", cli::enrol_token_command},
        {"kiosk", cli::kiosk_command},
        {"print", hub::cli::print_command},
        {"printer", hub::cli::printer_command},
        {"camera", hub::cli::camera_command},
        {"staff", cli::staff_command},
        {"desk",
         [](int count, const char* const* arguments) {
             // `desk cancel` moves money, so it lives with the settlement commands.
             return count > 2 && std::string_view(arguments[2]) == "cancel"
                        ? cli::desk_cancel_command(count, arguments)
                        : cli::desk_command(count, arguments);
         }},
        {"pay", cli::pay_command},
        {"ship", cli::ship_command},
    };
    try {
        if (argc < 2) {
            std::cerr << overview << "\n";
            return 2;
        }
        const std::string command = argv[1];
        if (command == "--help" || command == "-h" || command == "help") {
            std::cout << overview << "\n";
            return 0;
        }
        if (command == "--version") {
            platform::CommandLine version_only("encore", "", "");
            return version_only.parse(argc, argv).value_or(0);
        }
        const auto found = commands.find(command);
        if (found == commands.end()) {
            std::cerr << "encore: unknown command '" << command << "'\n\n" << overview << "\n";
            return 2;
        }
        return found->second(argc, argv);
    } catch (const std::exception& error) {
        std::cerr << "encore: " << error.what() << "\n";
        return 1;
    }
}
