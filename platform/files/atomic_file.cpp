#include "platform/files/atomic_file.hpp"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace encore::platform {
namespace {

constexpr std::string_view temp_marker = ".encore-tmp-";

std::error_code last_error() {
    return {errno, std::generic_category()};
}

// Closes a file descriptor on every path out of a function.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd)
        : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;

    int get() const { return fd_; }
    std::error_code close() {
        const int fd = fd_;
        fd_ = -1;
        return ::close(fd) == 0 ? std::error_code{} : last_error();
    }

private:
    int fd_;
};

std::error_code write_all(int fd, std::span<const std::byte> bytes) {
    const auto* data = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        const auto written = ::write(fd, data, left);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            return last_error();
        }
        data += written;
        left -= static_cast<std::size_t>(written);
    }
    return {};
}

void report(const AtomicWriteOptions& options, AtomicWriteStep step) {
    if (options.after_step) {
        options.after_step(step);
    }
}

} // namespace

bool is_atomic_temp_name(std::string_view name) {
    return name.starts_with('.') && name.find(temp_marker) != std::string_view::npos;
}

std::error_code sync_directory(const std::filesystem::path& directory) {
    FileDescriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) {
        return last_error();
    }
    if (::fsync(fd.get()) != 0) {
        return last_error();
    }
    return fd.close();
}

std::error_code write_file_atomically(const std::filesystem::path& path,
                                      std::span<const std::byte> bytes,
                                      const AtomicWriteOptions& options) {
    const auto directory = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    std::string temp_path =
        (directory / ("." + path.filename().string() + std::string(temp_marker) + "XXXXXX"))
            .string();
    FileDescriptor fd(::mkostemp(temp_path.data(), O_CLOEXEC));
    if (fd.get() < 0) {
        return last_error();
    }
    const auto fail = [&](std::error_code error) {
        ::unlink(temp_path.c_str());
        return error;
    };
    if (::fchmod(fd.get(), options.mode) != 0) {
        return fail(last_error());
    }
    if (auto error = write_all(fd.get(), bytes)) {
        return fail(error);
    }
    report(options, AtomicWriteStep::temp_written);
    if (::fsync(fd.get()) != 0) {
        return fail(last_error());
    }
    if (auto error = fd.close()) {
        return fail(error);
    }
    report(options, AtomicWriteStep::temp_synced);
    if (::rename(temp_path.c_str(), path.c_str()) != 0) {
        return fail(last_error());
    }
    report(options, AtomicWriteStep::renamed);
    if (auto error = sync_directory(directory)) {
        return error;
    }
    report(options, AtomicWriteStep::directory_synced);
    return {};
}

std::error_code write_file_atomically(const std::filesystem::path& path, std::string_view text,
                                      const AtomicWriteOptions& options) {
    return write_file_atomically(path, std::as_bytes(std::span(text.data(), text.size())), options);
}

void prepare_data_directory(const std::filesystem::path& directory) {
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (!error && ::access(directory.c_str(), W_OK) != 0) {
        error = last_error();
    }
    if (error) {
        throw std::runtime_error("cannot use data folder " + directory.string() + ": " +
                                 error.message() +
                                 "; create it with write access for this user or set data_dir "
                                 "(--data) to another folder");
    }
    remove_stale_temp_files(directory);
}

std::size_t remove_stale_temp_files(const std::filesystem::path& directory) {
    std::size_t removed = 0;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
        if (entry.is_regular_file(error) && is_atomic_temp_name(entry.path().filename().string())) {
            if (std::filesystem::remove(entry.path(), error)) {
                ++removed;
            }
        }
    }
    if (removed > 0) {
        sync_directory(directory);
    }
    return removed;
}

} // namespace encore::platform
