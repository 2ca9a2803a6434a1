#include "hub/store/image_store.hpp"

#include "platform/files/atomic_file.hpp"

#include <cerrno>
#include <fcntl.h>
#include <functional>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace encore::hub {
namespace {

std::error_code last_error() {
    return {errno, std::generic_category()};
}

class Fd {
public:
    explicit Fd(int fd)
        : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

} // namespace

bool is_sha256_hex(const std::string& text) {
    if (text.size() != 64) {
        return false;
    }
    for (const char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

bool is_kiosk_name(const std::string& text) {
    if (text.empty() || text.size() > 64) {
        return false;
    }
    for (const char c : text) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!allowed) {
            return false;
        }
    }
    return true;
}

ImageStore::ImageStore(std::filesystem::path root)
    : root_(std::move(root)) {
    std::filesystem::create_directories(root_ / "images");
    std::filesystem::create_directories(root_ / "uploads");
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root_ / "images")) {
        if (entry.is_directory()) {
            platform::remove_stale_temp_files(entry.path());
        }
    }
}

std::filesystem::path ImageStore::path_of(const std::string& sha256_hex) const {
    if (!is_sha256_hex(sha256_hex)) {
        throw std::invalid_argument("not a SHA-256: " + sha256_hex);
    }
    return root_ / "images" / sha256_hex.substr(0, 2) / (sha256_hex + ".jpg");
}

bool ImageStore::contains(const std::string& sha256_hex) const {
    std::error_code error;
    return is_sha256_hex(sha256_hex) &&
           std::filesystem::is_regular_file(path_of(sha256_hex), error);
}

std::optional<std::vector<std::byte>> ImageStore::read(const std::string& sha256_hex) const {
    if (!contains(sha256_hex)) {
        return std::nullopt;
    }
    Fd fd(::open(path_of(sha256_hex).c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        return std::nullopt;
    }
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) {
        return std::nullopt;
    }
    std::vector<std::byte> bytes(static_cast<std::size_t>(info.st_size));
    std::size_t done = 0;
    while (done < bytes.size()) {
        const auto got = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
        if (got <= 0) {
            return std::nullopt;
        }
        done += static_cast<std::size_t>(got);
    }
    return bytes;
}

std::filesystem::path ImageStore::part_path(const std::string& kiosk,
                                            const std::string& sha256_hex) const {
    if (!is_kiosk_name(kiosk) || !is_sha256_hex(sha256_hex)) {
        throw std::invalid_argument("bad kiosk name or hash");
    }
    return root_ / "uploads" / kiosk / (sha256_hex + ".part");
}

std::mutex& ImageStore::lock_for(const std::filesystem::path& part) const {
    return upload_locks_[std::hash<std::string>{}(part.native()) % upload_locks_.size()];
}

std::uint64_t ImageStore::upload_offset_locked(const std::filesystem::path& part) const {
    std::error_code error;
    const auto size = std::filesystem::file_size(part, error);
    return error ? 0 : size;
}

std::uint64_t ImageStore::upload_offset(const std::string& kiosk,
                                        const std::string& sha256_hex) const {
    const auto part = part_path(kiosk, sha256_hex);
    const std::lock_guard lock(lock_for(part));
    return upload_offset_locked(part);
}

std::error_code ImageStore::append(const std::string& kiosk, const std::string& sha256_hex,
                                   std::uint64_t offset, std::span<const std::byte> data,
                                   std::uint64_t max_size) {
    const auto path = part_path(kiosk, sha256_hex);
    const std::lock_guard lock(lock_for(path));
    if (offset != upload_offset_locked(path) || offset + data.size() > max_size) {
        return std::make_error_code(std::errc::invalid_argument);
    }
    if (offset == 0) {
        std::filesystem::create_directories(path.parent_path());
    }
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (fd.get() < 0) {
        return last_error();
    }
    std::size_t done = 0;
    while (done < data.size()) {
        const auto written = ::write(fd.get(), data.data() + done, data.size() - done);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            const auto error = last_error();
            // Cut back to the last durable offset so the next attempt resumes cleanly.
            [[maybe_unused]] const int ignored = ::ftruncate(fd.get(), static_cast<off_t>(offset));
            return error;
        }
        done += static_cast<std::size_t>(written);
    }
    if (::fdatasync(fd.get()) != 0) {
        const auto error = last_error();
        [[maybe_unused]] const int ignored = ::ftruncate(fd.get(), static_cast<off_t>(offset));
        return error;
    }
    if (offset == 0) {
        platform::sync_directory(path.parent_path());
    }
    return {};
}

std::error_code ImageStore::finish(const std::string& kiosk, const std::string& sha256_hex,
                                   std::uint64_t size) {
    const auto part = part_path(kiosk, sha256_hex);
    const std::lock_guard lock(lock_for(part));
    if (contains(sha256_hex)) {
        std::filesystem::remove(part);
        return {};
    }
    std::error_code error;
    if (std::filesystem::file_size(part, error) != size || error) {
        std::filesystem::remove(part, error);
        return std::make_error_code(std::errc::illegal_byte_sequence);
    }
    Fd fd(::open(part.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        return last_error();
    }
    platform::crypto::Sha256Hasher hasher;
    std::vector<std::byte> buffer(1 << 20);
    for (;;) {
        const auto got = ::read(fd.get(), buffer.data(), buffer.size());
        if (got < 0) {
            return last_error();
        }
        if (got == 0) {
            break;
        }
        hasher.update(std::span(buffer).first(static_cast<std::size_t>(got)));
    }
    if (platform::crypto::to_hex(hasher.finish()) != sha256_hex) {
        std::filesystem::remove(part, error);
        return std::make_error_code(std::errc::illegal_byte_sequence);
    }
    const auto target = path_of(sha256_hex);
    std::filesystem::create_directories(target.parent_path());
    // The part file is already fsync'd; renaming it into place and syncing both
    // folders makes the stored image durable.
    if (::rename(part.c_str(), target.c_str()) != 0) {
        return last_error();
    }
    if (auto sync_error = platform::sync_directory(target.parent_path())) {
        return sync_error;
    }
    return platform::sync_directory(part.parent_path());
}

std::error_code ImageStore::put(const std::string& sha256_hex, std::span<const std::byte> bytes) {
    if (platform::crypto::to_hex(platform::crypto::sha256(bytes)) != sha256_hex) {
        return std::make_error_code(std::errc::illegal_byte_sequence);
    }
    if (contains(sha256_hex)) {
        return {};
    }
    const auto target = path_of(sha256_hex);
    std::filesystem::create_directories(target.parent_path());
    return platform::write_file_atomically(target, bytes);
}

std::vector<ImageStore::PartialUpload> ImageStore::partial_uploads(const std::string& kiosk) const {
    std::vector<PartialUpload> uploads;
    if (!is_kiosk_name(kiosk)) {
        return uploads;
    }
    std::error_code error;
    for (const auto& entry :
         std::filesystem::directory_iterator(root_ / "uploads" / kiosk, error)) {
        const auto name = entry.path().stem().string();
        if (entry.path().extension() == ".part" && is_sha256_hex(name)) {
            uploads.push_back({name, entry.file_size(error)});
        }
    }
    return uploads;
}

} // namespace encore::hub
