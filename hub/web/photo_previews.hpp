#pragma once

#include "hub/store/image_store.hpp"
#include "platform/runtime/blocking_worker.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace encore::hub::web {

enum class PreviewSize {
    thumbnail, // the gallery: longest side 480 px
    large,     // the tap-to-enlarge view on a phone: longest side 1600 px
};

int longest_side(PreviewSize size);

// Smaller copies of the stored originals for guests' phones. A DSLR original of 8 MB
// would take a phone on a venue's network many seconds, so the pages show JPEGs made
// from it: on first request on a worker thread (decode at the DCT scale that fits,
// EXIF orientation applied), then kept under `cache_dir`
// (<cache_dir>/<side>/<ab>/<sha256>.jpg, written atomically) and read from there.
// Construction removes what a crash left half-written in the cache.
class PhotoPreviews {
public:
    PhotoPreviews(boost::asio::any_io_executor loop, const ImageStore& images,
                  std::filesystem::path cache_dir);

    // The preview's JPEG bytes; nullopt when the store does not hold the photo or its
    // bytes cannot be decoded. `sha256` must be checked with is_sha256_hex first.
    boost::asio::awaitable<std::optional<std::string>> get(const std::string& sha256,
                                                           PreviewSize size);

private:
    std::filesystem::path cached_path(const std::string& sha256, PreviewSize size) const;

    const ImageStore& images_;
    std::filesystem::path cache_dir_;
    platform::BlockingWorker worker_;
};

} // namespace encore::hub::web
