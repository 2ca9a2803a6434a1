#pragma once

#include "hub/store/image_store.hpp"
#include "hub/web/lru_cache.hpp"
#include "platform/runtime/blocking_worker.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

namespace encore::hub::web {

enum class PreviewSize {
    thumbnail, // the gallery: longest side 480 px
    large,     // the tap-to-enlarge view on a phone: longest side 1600 px
};

int longest_side(PreviewSize size);

// The bytes of previews PhotoPreviews keeps in memory by default.
inline constexpr std::size_t default_preview_memory = 64 * 1024 * 1024;

// Smaller copies of the stored originals for guests' phones. A DSLR original of 8 MB
// would take a phone on a venue's network many seconds, so the pages show JPEGs made
// from it: on first request on a worker thread (decode at the DCT scale that fits,
// EXIF orientation applied), then kept under `cache_dir`
// (<cache_dir>/<side>/<ab>/<sha256>.jpg, written atomically) and read from there.
// The most recently asked for are also kept in memory, up to `memory_budget` bytes of
// JPEG (a preview is named by the SHA-256 of its original, so it never changes).
// Construction removes what a crash left half-written in the cache.
class PhotoPreviews {
public:
    // `memory_budget` 0 reads every preview from its file.
    PhotoPreviews(boost::asio::any_io_executor loop, const ImageStore& images,
                  std::filesystem::path cache_dir,
                  std::size_t memory_budget = default_preview_memory);

    // The preview's JPEG bytes; nullopt when the store does not hold the photo or its
    // bytes cannot be decoded. `sha256` must be checked with is_sha256_hex first.
    boost::asio::awaitable<std::optional<std::string>> get(const std::string& sha256,
                                                           PreviewSize size);

    // The bytes of the previews in memory now: never more than `memory_budget`.
    std::size_t memory_used() const { return memory_.cost(); }

private:
    std::filesystem::path cached_path(const std::string& sha256, PreviewSize size) const;
    void keep_in_memory(std::string key, const std::string& bytes);

    const ImageStore& images_;
    std::filesystem::path cache_dir_;
    // By "<side>/<sha256>".
    LruCache<std::string, std::string> memory_;
    platform::BlockingWorker worker_;
};

} // namespace encore::hub::web
