#pragma once

#include "platform/config/endpoint.hpp"
#include "platform/log/logger.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// Strict reading of JSON configuration files into typed structs. Every problem names
// the key ("ui.listen") and says what is expected; unknown keys are errors, with a
// suggestion when one looks misspelt.
namespace encore::platform::config {

struct Problem {
    std::string key;
    std::string message;
};

class ConfigError : public std::runtime_error {
public:
    explicit ConfigError(std::vector<Problem> problems);
    // A problem with the file as a whole (unreadable, not JSON).
    explicit ConfigError(const std::string& message);
    const std::vector<Problem>& problems() const { return problems_; }

private:
    std::vector<Problem> problems_;
};

// Reads and parses a JSON file; a syntax error names the file, line and column.
nlohmann::json load_json_file(const std::filesystem::path& path);

// Reads the keys of one JSON object. Each read_* call consumes one key (absent keys
// keep the default already in `out`); finish() reports every key nobody read.
class ObjectReader {
public:
    ObjectReader(const nlohmann::json& object, std::string path, std::vector<Problem>& problems);

    void read(std::string_view key, std::string& out);
    void read(std::string_view key, bool& out);
    void read(std::string_view key, std::filesystem::path& out);
    void read(std::string_view key, Endpoint& out);
    void read(std::string_view key, std::optional<std::string>& out);
    void read(std::string_view key, std::vector<std::string>& out);
    void read(std::string_view key, int& out, int min, int max);
    void read(std::string_view key, LogLevel& out);
    // A string that must be one of `choices`.
    void read_choice(std::string_view key, std::string& out,
                     const std::vector<std::string>& choices);
    // Any value, checked by `parse`, which returns an error message or nullopt.
    void read_custom(std::string_view key,
                     const std::function<std::optional<std::string>(const nlohmann::json&)>& parse);

    // A nested object ("ui": {...}); an absent key gives an empty reader.
    ObjectReader object(std::string_view key);
    // Keys of a nested object that the caller reads itself (for example log categories).
    std::vector<std::string> remaining_keys() const;
    const nlohmann::json* value(std::string_view key);

    // Records every key of this object that was not read as unknown.
    void finish();

    std::string key_path(std::string_view key) const;
    void problem(std::string_view key, std::string message);

private:
    const nlohmann::json* find(std::string_view key, nlohmann::json::value_t expected,
                               std::string_view expected_text);

    const nlohmann::json& object_;
    std::string path_;
    std::vector<Problem>& problems_;
    std::vector<std::string> read_keys_;
    std::vector<std::string> known_keys_;
};

// Reads the shared "log" section: {"level": "info", "categories": {"camera": "debug"}}.
void read_log_settings(ObjectReader& log, LogSettings& out);

// Throws ConfigError when `problems` is not empty.
void throw_if_problems(std::vector<Problem> problems);

} // namespace encore::platform::config
