#include "platform/config/config_reader.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace encore::platform::config {
namespace {

std::string join_problems(const std::vector<Problem>& problems) {
    std::string text;
    for (const auto& problem : problems) {
        if (!text.empty()) {
            text += '\n';
        }
        text +=
            problem.key.empty() ? problem.message : "\"" + problem.key + "\": " + problem.message;
    }
    return text;
}

std::string_view type_name(const nlohmann::json& value) {
    switch (value.type()) {
    case nlohmann::json::value_t::null:
        return "null";
    case nlohmann::json::value_t::boolean:
        return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
        return "an integer";
    case nlohmann::json::value_t::number_float:
        return "a number";
    case nlohmann::json::value_t::string:
        return "a string";
    case nlohmann::json::value_t::array:
        return "a list";
    case nlohmann::json::value_t::object:
        return "an object";
    default:
        return "an unsupported value";
    }
}

// Levenshtein distance, to suggest the key that was probably meant.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] =
                std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

const nlohmann::json& empty_object() {
    static const nlohmann::json empty = nlohmann::json::object();
    return empty;
}

} // namespace

ConfigError::ConfigError(std::vector<Problem> problems)
    : std::runtime_error(join_problems(problems))
    , problems_(std::move(problems)) {}

ConfigError::ConfigError(const std::string& message)
    : ConfigError(std::vector<Problem>{{"", message}}) {}

void throw_if_problems(std::vector<Problem> problems) {
    if (!problems.empty()) {
        throw ConfigError(std::move(problems));
    }
}

nlohmann::json load_json_file(const std::filesystem::path& path) {
    std::ifstream file(path);
    if (!file) {
        throw ConfigError("cannot read config file " + path.string() +
                          ": check the path and its permissions");
    }
    std::stringstream text;
    text << file.rdbuf();
    try {
        return nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::parse_error& error) {
        // nlohmann reports a byte offset; turn it into line and column for a person.
        const std::string content = text.str();
        const auto offset = std::min<std::size_t>(error.byte, content.size());
        const auto line =
            1 + std::count(content.begin(), content.begin() + static_cast<long>(offset), '\n');
        const auto line_start = content.rfind('\n', offset == 0 ? 0 : offset - 1);
        const auto column = line_start == std::string::npos ? offset : offset - line_start - 1;
        throw ConfigError(
            path.string() + ":" + std::to_string(line) + ":" + std::to_string(column) +
            ": not valid JSON (" +
            std::string(error.what()).substr(std::string(error.what()).rfind(':') + 2) + ")");
    }
}

ObjectReader::ObjectReader(const nlohmann::json& object, std::string path,
                           std::vector<Problem>& problems)
    : object_(object.is_object() ? object : empty_object())
    , path_(std::move(path))
    , problems_(problems) {
    if (!object.is_object() && !object.is_null()) {
        problems_.push_back(
            {path_, std::string("expected an object, got ") + std::string(type_name(object))});
    }
}

std::string ObjectReader::key_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void ObjectReader::problem(std::string_view key, std::string message) {
    problems_.push_back({key_path(key), std::move(message)});
}

const nlohmann::json* ObjectReader::value(std::string_view key) {
    known_keys_.emplace_back(key);
    const auto found = object_.find(key);
    if (found == object_.end()) {
        return nullptr;
    }
    read_keys_.emplace_back(key);
    return &*found;
}

const nlohmann::json* ObjectReader::find(std::string_view key, nlohmann::json::value_t expected,
                                         std::string_view expected_text) {
    const auto* found = value(key);
    if (found == nullptr) {
        return nullptr;
    }
    const bool integer_ok =
        expected == nlohmann::json::value_t::number_integer && found->is_number_integer();
    if (found->type() != expected && !integer_ok) {
        problem(key, "expected " + std::string(expected_text) + ", got " +
                         std::string(type_name(*found)));
        return nullptr;
    }
    return found;
}

void ObjectReader::read(std::string_view key, std::string& out) {
    if (const auto* found = find(key, nlohmann::json::value_t::string, "a string")) {
        out = found->get<std::string>();
    }
}

void ObjectReader::read(std::string_view key, std::optional<std::string>& out) {
    const auto* found = value(key);
    if (found == nullptr || found->is_null()) {
        return;
    }
    if (!found->is_string()) {
        problem(key, "expected a string or null, got " + std::string(type_name(*found)));
        return;
    }
    out = found->get<std::string>();
}

void ObjectReader::read(std::string_view key, bool& out) {
    if (const auto* found = find(key, nlohmann::json::value_t::boolean, "true or false")) {
        out = found->get<bool>();
    }
}

void ObjectReader::read(std::string_view key, std::filesystem::path& out) {
    if (const auto* found = find(key, nlohmann::json::value_t::string, "a path (string)")) {
        const auto text = found->get<std::string>();
        if (text.empty()) {
            problem(key, "expected a path, got an empty string");
            return;
        }
        out = text;
    }
}

void ObjectReader::read(std::string_view key, Endpoint& out) {
    if (const auto* found = find(key, nlohmann::json::value_t::string, "\"HOST:PORT\"")) {
        const auto text = found->get<std::string>();
        if (const auto endpoint = parse_endpoint(text)) {
            out = *endpoint;
        } else {
            problem(key, "expected \"HOST:PORT\" with a port from 0 to 65535 (for example "
                         "\"127.0.0.1:8080\"), got \"" +
                             text + "\"");
        }
    }
}

void ObjectReader::read(std::string_view key, std::vector<std::string>& out) {
    if (const auto* found = find(key, nlohmann::json::value_t::array, "a list of strings")) {
        std::vector<std::string> values;
        for (const auto& item : *found) {
            if (!item.is_string()) {
                problem(key, "expected a list of strings, found " + std::string(type_name(item)));
                return;
            }
            values.push_back(item.get<std::string>());
        }
        out = std::move(values);
    }
}

void ObjectReader::read(std::string_view key, int& out, int min, int max) {
    const std::string expected =
        "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    if (const auto* found = find(key, nlohmann::json::value_t::number_integer, expected)) {
        const auto number = found->get<long long>();
        if (number < min || number > max) {
            problem(key, "expected " + expected + ", got " + std::to_string(number));
            return;
        }
        out = static_cast<int>(number);
    }
}

void ObjectReader::read(std::string_view key, LogLevel& out) {
    std::string name;
    const auto* found = find(key, nlohmann::json::value_t::string,
                             "one of \"debug\", \"info\", \"warning\", \"error\", \"off\"");
    if (found == nullptr) {
        return;
    }
    name = found->get<std::string>();
    if (const auto level = parse_log_level(name)) {
        out = *level;
    } else {
        problem(key,
                "expected one of \"debug\", \"info\", \"warning\", \"error\", \"off\", got \"" +
                    name + "\"");
    }
}

void ObjectReader::read_choice(std::string_view key, std::string& out,
                               const std::vector<std::string>& choices) {
    std::string listed;
    for (const auto& choice : choices) {
        listed += (listed.empty() ? "\"" : ", \"") + choice + "\"";
    }
    const auto* found = find(key, nlohmann::json::value_t::string, "one of " + listed);
    if (found == nullptr) {
        return;
    }
    const auto text = found->get<std::string>();
    if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
        problem(key, "expected one of " + listed + ", got \"" + text + "\"");
        return;
    }
    out = text;
}

void ObjectReader::read_custom(
    std::string_view key,
    const std::function<std::optional<std::string>(const nlohmann::json&)>& parse) {
    if (const auto* found = value(key)) {
        if (auto message = parse(*found)) {
            problem(key, std::move(*message));
        }
    }
}

ObjectReader ObjectReader::object(std::string_view key) {
    const auto* found = value(key);
    return ObjectReader(found != nullptr ? *found : empty_object(), key_path(key), problems_);
}

std::vector<std::string> ObjectReader::remaining_keys() const {
    std::vector<std::string> keys;
    for (const auto& item : object_.items()) {
        if (std::find(read_keys_.begin(), read_keys_.end(), item.key()) == read_keys_.end()) {
            keys.push_back(item.key());
        }
    }
    return keys;
}

void ObjectReader::finish() {
    for (const auto& key : remaining_keys()) {
        std::string message = "unknown key";
        const std::string* best = nullptr;
        std::size_t best_distance = 3; // Suggest only close misspellings.
        for (const auto& known : known_keys_) {
            const auto distance = edit_distance(key, known);
            if (distance < best_distance) {
                best_distance = distance;
                best = &known;
            }
        }
        if (best != nullptr) {
            message += "; did you mean \"" + key_path(*best) + "\"?";
        } else {
            std::string listed;
            for (const auto& known : known_keys_) {
                listed += (listed.empty() ? "\"" : ", \"") + known + "\"";
            }
            message +=
                listed.empty() ? "; this section takes no keys" : "; expected one of " + listed;
        }
        problem(key, message);
    }
}

void read_log_settings(ObjectReader& log, LogSettings& out) {
    log.read("level", out.level);
    auto categories = log.object("categories");
    for (const auto& category : categories.remaining_keys()) {
        LogLevel level = out.level;
        categories.read(category, level);
        out.categories[category] = level;
    }
    categories.finish();
    log.finish();
}

} // namespace encore::platform::config
