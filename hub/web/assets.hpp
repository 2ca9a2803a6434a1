#pragma once

#include <optional>
#include <span>
#include <string_view>

// The guest pages' static files (hub/web/assets: CSS, JavaScript), carried inside hubd
// so the pages and their scripts are always of one version. embed_assets.cmake writes
// the table at build time.
namespace encore::hub::web {

struct EmbeddedAsset {
    // The path under /assets: "/guest.css".
    std::string_view path;
    std::string_view bytes;
};

// Every embedded file, sorted by path (generated).
std::span<const EmbeddedAsset> embedded_assets();

// The embedded file at `path` ("/guest.css"), or nullopt.
std::optional<EmbeddedAsset> find_asset(std::string_view path);

// The Content-Type for a file name's extension; application/octet-stream when unknown.
std::string_view asset_content_type(std::string_view path);

} // namespace encore::hub::web
