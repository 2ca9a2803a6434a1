#include "kiosk/imaging/layout.hpp"
#include "platform/config/config_reader.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/imaging/test_images.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace encore::kiosk::imaging;
using namespace encore::kiosk::imaging::testing;
using encore::platform::config::ConfigError;
using encore::platform::config::Problem;
using nlohmann::json;

namespace {

json minimal_layout() {
    return json::parse(R"({
        "print": {"size": "4x6", "orientation": "landscape", "dpi": 300},
        "photos": [{"x": 0, "y": 0, "width": 1200, "height": 1200}],
        "qr": {"x": 1300, "y": 100, "size": 300},
        "code": {"x": 1250, "y": 500, "width": 500, "height": 100}
    })");
}

// The problems parse_layout reports for `document`; empty when it parses.
std::vector<Problem> problems_of(const json& document) {
    try {
        parse_layout(document, "/nonexistent");
        return {};
    } catch (const ConfigError& error) {
        return error.problems();
    }
}

bool has_problem(const std::vector<Problem>& problems, const std::string& key,
                 const std::string& fragment) {
    for (const auto& problem : problems) {
        if (problem.key == key && problem.message.find(fragment) != std::string::npos) {
            return true;
        }
    }
    return false;
}

std::string listed(const std::vector<Problem>& problems) {
    std::string text;
    for (const auto& problem : problems) {
        text += problem.key + ": " + problem.message + "\n";
    }
    return text;
}

} // namespace

TEST_CASE("a minimal layout parses with its defaults") {
    const auto layout = parse_layout(minimal_layout(), "/");
    CHECK(layout.width == 1800);
    CHECK(layout.height == 1200);
    CHECK(layout.dpi == 300);
    CHECK(layout.background == Rgb{255, 255, 255});
    REQUIRE(layout.photos.size() == 1);
    CHECK(layout.photos[0].fit == Fit::cover);
    CHECK(layout.qr == Rect{1300, 100, 300, 300});
    CHECK(layout.code.align == Align::center);
    CHECK(layout.code.scale == 0);
}

TEST_CASE("print size, orientation and dpi give the pixel size") {
    struct Case {
        const char* size;
        const char* orientation;
        int dpi;
        int width;
        int height;
    };
    for (const auto& c :
         {Case{"4x6", "landscape", 300, 1800, 1200}, Case{"4x6", "portrait", 300, 1200, 1800},
          Case{"6x4", "portrait", 300, 1200, 1800}, Case{"2x6", "portrait", 300, 600, 1800},
          Case{"5x7", "landscape", 300, 2100, 1500}, Case{"8x10", "portrait", 300, 2400, 3000},
          Case{"3.5x5", "landscape", 400, 2000, 1400}}) {
        CAPTURE(c.size);
        auto document = minimal_layout();
        document["print"] = {{"size", c.size}, {"orientation", c.orientation}, {"dpi", c.dpi}};
        document["photos"] = json::parse(R"([{"x": 0, "y": 0, "width": 100, "height": 100}])");
        document["qr"] = json::parse(R"({"x": 0, "y": 200, "size": 200})");
        document["code"] = json::parse(R"({"x": 0, "y": 420, "width": 500, "height": 60})");
        const auto layout = parse_layout(document, "/");
        CHECK(layout.width == c.width);
        CHECK(layout.height == c.height);
    }
}

TEST_CASE("unknown keys are errors that name the key and suggest the right one") {
    auto document = minimal_layout();
    document["photos"][0]["widht"] = 5;
    document["backgroud"] = "#000000";
    const auto problems = problems_of(document);
    INFO(listed(problems));
    CHECK(has_problem(problems, "photos[0].widht", "did you mean \"photos[0].width\"?"));
    CHECK(has_problem(problems, "backgroud", "did you mean \"background\"?"));
}

TEST_CASE("bad values are errors that name the key") {
    struct Case {
        const char* pointer;
        json value;
        const char* key;
        const char* fragment;
    };
    const std::vector<Case> cases{
        {"/background", "white", "background", "expected a colour \"#RRGGBB\""},
        {"/background", "#GGHHII", "background", "expected a colour"},
        {"/print/size", "4 by 6", "print.size", "expected the size in inches"},
        {"/print/size", "0x6", "print.size", "each side from 1 to 40 inches"},
        {"/print/orientation", "sideways", "print.orientation", "expected one of"},
        {"/print/dpi", 5000, "print.dpi", "an integer from 72 to 1200"},
        {"/photos/0/fit", "stretch", "photos[0].fit", "expected one of \"cover\", \"contain\""},
        {"/photos/0/width", -3, "photos[0].width", "an integer from 1"},
        {"/photos/0/x", "10", "photos[0].x", "expected an integer"},
        {"/qr/size", 10, "qr.size", "an integer from 50"},
        {"/code/color", "#12345", "code.color", "expected a colour"},
        {"/code/align", "middle", "code.align", "expected one of \"left\", \"center\", \"right\""},
        {"/texts",
         json::parse(R"([{"text": "", "x": 1250, "y": 700, "width": 500, "height": 90}])"),
         "texts[0].text", "got an empty string"},
        {"/code/prefix",
         "C\xc3\x93"
         "DIGO ",
         "code.prefix", "no glyph for byte 195"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.key);
        auto document = minimal_layout();
        document[json::json_pointer(c.pointer)] = c.value;
        const auto problems = problems_of(document);
        INFO(listed(problems));
        CHECK(has_problem(problems, c.key, c.fragment));
    }
}

TEST_CASE("required parts are named when missing") {
    for (const char* key : {"print", "photos", "qr", "code"}) {
        CAPTURE(key);
        auto document = minimal_layout();
        document.erase(key);
        const auto problems = problems_of(document);
        INFO(listed(problems));
        CHECK(has_problem(problems, key, "required"));
    }
    auto document = minimal_layout();
    document["photos"][0].erase("height");
    CHECK(has_problem(problems_of(document), "photos[0].height", "required"));
}

TEST_CASE("one to four photo slots") {
    auto none = minimal_layout();
    none["photos"] = json::array();
    CHECK(has_problem(problems_of(none), "photos", "expected 1 to 4 photo slots, got 0"));
    auto five = minimal_layout();
    five["photos"] = json::array();
    for (int i = 0; i < 5; ++i) {
        five["photos"].push_back({{"x", i * 200}, {"y", 0}, {"width", 100}, {"height", 100}});
    }
    CHECK(has_problem(problems_of(five), "photos", "got 5"));
}

TEST_CASE("rectangles outside the print or overlapping are errors") {
    auto outside = minimal_layout();
    outside["photos"][0]["width"] = 1900;
    const auto outside_problems = problems_of(outside);
    INFO(listed(outside_problems));
    CHECK(has_problem(outside_problems, "photos[0]", "extends past the print (1800x1200"));

    auto overlap = minimal_layout();
    overlap["qr"]["x"] = 1100;
    const auto overlap_problems = problems_of(overlap);
    INFO(listed(overlap_problems));
    CHECK(has_problem(overlap_problems, "qr", "overlaps photos[0]"));
}

TEST_CASE("text the font cannot draw or that does not fit is named") {
    auto document = minimal_layout();
    document["texts"] = json::parse(R"([
        {"text": "OK", "x": 1250, "y": 700, "width": 500, "height": 100},
        {"text": "CAF\u00c9", "x": 1250, "y": 820, "width": 500, "height": 100},
        {"text": "MUCH TOO LONG FOR THIS BOX", "x": 1250, "y": 940, "width": 100, "height": 100},
        {"text": "BIG", "x": 1250, "y": 1060, "width": 500, "height": 100, "scale": 20}
    ])");
    const auto problems = problems_of(document);
    INFO(listed(problems));
    CHECK(problems.size() == 3);
    CHECK(has_problem(problems, "texts[1].text", "no glyph"));
    CHECK(has_problem(problems, "texts[2].text", "needs 155x7 pixels at scale 1"));
    CHECK(has_problem(problems, "texts[3].text", "at scale 20"));
}

TEST_CASE("layout images are resolved against the template's folder and checked") {
    encore::testing::TempDir dir;
    const auto logo = solid_jpeg(40, 20, {0, 0, 255});
    std::ofstream(dir / "logo.jpg", std::ios::binary)
        .write(reinterpret_cast<const char*>(logo.data()), static_cast<long>(logo.size()));
    std::ofstream(dir / "not-a-jpeg.jpg") << "GIF89a";

    auto document = minimal_layout();
    document["images"] = json::parse(R"([{"file": "logo.jpg", "x": 1250, "y": 800,
                                          "width": 500, "height": 300}])");
    std::ofstream(dir / "layout.json") << document.dump(2);
    const auto layout = load_layout(dir / "layout.json");
    REQUIRE(layout.images.size() == 1);
    CHECK(layout.images[0].file == dir / "logo.jpg");
    CHECK(layout.images[0].fit == Fit::contain);

    document["images"][0]["file"] = "missing.jpg";
    document["images"].push_back(
        {{"file", "not-a-jpeg.jpg"}, {"x", 0}, {"y", 0}, {"width", 10}, {"height", 10}});
    try {
        parse_layout(document, dir.path());
        FAIL("expected a ConfigError");
    } catch (const ConfigError& error) {
        INFO(listed(error.problems()));
        CHECK(has_problem(error.problems(), "images[0].file", "cannot read"));
        CHECK(has_problem(error.problems(), "images[1].file", "not a usable JPEG"));
    }
}

TEST_CASE("every shipped template loads") {
    for (const char* name :
         {"single-4x6", "grid-2x2-4x6", "strip-2x6", "single-5x7", "single-8x10"}) {
        CAPTURE(name);
        const auto layout = load_layout(template_directory() / (std::string(name) + ".json"));
        CHECK(layout.name == name);
    }
}

TEST_CASE("a file that is not JSON names the line") {
    encore::testing::TempDir dir;
    std::ofstream(dir / "broken.json") << "{\n  \"print\": {,\n}";
    try {
        load_layout(dir / "broken.json");
        FAIL("expected a ConfigError");
    } catch (const ConfigError& error) {
        CHECK(std::string(error.what()).find("broken.json:2:") != std::string::npos);
    }
}
