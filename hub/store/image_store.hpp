#pragma once

#include "platform/crypto/sha256.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

namespace encore::hub {

// The hub's image store: every photo kept once, under the SHA-256 of its bytes
// (images/ab/abcdef….jpg), written atomically and verified before it is acknowledged.
// Uploads in progress live in uploads/<kiosk>/<sha256>.part, each byte durable
// before the kiosk is told the new offset, so an upload resumes after any crash.
//
// Thread-safe: the intake runs append() and finish() on storage threads so that many
// kiosks' fsyncs overlap. Calls for one upload (kiosk + hash) run one at a time, in
// the order they take the upload's lock, so two connections of one kiosk can never
// both append at the same offset.
class ImageStore {
public:
    // Creates the folders if needed and removes what crashed writes left behind.
    explicit ImageStore(std::filesystem::path root);

    bool contains(const std::string& sha256_hex) const;
    std::filesystem::path path_of(const std::string& sha256_hex) const;
    std::optional<std::vector<std::byte>> read(const std::string& sha256_hex) const;

    // How many bytes of this upload the hub holds durably: the place to resume from.
    std::uint64_t upload_offset(const std::string& kiosk, const std::string& sha256_hex) const;
    // Appends `data` at `offset`, which must equal upload_offset(), and fsyncs.
    // Errors: invalid_argument for a wrong offset or a photo past `max_size`;
    // no_space_on_device on a full disk (nothing is half-written: the part is cut back).
    std::error_code append(const std::string& kiosk, const std::string& sha256_hex,
                           std::uint64_t offset, std::span<const std::byte> data,
                           std::uint64_t max_size);
    // Verifies that the upload is exactly `size` bytes hashing to `sha256_hex` and moves
    // it into the store. On a mismatch the partial upload is discarded and
    // illegal_byte_sequence is returned.
    std::error_code finish(const std::string& kiosk, const std::string& sha256_hex,
                           std::uint64_t size);
    // Stores whole bytes directly (tests, imports). Verifies the hash first.
    std::error_code put(const std::string& sha256_hex, std::span<const std::byte> bytes);

    struct PartialUpload {
        std::string sha256_hex;
        std::uint64_t offset = 0;
    };
    std::vector<PartialUpload> partial_uploads(const std::string& kiosk) const;

private:
    std::filesystem::path part_path(const std::string& kiosk, const std::string& sha256_hex) const;
    std::uint64_t upload_offset_locked(const std::filesystem::path& part) const;
    // One of a fixed set of locks, chosen by the upload's part file.
    std::mutex& lock_for(const std::filesystem::path& part) const;

    std::filesystem::path root_;
    mutable std::array<std::mutex, 64> upload_locks_;
};

// True for 64 lowercase hex digits; every path built from a hash checks this first.
bool is_sha256_hex(const std::string& text);
// True for names a kiosk may have: letters, digits, '-', '_', 1..64 long.
bool is_kiosk_name(const std::string& text);

} // namespace encore::hub
