#include "platform/config/daemon_options.hpp"

#include <iostream>

namespace encore::platform::config {

DaemonOptions::DaemonOptions(CommandLine& command_line)
    : command_line_(command_line) {
    command_line_.add_option("config", "FILE", "read settings from this JSON file", config_path_);
    command_line_.add_flag("check-config", "validate the settings, report problems and exit",
                           check_config_);
}

void DaemonOptions::add_override(std::string flag, std::string value_name, std::string key,
                                 std::string help) {
    overrides_.push_back(std::make_unique<Override>(Override{key, std::nullopt}));
    command_line_.add_option(std::move(flag), std::move(value_name),
                             help + " (config key \"" + key + "\")", overrides_.back()->value);
}

nlohmann::json DaemonOptions::merged_json() const {
    nlohmann::json json = config_path_ ? load_json_file(*config_path_) : nlohmann::json::object();
    if (!json.is_object()) {
        throw ConfigError(std::string("the config file must hold a JSON object ({...})"));
    }
    for (const auto& override_flag : overrides_) {
        if (!override_flag->value) {
            continue;
        }
        nlohmann::json* node = &json;
        std::string_view rest = override_flag->key;
        for (auto dot = rest.find('.'); dot != std::string_view::npos; dot = rest.find('.')) {
            auto& child = (*node)[std::string(rest.substr(0, dot))];
            if (!child.is_object()) {
                child = nlohmann::json::object();
            }
            node = &child;
            rest.remove_prefix(dot + 1);
        }
        (*node)[std::string(rest)] = *override_flag->value;
    }
    return json;
}

std::optional<int> report_config_outcome(const std::string& program, bool check_only,
                                         const std::function<void()>& load) {
    try {
        load();
    } catch (const ConfigError& error) {
        std::cerr << program << ": invalid configuration:\n";
        for (const auto& problem : error.problems()) {
            std::cerr << "  " << (problem.key.empty() ? "" : "\"" + problem.key + "\": ")
                      << problem.message << "\n";
        }
        return 2;
    }
    if (check_only) {
        std::cout << program << ": configuration OK\n";
        return 0;
    }
    return std::nullopt;
}

} // namespace encore::platform::config
