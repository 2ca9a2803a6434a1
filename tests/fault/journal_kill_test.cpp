#include "kiosk/journal/journal.hpp"
#include "platform/crypto/sha256.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <random>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using encore::kiosk::Journal;

namespace {

// The guest flow's journal work, over and over, until the process is killed. Each
// photo's hash is appended to `acknowledged` only after add_photo returned, which is
// when a booth shows the photo to the guest.
[[noreturn]] void run_booth(const std::filesystem::path& data,
                            const std::filesystem::path& acknowledged, unsigned seed) {
    auto journal = Journal::open(data);
    std::mt19937 random(seed);
    for (int session_number = 0;; ++session_number) {
        const auto session = journal->begin_session("drill");
        const int shots = 1 + static_cast<int>(random() % 4);
        for (int shot = 0; shot < shots; ++shot) {
            std::vector<std::byte> bytes(20'000 + random() % 200'000);
            for (auto& byte : bytes) {
                byte = static_cast<std::byte>(random());
            }
            const auto photo = journal->add_photo(session, bytes);
            std::ofstream(acknowledged, std::ios::app) << photo.sha256 << "\n" << std::flush;
        }
        journal->create_order(session, 1 + static_cast<int>(random() % 3), "single-4x6",
                              "http://hub");
        journal->finish_session(session);
        for (const auto& item : journal->pending_outbox(2)) {
            journal->mark_sent(item.id);
        }
    }
}

} // namespace

TEST_CASE("kill -9 at random points never loses an acknowledged photo or breaks the journal") {
    encore::testing::TempDir dir;
    const auto data = dir / "kiosk";
    const auto acknowledged = dir / "acknowledged.txt";
    std::mt19937 random(20261128);
    constexpr int kills = 50;
    for (int round = 0; round < kills; ++round) {
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            run_booth(data, acknowledged, static_cast<unsigned>(round));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5 + random() % 60));
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);

        auto journal = Journal::open(data);
        CHECK(journal->integrity_check() == "ok");
        CHECK(journal->recovery().damaged_photos_quarantined == 0);
        std::ifstream list(acknowledged);
        std::string hash;
        while (std::getline(list, hash)) {
            const auto file = journal->photo_path(hash);
            REQUIRE_MESSAGE(std::filesystem::exists(file), "acknowledged photo lost: ", hash);
        }
    }
    // Every photo row names a file whose bytes match its hash.
    auto journal = Journal::open(data);
    for (const auto& entry : std::filesystem::directory_iterator(data / "photos")) {
        std::ifstream file(entry.path(), std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(file)), {});
        CHECK(encore::platform::crypto::to_hex(encore::platform::crypto::sha256(bytes)) + ".jpg" ==
              entry.path().filename().string());
    }
}
