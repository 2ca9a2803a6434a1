#include "kiosk/imaging/layout.hpp"

#include "kiosk/imaging/jpeg.hpp"
#include "platform/config/config_reader.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <span>

namespace encore::kiosk::imaging {
namespace {

using nlohmann::json;
using platform::config::ObjectReader;
using platform::config::Problem;

constexpr int max_position = max_image_dimension;
constexpr int max_text_scale = 64;
// Anything smaller cannot hold even a short URL at qr_min_module_pixels.
constexpr int min_qr_size = 50;

std::optional<std::string> parse_colour(const json& value, Rgb& out) {
    const auto invalid = [&] {
        return std::optional<std::string>("expected a colour \"#RRGGBB\" (for example "
                                          "\"#FFFFFF\" for white), got " +
                                          value.dump());
    };
    if (!value.is_string()) {
        return invalid();
    }
    const auto text = value.get<std::string>();
    if (text.size() != 7 || text[0] != '#') {
        return invalid();
    }
    std::uint8_t parts[3];
    for (int i = 0; i < 3; ++i) {
        const char* begin = text.data() + 1 + 2 * i;
        unsigned part = 0;
        const auto [end, error] = std::from_chars(begin, begin + 2, part, 16);
        if (error != std::errc() || end != begin + 2) {
            return invalid();
        }
        parts[i] = static_cast<std::uint8_t>(part);
    }
    out = {parts[0], parts[1], parts[2]};
    return std::nullopt;
}

std::string describe(const Rect& rect) {
    return std::to_string(rect.width) + "x" + std::to_string(rect.height) + " at (" +
           std::to_string(rect.x) + ", " + std::to_string(rect.y) + ")";
}

// Reads the layout; every problem lands in `problems`, nothing throws.
class LayoutReader {
public:
    LayoutReader(const std::filesystem::path& base_directory, std::vector<Problem>& problems)
        : base_directory_(base_directory)
        , problems_(problems) {}

    Layout read(const json& document) {
        Layout layout;
        ObjectReader root(document, "", problems_);
        root.read("name", layout.name);
        std::string description;
        root.read("description", description);
        read_print(root, document, layout);
        root.read_custom("background",
                         [&](const json& value) { return parse_colour(value, layout.background); });
        read_list(root, "images", false, [&](ObjectReader& item, const json& object) {
            ImageItem image;
            item.read("file", image.file);
            require(item, object, "file", "a path to a JPEG file");
            image.rect = read_rect(item, object);
            image.fit = read_fit(item, Fit::contain);
            check_image_file(item, image);
            layout.images.push_back(std::move(image));
        });
        const auto photos =
            read_list(root, "photos", true, [&](ObjectReader& item, const json& object) {
                PhotoSlot slot;
                slot.rect = read_rect(item, object);
                slot.fit = read_fit(item, Fit::cover);
                layout.photos.push_back(slot);
            });
        if (photos && (*photos < min_photo_slots || *photos > max_photo_slots)) {
            root.problem("photos", "expected " + std::to_string(min_photo_slots) + " to " +
                                       std::to_string(max_photo_slots) + " photo slots, got " +
                                       std::to_string(*photos));
        }
        read_list(root, "texts", false, [&](ObjectReader& item, const json& object) {
            TextItem text;
            item.read("text", text.text);
            require(item, object, "text", "a string");
            text.rect = read_rect(item, object);
            item.read_custom("color",
                             [&](const json& value) { return parse_colour(value, text.colour); });
            text.align = read_align(item);
            item.read("scale", text.scale, 1, max_text_scale);
            if (text.text.empty() && object.contains("text")) {
                item.problem("text", "expected some text, got an empty string");
            }
            check_text(item, "text", text.text, text.rect, text.scale);
            layout.texts.push_back(std::move(text));
        });
        {
            auto qr = root.object("qr");
            const json& object = member(document, "qr");
            require(root, document, "qr", "an object with \"x\", \"y\" and \"size\"");
            qr.read("x", layout.qr.x, 0, max_position);
            require(qr, object, "x", "an integer");
            qr.read("y", layout.qr.y, 0, max_position);
            require(qr, object, "y", "an integer");
            int size = 0;
            qr.read("size", size, min_qr_size, max_position);
            require(qr, object, "size", "an integer (the side of the square in pixels)");
            layout.qr.width = size;
            layout.qr.height = size;
            qr.finish();
        }
        {
            auto code = root.object("code");
            const json& object = member(document, "code");
            require(root, document, "code", "an object with the code's rectangle");
            layout.code.rect = read_rect(code, object);
            code.read_custom("color", [&](const json& value) {
                return parse_colour(value, layout.code.colour);
            });
            layout.code.align = read_align(code);
            code.read("scale", layout.code.scale, 1, max_text_scale);
            code.read("prefix", layout.code.prefix);
            if (const auto missing = first_unsupported(layout.code.prefix)) {
                code.problem("prefix", no_glyph(*missing));
            }
            code.finish();
        }
        root.finish();
        if (layout.width > 0 && layout.height > 0) {
            check_geometry(layout);
        }
        return layout;
    }

private:
    static const json& member(const json& object, std::string_view key) {
        static const json absent;
        if (!object.is_object()) {
            return absent;
        }
        const auto found = object.find(key);
        return found == object.end() ? absent : *found;
    }

    // Call after reading `key`, so the reader already knows the key for its spelling
    // suggestions.
    static void require(ObjectReader& reader, const json& object, std::string_view key,
                        std::string_view expected) {
        if (object.is_object() && !object.contains(key)) {
            reader.problem(key, "required: expected " + std::string(expected));
        }
    }

    static std::string no_glyph(char character) {
        const auto code = static_cast<unsigned>(static_cast<unsigned char>(character));
        return "the built-in font has no glyph for " +
               (code >= 0x20 && code < 0x7F ? "'" + std::string(1, character) + "'"
                                            : "byte " + std::to_string(code)) +
               "; it draws A-Z, 0-9 and - . , : ; ! ? ' \" & / # + ( ) @ _ * = < > % $";
    }

    void read_print(ObjectReader& root, const json& document, Layout& layout) {
        auto print = root.object("print");
        require(root, document, "print", "an object with \"size\", \"orientation\" and \"dpi\"");
        const json& object = member(document, "print");
        std::optional<std::pair<double, double>> inches;
        print.read_custom("size", [&](const json& value) -> std::optional<std::string> {
            const std::string expected =
                "expected the size in inches as \"WxH\" (for example \"4x6\"), got " + value.dump();
            if (!value.is_string()) {
                return expected;
            }
            const auto text = value.get<std::string>();
            const auto separator = text.find('x');
            if (separator == std::string::npos) {
                return expected;
            }
            double a = 0;
            double b = 0;
            const char* end = text.data() + text.size();
            const auto first = std::from_chars(text.data(), text.data() + separator, a);
            const auto second = std::from_chars(text.data() + separator + 1, end, b);
            if (first.ec != std::errc() || first.ptr != text.data() + separator ||
                second.ec != std::errc() || second.ptr != end || !(a >= 1 && a <= 40) ||
                !(b >= 1 && b <= 40)) {
                return expected + " (each side from 1 to 40 inches)";
            }
            inches = std::pair{a, b};
            return std::nullopt;
        });
        require(print, object, "size", "the size in inches as \"WxH\", for example \"4x6\"");
        std::string orientation;
        print.read_choice("orientation", orientation, {"landscape", "portrait"});
        require(print, object, "orientation", "\"landscape\" or \"portrait\"");
        print.read("dpi", layout.dpi, 72, 1200);
        print.finish();
        if (!inches || orientation.empty()) {
            return;
        }
        const double long_side = std::max(inches->first, inches->second);
        const double short_side = std::min(inches->first, inches->second);
        layout.width_inches = orientation == "landscape" ? long_side : short_side;
        layout.height_inches = orientation == "landscape" ? short_side : long_side;
        const auto width = std::lround(layout.width_inches * layout.dpi);
        const auto height = std::lround(layout.height_inches * layout.dpi);
        if (width > max_image_dimension || height > max_image_dimension ||
            static_cast<std::int64_t>(width) * height > max_image_pixels) {
            root.problem("print", "the print would be " + std::to_string(width) + "x" +
                                      std::to_string(height) +
                                      " pixels, above the limit; lower \"dpi\"");
            return;
        }
        layout.width = static_cast<int>(width);
        layout.height = static_cast<int>(height);
    }

    // Reads a list of objects; returns its length, or nullopt when absent or not a list.
    template <typename ReadItem>
    std::optional<int> read_list(ObjectReader& root, std::string_view key, bool required,
                                 ReadItem read_item) {
        const json* list = root.value(key);
        if (list == nullptr) {
            if (required) {
                root.problem(key, "required: expected a list of objects");
            }
            return std::nullopt;
        }
        if (!list->is_array()) {
            root.problem(key, "expected a list of objects, got " + list->dump());
            return std::nullopt;
        }
        int index = 0;
        for (const auto& object : *list) {
            const std::string path = root.key_path(key) + "[" + std::to_string(index++) + "]";
            ObjectReader item(object, path, problems_);
            if (object.is_object()) {
                read_item(item, object);
            }
            item.finish();
            item_paths_[std::string(key)].push_back(path);
        }
        return static_cast<int>(list->size());
    }

    static Rect read_rect(ObjectReader& item, const json& object) {
        Rect rect;
        item.read("x", rect.x, 0, max_position);
        require(item, object, "x", "an integer");
        item.read("y", rect.y, 0, max_position);
        require(item, object, "y", "an integer");
        item.read("width", rect.width, 1, max_position);
        require(item, object, "width", "an integer");
        item.read("height", rect.height, 1, max_position);
        require(item, object, "height", "an integer");
        return rect;
    }

    static Fit read_fit(ObjectReader& item, Fit fallback) {
        std::string fit = fallback == Fit::cover ? "cover" : "contain";
        item.read_choice("fit", fit, {"cover", "contain"});
        return fit == "cover" ? Fit::cover : Fit::contain;
    }

    static Align read_align(ObjectReader& item) {
        std::string align = "center";
        item.read_choice("align", align, {"left", "center", "right"});
        return align == "left" ? Align::left : align == "right" ? Align::right : Align::center;
    }

    static void check_text(ObjectReader& item, std::string_view key, const std::string& text,
                           const Rect& rect, int scale) {
        if (text.empty()) {
            return;
        }
        if (const auto missing = first_unsupported(text)) {
            item.problem(key, no_glyph(*missing));
            return;
        }
        if (rect.empty()) {
            return;
        }
        const Size needed = text_size(text, scale == 0 ? 1 : scale);
        if (needed.width > rect.width || needed.height > rect.height) {
            item.problem(key, "\"" + text + "\" needs " + std::to_string(needed.width) + "x" +
                                  std::to_string(needed.height) + " pixels at scale " +
                                  std::to_string(scale == 0 ? 1 : scale) +
                                  " but its rectangle is " + std::to_string(rect.width) + "x" +
                                  std::to_string(rect.height));
        }
    }

    void check_image_file(ObjectReader& item, ImageItem& image) {
        if (image.file.empty()) {
            return;
        }
        if (image.file.is_relative()) {
            image.file = base_directory_ / image.file;
        }
        std::ifstream file(image.file, std::ios::binary);
        if (!file) {
            item.problem("file", "cannot read " + image.file.string() +
                                     ": check the path (relative paths start at the template's "
                                     "folder) and its permissions");
            return;
        }
        const std::vector<char> bytes((std::istreambuf_iterator<char>(file)),
                                      std::istreambuf_iterator<char>());
        const auto info = read_jpeg_info(std::as_bytes(std::span(bytes)));
        if (!info) {
            item.problem("file",
                         image.file.string() + " is not a usable JPEG: " + info.error().message);
        }
    }

    void check_inside(const Layout& layout, const std::string& path, const Rect& rect) {
        if (!rect.empty() && !Rect{0, 0, layout.width, layout.height}.contains(rect)) {
            problems_.push_back({path, "the rectangle " + describe(rect) +
                                           " extends past the print (" +
                                           std::to_string(layout.width) + "x" +
                                           std::to_string(layout.height) + " pixels)"});
        }
    }

    void check_geometry(const Layout& layout) {
        const auto paths = [&](const char* key, std::size_t index) {
            const auto& list = item_paths_[key];
            return index < list.size() ? list[index] : std::string(key);
        };
        for (std::size_t i = 0; i < layout.images.size(); ++i) {
            check_inside(layout, paths("images", i), layout.images[i].rect);
        }
        // Photos, texts, the QR code and the code are drawn on top of each other in
        // that order; none may hide another.
        std::vector<std::pair<std::string, Rect>> items;
        for (std::size_t i = 0; i < layout.photos.size(); ++i) {
            items.emplace_back(paths("photos", i), layout.photos[i].rect);
        }
        for (std::size_t i = 0; i < layout.texts.size(); ++i) {
            items.emplace_back(paths("texts", i), layout.texts[i].rect);
        }
        items.emplace_back("qr", layout.qr);
        items.emplace_back("code", layout.code.rect);
        for (std::size_t i = 0; i < items.size(); ++i) {
            check_inside(layout, items[i].first, items[i].second);
            for (std::size_t j = 0; j < i; ++j) {
                if (!items[i].second.empty() && !items[j].second.empty() &&
                    items[i].second.intersects(items[j].second)) {
                    problems_.push_back({items[i].first, "the rectangle " +
                                                             describe(items[i].second) +
                                                             " overlaps " + items[j].first + " (" +
                                                             describe(items[j].second) + ")"});
                }
            }
        }
    }

    std::filesystem::path base_directory_;
    std::vector<Problem>& problems_;
    std::map<std::string, std::vector<std::string>> item_paths_;
};

} // namespace

Layout parse_layout(const nlohmann::json& document, const std::filesystem::path& base_directory) {
    std::vector<Problem> problems;
    if (!document.is_object()) {
        problems.push_back({"", "a layout template must be a JSON object"});
        platform::config::throw_if_problems(std::move(problems));
    }
    LayoutReader reader(base_directory, problems);
    Layout layout = reader.read(document);
    platform::config::throw_if_problems(std::move(problems));
    return layout;
}

Layout load_layout(const std::filesystem::path& file) {
    const auto document = platform::config::load_json_file(file);
    return parse_layout(document, file.parent_path());
}

} // namespace encore::kiosk::imaging
