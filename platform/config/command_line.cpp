#include "platform/config/command_line.hpp"

#include "platform/version.hpp"

#include <algorithm>
#include <iostream>
#include <string_view>

namespace encore::platform {

CommandLine::CommandLine(std::string program, std::string usage, std::string description)
    : program_(std::move(program))
    , usage_(std::move(usage))
    , description_(std::move(description)) {}

void CommandLine::add_flag(std::string name, std::string help, bool& out) {
    options_.push_back({std::move(name), "", std::move(help), &out, nullptr, nullptr});
}

void CommandLine::add_option(std::string name, std::string value_name, std::string help,
                             std::optional<std::string>& out) {
    options_.push_back(
        {std::move(name), std::move(value_name), std::move(help), nullptr, &out, nullptr});
}

void CommandLine::add_list(std::string name, std::string value_name, std::string help,
                           std::vector<std::string>& out) {
    options_.push_back(
        {std::move(name), std::move(value_name), std::move(help), nullptr, nullptr, &out});
}

std::string CommandLine::help() const {
    std::string text =
        "Usage: " + program_ + " " + usage_ + "\n\n" + description_ + "\n\nOptions:\n";
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& option : options_) {
        std::string left = "--" + option.name;
        if (!option.value_name.empty()) {
            left += " " + option.value_name;
        }
        rows.emplace_back(left, option.help);
    }
    rows.emplace_back("--help", "show this help and exit");
    rows.emplace_back("--version", "show the version and exit");
    std::size_t width = 0;
    for (const auto& row : rows) {
        width = std::max(width, row.first.size());
    }
    for (const auto& [left, right] : rows) {
        text += "  " + left + std::string(width - left.size() + 2, ' ') + right + "\n";
    }
    return text;
}

std::optional<int> CommandLine::usage_error(const std::string& message) const {
    std::cerr << program_ << ": " << message << "\nTry '" << program_ << " --help'.\n";
    return 2;
}

std::optional<int> CommandLine::parse(int argc, const char* const* argv, int first) {
    for (int index = first; index < argc; ++index) {
        const std::string_view argument = argv[index];
        if (argument == "--help" || argument == "-h") {
            std::cout << help();
            return 0;
        }
        if (argument == "--version") {
            std::cout << program_ << " " << version << "\n";
            return 0;
        }
        if (argument == "--") {
            for (++index; index < argc; ++index) {
                positionals_.emplace_back(argv[index]);
            }
            break;
        }
        if (!argument.starts_with("--")) {
            if (!allow_positionals_ || (argument.starts_with('-') && argument.size() > 1)) {
                return usage_error("unexpected argument '" + std::string(argument) + "'");
            }
            positionals_.emplace_back(argument);
            continue;
        }
        const auto equals = argument.find('=');
        const std::string name(
            argument.substr(2, equals == std::string_view::npos ? argument.npos : equals - 2));
        const auto found = std::find_if(options_.begin(), options_.end(),
                                        [&](const Option& option) { return option.name == name; });
        if (found == options_.end()) {
            return usage_error("unknown option '--" + name + "'");
        }
        if (found->flag != nullptr) {
            if (equals != std::string_view::npos) {
                return usage_error("option '--" + name + "' takes no value");
            }
            *found->flag = true;
            continue;
        }
        std::string value;
        if (equals != std::string_view::npos) {
            value = std::string(argument.substr(equals + 1));
        } else if (index + 1 < argc) {
            value = argv[++index];
        } else {
            return usage_error("option '--" + name + "' needs a value (" + found->value_name + ")");
        }
        if (found->value != nullptr) {
            *found->value = std::move(value);
        } else {
            found->list->push_back(std::move(value));
        }
    }
    return std::nullopt;
}

} // namespace encore::platform
