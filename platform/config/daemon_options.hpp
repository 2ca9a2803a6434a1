#pragma once

#include "platform/config/command_line.hpp"
#include "platform/config/config_reader.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace encore::platform::config {

// The options both daemons share: --config FILE and --check-config, plus flags that
// override single config keys ("--data DIR" sets "data_dir"). Flags are applied to
// the JSON before it is validated, so a bad flag value gets the same message as a
// bad key in the file.
class DaemonOptions {
public:
    explicit DaemonOptions(CommandLine& command_line);

    // Declares a flag that overrides `key` (dotted path, e.g. "ui.listen").
    void add_override(std::string flag, std::string value_name, std::string key, std::string help);

    // The config file's JSON (or {}) with every given override applied.
    // Throws ConfigError when the file cannot be read or parsed.
    nlohmann::json merged_json() const;

    bool check_only() const { return check_config_; }

private:
    struct Override {
        std::string key;
        std::optional<std::string> value;
    };

    std::optional<std::string> config_path_;
    bool check_config_ = false;
    std::vector<std::unique_ptr<Override>> overrides_;
    CommandLine& command_line_;
};

// Runs `load`; on a ConfigError prints every problem to stderr. Returns the exit code
// to use when the program should stop now: 2 for a bad config, 0 after a successful
// --check-config; nullopt to go on.
std::optional<int> report_config_outcome(const std::string& program, bool check_only,
                                         const std::function<void()>& load);

// Loads a daemon's config with `read` (which fills the typed struct from an
// ObjectReader) and reports the outcome as report_config_outcome() does.
template <typename Config>
std::optional<int> load_daemon_config(const std::string& program, const DaemonOptions& options,
                                      const std::function<void(ObjectReader&, Config&)>& read,
                                      Config& config) {
    return report_config_outcome(program, options.check_only(), [&] {
        const auto json = options.merged_json();
        std::vector<Problem> problems;
        ObjectReader root(json, "", problems);
        read(root, config);
        root.finish();
        throw_if_problems(std::move(problems));
    });
}

} // namespace encore::platform::config
