#include "hub/web/photo_previews.hpp"

#include "kiosk/imaging/compose.hpp"
#include "platform/files/atomic_file.hpp"
#include "platform/log/logger.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <fstream>

namespace encore::hub::web {
namespace {

std::optional<std::string> read_file(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    if (!file) {
        return std::nullopt;
    }
    const auto size = file.tellg();
    if (size < 0) {
        return std::nullopt;
    }
    std::string bytes(static_cast<std::size_t>(size), '\0');
    file.seekg(0);
    if (!file.read(bytes.data(), size)) {
        return std::nullopt;
    }
    return bytes;
}

} // namespace

int longest_side(PreviewSize size) {
    return size == PreviewSize::thumbnail ? 480 : 1600;
}

PhotoPreviews::PhotoPreviews(boost::asio::any_io_executor loop, const ImageStore& images,
                             std::filesystem::path cache_dir, std::size_t memory_budget)
    : images_(images)
    , cache_dir_(std::move(cache_dir))
    , memory_(memory_budget)
    , worker_(std::move(loop), "previews") {
    // Start-up is recovery: a crash while a preview was written leaves its temporary
    // file behind in one of the cache's folders.
    std::error_code error;
    for (std::filesystem::recursive_directory_iterator folder(cache_dir_, error), end;
         !error && folder != end; folder.increment(error)) {
        if (folder->is_directory(error)) {
            platform::remove_stale_temp_files(folder->path());
        }
    }
}

std::filesystem::path PhotoPreviews::cached_path(const std::string& sha256,
                                                 PreviewSize size) const {
    return cache_dir_ / std::to_string(longest_side(size)) / sha256.substr(0, 2) /
           (sha256 + ".jpg");
}

boost::asio::awaitable<std::optional<std::string>> PhotoPreviews::get(const std::string& sha256,
                                                                      PreviewSize size) {
    auto key = std::to_string(longest_side(size)) + "/" + sha256;
    if (const auto* in_memory = memory_.find(key)) {
        co_return *in_memory;
    }
    const auto path = cached_path(sha256, size);
    if (auto cached = read_file(path)) {
        keep_in_memory(std::move(key), *cached);
        co_return cached;
    }
    auto make = [&images = images_, sha256, path, size]() -> std::optional<std::string> {
        const auto original = images.read(sha256);
        if (!original) {
            return std::nullopt;
        }
        auto preview = kiosk::imaging::make_thumbnail(*original, longest_side(size));
        if (!preview) {
            platform::Logger("web").warning("cannot make a preview of photo ", sha256, ": ",
                                            kiosk::imaging::describe(preview.error()));
            return std::nullopt;
        }
        std::string bytes(reinterpret_cast<const char*>(preview->data()), preview->size());
        std::error_code error;
        std::filesystem::create_directories(path.parent_path(), error);
        // A preview that cannot be kept is still served; it is made again next time.
        if (!error) {
            error = platform::write_file_atomically(path, bytes);
        }
        if (error) {
            platform::Logger("web").warning("cannot keep a preview in ", path.string(), ": ",
                                            error.message());
        }
        return bytes;
    };
    auto pending = worker_.run(std::move(make), boost::asio::use_awaitable);
    auto made = co_await std::move(pending);
    if (made) {
        keep_in_memory(std::move(key), *made);
    }
    co_return made;
}

void PhotoPreviews::keep_in_memory(std::string key, const std::string& bytes) {
    memory_.put(std::move(key), bytes, bytes.size());
}

} // namespace encore::hub::web
