#pragma once

#include <filesystem>
#include <functional>
#include <span>
#include <string_view>
#include <sys/types.h>
#include <system_error>

namespace encore::platform {

// The steps of an atomic write, in order. A crash after any step leaves the target
// either with its old content or with the complete new content, never a mix.
enum class AtomicWriteStep { temp_written, temp_synced, renamed, directory_synced };

struct AtomicWriteOptions {
    mode_t mode = 0644;
    // Called after each step; tests use it to crash the process at a chosen point.
    std::function<void(AtomicWriteStep)> after_step;
};

// Writes `bytes` to `path` by writing a temporary file in the same directory,
// fsync-ing it, renaming it over `path` and fsync-ing the directory. Returns the
// error of the first step that failed (for example ENOSPC on a full disk); on
// failure the temporary file is removed and `path` is untouched.
std::error_code write_file_atomically(const std::filesystem::path& path,
                                      std::span<const std::byte> bytes,
                                      const AtomicWriteOptions& options = {});
std::error_code write_file_atomically(const std::filesystem::path& path, std::string_view text,
                                      const AtomicWriteOptions& options = {});

// Flushes a directory entry change (create, rename, unlink) to disk.
std::error_code sync_directory(const std::filesystem::path& directory);

// Startup recovery: removes temporary files that a crashed atomic write left in
// `directory`. Returns how many were removed.
std::size_t remove_stale_temp_files(const std::filesystem::path& directory);

// Start-up for a daemon's data folder: creates it if needed and removes what crashed
// atomic writes left in it. Throws std::runtime_error that names the folder and the
// fix when it cannot be created or written.
void prepare_data_directory(const std::filesystem::path& directory);

// True when `name` is the name of an atomic write's temporary file.
bool is_atomic_temp_name(std::string_view name);

} // namespace encore::platform
