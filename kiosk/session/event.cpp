#include "kiosk/session/event.hpp"

#include "platform/config/config_reader.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace encore::kiosk::session {

namespace config = platform::config;
using json = nlohmann::json;

namespace {

constexpr int max_copies = 20;
constexpr int min_timeout_seconds = 5;
constexpr int max_timeout_seconds = 3600;

void read_timeout(config::ObjectReader& timeouts, std::string_view key,
                  std::chrono::milliseconds& out) {
    auto seconds = static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(out).count());
    timeouts.read(key, seconds, min_timeout_seconds, max_timeout_seconds);
    out = std::chrono::seconds(seconds);
}

bool all_digits(const std::string& text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

EventSettings parse_event(const json& document, const std::filesystem::path& base_directory) {
    std::vector<config::Problem> problems;
    EventSettings event;
    config::ObjectReader root(document, "", problems);

    root.read("name", event.name);
    if (event.name.empty()) {
        root.problem("name", "expected the event's name, got an empty string");
    }

    if (root.value("layout") == nullptr) {
        root.problem("layout", "required: the layout template of the prints");
    }
    root.read("layout", event.layout_file);
    if (!event.layout_file.empty()) {
        if (event.layout_file.is_relative()) {
            event.layout_file = base_directory / event.layout_file;
        }
        try {
            event.layout = imaging::load_layout(event.layout_file);
            event.shots = static_cast<int>(event.layout.photos.size());
        } catch (const config::ConfigError& error) {
            root.problem("layout", event.layout_file.string() + ": " + error.what());
        }
    }

    root.read("countdown_seconds", event.countdown_seconds, 0, 10);
    root.read("max_retakes", event.max_retakes, 0, 10);

    auto copies = root.object("copies");
    copies.read("min", event.copies.min, 1, max_copies);
    copies.read("max", event.copies.max, 1, max_copies);
    bool default_given = copies.value("default") != nullptr;
    event.copies.default_copies = event.copies.min;
    copies.read("default", event.copies.default_copies, 1, max_copies);
    copies.finish();
    if (event.copies.max < event.copies.min) {
        copies.problem("max",
                       "must not be below copies.min (" + std::to_string(event.copies.min) + ")");
    } else if (default_given && (event.copies.default_copies < event.copies.min ||
                                 event.copies.default_copies > event.copies.max)) {
        copies.problem("default", "must lie between copies.min and copies.max (" +
                                      std::to_string(event.copies.min) + " to " +
                                      std::to_string(event.copies.max) + ")");
    }

    auto timeouts = root.object("timeouts");
    read_timeout(timeouts, "countdown", event.timeouts.countdown);
    read_timeout(timeouts, "capture", event.timeouts.capture);
    read_timeout(timeouts, "review", event.timeouts.review);
    read_timeout(timeouts, "copies", event.timeouts.copies);
    read_timeout(timeouts, "printing", event.timeouts.printing);
    read_timeout(timeouts, "code", event.timeouts.code);
    timeouts.finish();

    root.read("languages", event.languages);
    if (event.languages.empty()) {
        root.problem("languages", "expected at least one language");
    }
    for (std::size_t index = 0; index < event.languages.size(); ++index) {
        const auto& language = event.languages[index];
        if (std::find(supported_languages.begin(), supported_languages.end(), language) ==
            supported_languages.end()) {
            root.problem("languages[" + std::to_string(index) + "]",
                         "\"" + language + "\" is not one of en, de, fr, es, ja");
        } else if (std::find(event.languages.begin(),
                             event.languages.begin() + static_cast<std::ptrdiff_t>(index),
                             language) !=
                   event.languages.begin() + static_cast<std::ptrdiff_t>(index)) {
            root.problem("languages[" + std::to_string(index) + "]",
                         "\"" + language + "\" is listed twice");
        }
    }
    event.default_language = event.languages.empty() ? "en" : event.languages.front();
    root.read("default_language", event.default_language);
    if (!event.languages.empty() && std::find(event.languages.begin(), event.languages.end(),
                                              event.default_language) == event.languages.end()) {
        root.problem("default_language",
                     "\"" + event.default_language + "\" is not in \"languages\"");
    }

    if (root.value("operator_pin") == nullptr) {
        root.problem("operator_pin", "required: 4 to 12 digits that open the operator screen");
    }
    root.read("operator_pin", event.operator_pin);
    if (root.value("operator_pin") != nullptr &&
        (event.operator_pin.size() < 4 || event.operator_pin.size() > 12 ||
         !all_digits(event.operator_pin))) {
        root.problem("operator_pin", "expected 4 to 12 digits");
    }

    root.finish();
    config::throw_if_problems(std::move(problems));
    return event;
}

EventSettings load_event(const std::filesystem::path& file) {
    const auto document = config::load_json_file(file);
    try {
        return parse_event(document, file.parent_path());
    } catch (const config::ConfigError& error) {
        // Name the file in every problem, as a person fixing it needs to know which one.
        auto problems = error.problems();
        for (auto& problem : problems) {
            problem.key = problem.key.empty() ? file.string() : file.string() + ": " + problem.key;
        }
        throw config::ConfigError(std::move(problems));
    }
}

json describe_event(const EventSettings& event) {
    using std::chrono::duration_cast;
    using std::chrono::seconds;
    const auto in_seconds = [](std::chrono::milliseconds value) {
        return duration_cast<seconds>(value).count();
    };
    return {
        {"name", event.name},
        {"layout", {{"file", event.layout_file.string()}, {"name", event.layout.name}}},
        {"shots", event.shots},
        {"countdown_seconds", event.countdown_seconds},
        {"max_retakes", event.max_retakes},
        {"copies",
         {{"min", event.copies.min},
          {"max", event.copies.max},
          {"default", event.copies.default_copies}}},
        {"timeouts",
         {{"countdown", in_seconds(event.timeouts.countdown)},
          {"capture", in_seconds(event.timeouts.capture)},
          {"review", in_seconds(event.timeouts.review)},
          {"copies", in_seconds(event.timeouts.copies)},
          {"printing", in_seconds(event.timeouts.printing)},
          {"code", in_seconds(event.timeouts.code)}}},
        {"languages", event.languages},
        {"default_language", event.default_language},
    };
}

} // namespace encore::kiosk::session
