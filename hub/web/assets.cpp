#include "hub/web/assets.hpp"

#include <algorithm>

namespace encore::hub::web {

std::optional<EmbeddedAsset> find_asset(std::string_view path) {
    const auto assets = embedded_assets();
    const auto found = std::find_if(assets.begin(), assets.end(),
                                    [&](const EmbeddedAsset& asset) { return asset.path == path; });
    if (found == assets.end()) {
        return std::nullopt;
    }
    return *found;
}

std::string_view asset_content_type(std::string_view path) {
    if (path.ends_with(".css")) {
        return "text/css; charset=utf-8";
    }
    if (path.ends_with(".js")) {
        return "text/javascript; charset=utf-8";
    }
    if (path.ends_with(".svg")) {
        return "image/svg+xml";
    }
    if (path.ends_with(".png")) {
        return "image/png";
    }
    return "application/octet-stream";
}

} // namespace encore::hub::web
