#include "platform/files/atomic_file.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

using encore::platform::AtomicWriteOptions;
using encore::platform::AtomicWriteStep;
using encore::platform::write_file_atomically;
using encore::testing::read_text_file;
using encore::testing::TempDir;

namespace {

// Runs an atomic write in a child process that dies abruptly (as on power loss or
// kill -9: no destructors, no cleanup) right after `crash_after`.
void write_and_crash_after(const std::filesystem::path& target, const std::string& text,
                           AtomicWriteStep crash_after) {
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        AtomicWriteOptions options;
        options.after_step = [crash_after](AtomicWriteStep step) {
            if (step == crash_after) {
                ::_exit(42);
            }
        };
        write_file_atomically(target, text, options);
        ::_exit(0);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 42);
}

std::size_t count_files(const std::filesystem::path& dir) {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) {
        ++count;
    }
    return count;
}

} // namespace

TEST_CASE("an atomic write replaces the file's content whole") {
    TempDir dir;
    const auto target = dir / "settings.json";
    REQUIRE_FALSE(write_file_atomically(target, std::string("old content")));
    REQUIRE_FALSE(write_file_atomically(target, std::string("new content")));
    CHECK(read_text_file(target) == "new content");
    CHECK(count_files(dir.path()) == 1);
}

TEST_CASE("an atomic write survives a crash between any two steps") {
    const std::string old_text = "the photo as it was before";
    const std::string new_text(256 * 1024, 'n');
    for (const auto step : {AtomicWriteStep::temp_written, AtomicWriteStep::temp_synced,
                            AtomicWriteStep::renamed, AtomicWriteStep::directory_synced}) {
        CAPTURE(static_cast<int>(step));
        TempDir dir;
        const auto target = dir / "photo.jpg";
        REQUIRE_FALSE(write_file_atomically(target, old_text));
        write_and_crash_after(target, new_text, step);

        const auto content = read_text_file(target);
        const bool before_rename =
            step == AtomicWriteStep::temp_written || step == AtomicWriteStep::temp_synced;
        CHECK(content == (before_rename ? old_text : new_text));

        // Startup recovery removes what the crashed write left behind, and only that.
        const auto removed = encore::platform::remove_stale_temp_files(dir.path());
        CHECK(removed == (before_rename ? 1u : 0u));
        CHECK(count_files(dir.path()) == 1);
        CHECK(read_text_file(target) == content);
    }
}

TEST_CASE("a failed atomic write reports the error and leaves the target alone") {
    TempDir dir;
    const auto missing = dir / "no-such-folder" / "file";
    const auto error = write_file_atomically(missing, std::string("x"));
    CHECK(error == std::errc::no_such_file_or_directory);

    const auto target = dir / "kept";
    REQUIRE_FALSE(write_file_atomically(target, std::string("kept content")));
    // Writing into a directory without write permission fails before touching `target`.
    if (::geteuid() != 0) {
        std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_read |
                                                     std::filesystem::perms::owner_exec);
        CHECK(write_file_atomically(target, std::string("lost")) == std::errc::permission_denied);
        std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all);
    }
    CHECK(read_text_file(target) == "kept content");
}
