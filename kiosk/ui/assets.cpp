#include "kiosk/ui/assets.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace encore::kiosk::ui {

std::string_view content_type_for(std::string_view path) {
    const auto dot = path.rfind('.');
    const auto extension = dot == std::string_view::npos ? std::string_view() : path.substr(dot);
    if (extension == ".html") {
        return "text/html; charset=utf-8";
    }
    if (extension == ".css") {
        return "text/css; charset=utf-8";
    }
    if (extension == ".js") {
        return "text/javascript; charset=utf-8";
    }
    if (extension == ".json") {
        return "application/json";
    }
    if (extension == ".svg") {
        return "image/svg+xml";
    }
    if (extension == ".png") {
        return "image/png";
    }
    if (extension == ".jpg" || extension == ".jpeg") {
        return "image/jpeg";
    }
    if (extension == ".woff2") {
        return "font/woff2";
    }
    return "application/octet-stream";
}

AssetSource::AssetSource(std::filesystem::path directory)
    : directory_(std::move(directory)) {}

namespace {

bool safe_path(std::string_view path) {
    if (path.empty() || path.front() != '/' || path.find("..") != std::string_view::npos ||
        path.find("/.") != std::string_view::npos || path.find("//") != std::string_view::npos) {
        return false;
    }
    return std::all_of(path.begin(), path.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-' || c == '/';
    });
}

} // namespace

std::optional<std::string> AssetSource::load(std::string_view path) const {
    if (path == "/") {
        path = "/index.html";
    }
    if (!safe_path(path)) {
        return std::nullopt;
    }
    if (embedded()) {
        const auto assets = embedded_assets();
        const auto found =
            std::lower_bound(assets.begin(), assets.end(), path,
                             [](const EmbeddedAsset& asset, std::string_view wanted) {
                                 return asset.path < wanted;
                             });
        if (found == assets.end() || found->path != path) {
            return std::nullopt;
        }
        return std::string(found->bytes);
    }
    const auto file = directory_ / std::filesystem::path(path.substr(1));
    std::error_code error;
    if (!std::filesystem::is_regular_file(file, error)) {
        return std::nullopt;
    }
    std::ifstream stream(file, std::ios::binary);
    if (!stream) {
        return std::nullopt;
    }
    std::ostringstream text;
    text << stream.rdbuf();
    return text.str();
}

} // namespace encore::kiosk::ui
