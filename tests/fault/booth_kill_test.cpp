// The booth's power-cut drill: kioskd, with the camera simulator and a private cupsd, is
// killed with SIGKILL at random moments of a guest's session (while a photo is taken,
// while it is written, while the order is made, while it prints), then started again,
// over and over on the same data folder. After each kill:
// - every photo the screen was told about (the shoot request answered) is in the
//   journal, byte for byte, and the journal passes its integrity check;
// and at the end, after a last start that lets the printer catch up:
// - every print the booth recorded came out exactly once (no job name twice), every
//   order the screen confirmed came out with its copies (an order whose print the kill
//   interrupted is printed after the restart), and none got more.
// ENCORE_DRILL_SEED=N repeats a run; ENCORE_DRILL_ROUNDS=N changes its length.

#include "drivers/printer/ledger.hpp"
#include "kiosk/journal/journal.hpp"
#include "platform/crypto/sha256.hpp"
#include "platform/files/atomic_file.hpp"
#include "platform/http/client.hpp"
#include "tests/integration/camera/camera_rig.hpp"
#include "tests/integration/printer/print_rig.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/source_tree.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <regex>
#include <set>
#include <thread>

using namespace encore;
using namespace std::chrono_literals;
using testing::ChildProcess;

namespace {

int environment_number(const char* name, int fallback) {
    const char* value = std::getenv(name);
    return value ? std::atoi(value) : fallback;
}

// A four-photo event with no countdown, so that a session takes a second or two.
std::filesystem::path write_drill_event(const std::filesystem::path& dir) {
    const auto file = dir / "drill-event.json";
    const nlohmann::json event = {
        {"name", "Power-cut drill"},
        {"layout", (testing::source_dir() / "kiosk/imaging/templates/grid-2x2-4x6.json").string()},
        {"countdown_seconds", 0},
        {"max_retakes", 2},
        {"copies", {{"min", 1}, {"max", 4}, {"default", 1}}},
        {"operator_pin", "2468"}};
    REQUIRE_FALSE(platform::write_file_atomically(file, event.dump()));
    return file;
}

std::string sha256_hex(const std::vector<std::uint8_t>& bytes) {
    return platform::crypto::to_hex(platform::crypto::sha256(std::as_bytes(std::span(bytes))));
}

std::size_t files_in(const std::filesystem::path& dir) {
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        count += entry.is_regular_file() ? 1 : 0;
    }
    return count;
}

class Booth {
public:
    Booth(const std::filesystem::path& data, const std::filesystem::path& event,
          const testing::camera::Simulator& camera, const testing::PrintRig& rig)
        : process_(testing::bin_dir() / "kioskd",
                   {"--data", data.string(), "--ui", "127.0.0.1:0", "--event", event.string(),
                    "--camera", camera.port_name(), "--camera-model", "PTP/IP Camera", "--printer",
                    "booth"},
                   {"CUPS_SERVER=" + rig.server(), "HOME=" + data.parent_path().string()}) {
        const auto line = process_.wait_for_line("listening", 20s);
        REQUIRE_MESSAGE(line, process_.stderr_text());
        std::smatch match;
        REQUIRE(std::regex_search(*line, match, std::regex("ui=http://127\\.0\\.0\\.1:(\\d+)/")));
        ui_ = {"127.0.0.1", static_cast<std::uint16_t>(std::stoi(match[1]))};
    }

    // The answer's JSON, or nullopt when kioskd did not answer (it was killed).
    std::optional<nlohmann::json> call(const std::string& method, const std::string& target,
                                       const nlohmann::json& body = nlohmann::json::object()) {
        try {
            const auto origin = "http://" + ui_.to_string();
            const auto response = platform::http::request(
                ui_, method, target, {{"Origin", origin}, {"Content-Type", "application/json"}},
                method == "POST" ? body.dump() : std::string(), 20s);
            if (response.status != 200) {
                return std::nullopt;
            }
            return nlohmann::json::parse(response.body);
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }

    bool camera_ready() {
        const auto state = call("GET", "/api/state");
        return state && (*state)["devices"]["camera"]["ready"] == true;
    }

    ChildProcess& process() { return process_; }

private:
    ChildProcess process_;
    platform::Endpoint ui_;
};

// What the guest's screen was told, written by the journey's thread.
struct Acknowledged {
    std::mutex mutex;
    std::vector<std::string> photos; // SHA-256 of each photo whose shoot was answered
    int prints_asked = 0;
};

// A guest's session, step by step, until a request goes unanswered.
void walk_journey(Booth& booth, const testing::camera::Simulator& camera,
                  Acknowledged& acknowledged) {
    if (!booth.call("POST", "/api/session/start")) {
        return;
    }
    for (int shot = 1; shot <= 4; ++shot) {
        const auto answer = booth.call("POST", "/api/session/shoot");
        if (!answer) {
            return;
        }
        // The answer came after the picture was journalled: it is the newest capture.
        const auto newest = files_in(camera.save_dir());
        const auto bytes = camera.saved_capture(static_cast<int>(newest));
        std::lock_guard lock(acknowledged.mutex);
        acknowledged.photos.push_back(sha256_hex(bytes));
    }
    if (!booth.call("POST", "/api/session/accept")) {
        return;
    }
    if (!booth.call("POST", "/api/session/print", {{"copies", 2}})) {
        return;
    }
    {
        std::lock_guard lock(acknowledged.mutex);
        ++acknowledged.prints_asked;
    }
    // A second tap: never a second print.
    booth.call("POST", "/api/session/print", {{"copies", 2}});
    std::this_thread::sleep_for(300ms);
    booth.call("POST", "/api/session/finish");
}

} // namespace

TEST_CASE("kill -9 of kioskd at random points loses no acknowledged photo and doubles no "
          "print") {
    const auto seed = static_cast<unsigned>(
        environment_number("ENCORE_DRILL_SEED", static_cast<int>(std::random_device{}() >> 1)));
    const int rounds = environment_number("ENCORE_DRILL_ROUNDS", 50);
    MESSAGE("seed ", seed, " (ENCORE_DRILL_SEED to repeat), ", rounds, " kills");
    std::mt19937 random(seed);

    testing::PrintRig rig;
    testing::camera::SimulatorOptions small_photos;
    small_photos.width = 1800;
    small_photos.height = 1200;
    testing::camera::Simulator camera(small_photos);
    const auto data = rig.work() / "kiosk";
    const auto event = write_drill_event(rig.work());

    Acknowledged acknowledged;
    std::set<std::string> checked;
    int kills_mid_session = 0;
    // How long a whole session takes here, learnt from the rounds that finished one.
    std::chrono::milliseconds session_length = 2s;
    for (int round = 1; round <= rounds; ++round) {
        CAPTURE(round);
        {
            Booth booth(data, event, camera, rig);
            REQUIRE_MESSAGE(testing::wait_until([&] { return booth.camera_ready(); }, 20s),
                            "the camera did not connect: ", booth.process().stderr_text());
            std::atomic<bool> journey_over = false;
            const auto started = std::chrono::steady_clock::now();
            std::thread journey([&] {
                walk_journey(booth, camera, acknowledged);
                journey_over = true;
            });
            // Kill anywhere from the first tap to a little after the session's end, as
            // long as a whole session took last time.
            const auto delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(
                0, static_cast<int>(session_length.count() * 11 / 10))(random));
            std::this_thread::sleep_for(delay);
            if (journey_over) {
                session_length = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - started);
            } else {
                ++kills_mid_session;
            }
            booth.process().send_signal(SIGKILL);
            REQUIRE(booth.process().wait_for_exit(10s).has_value());
            journey.join();
        }

        // Recovery, as the next start does it, then the checks.
        const auto journal = kiosk::Journal::open(data);
        CHECK(journal->integrity_check() == "ok");
        std::lock_guard lock(acknowledged.mutex);
        for (const auto& sha256 : acknowledged.photos) {
            if (checked.contains(sha256)) {
                continue;
            }
            const auto file = journal->photo_path(sha256);
            REQUIRE_MESSAGE(std::filesystem::exists(file), "acknowledged photo ", sha256,
                            " is missing after the kill");
            CHECK(sha256_hex(testing::camera::read_bytes(file)) == sha256);
            checked.insert(sha256);
        }
    }
    MESSAGE(checked.size(), " acknowledged photos kept, ", acknowledged.prints_asked,
            " print requests answered");
    CHECK(checked.size() > 0);

    // A last start: the spooler reconciles its ledger with CUPS and finishes what is owed.
    {
        Booth booth(data, event, camera, rig);
        std::size_t printed = 0;
        int stable_polls = 0;
        const auto deadline = std::chrono::steady_clock::now() + 90s;
        while (stable_polls < 15 && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(200ms);
            booth.process().stderr_text(); // keep its log pipe drained
            const auto now = rig.prints("booth").size();
            stable_polls = now == printed ? stable_polls + 1 : 0;
            printed = now;
        }
        booth.process().send_signal(SIGTERM);
        CHECK(booth.process().wait_for_exit(10s) == 0);
    }

    // Every print came out at most once, and no order got more than its two copies.
    std::map<std::string, int> prints_per_job;
    std::map<std::string, int> prints_per_order;
    static const std::regex job_pattern(R"(encore\.([A-Za-z0-9_-]+)\.copy(\d+))");
    for (const auto& print : rig.prints("booth")) {
        std::smatch match;
        const auto name = print.filename().string();
        REQUIRE_MESSAGE(std::regex_search(name, match, job_pattern), name);
        ++prints_per_job[match[0].str()];
        ++prints_per_order[match[1].str()];
    }
    for (const auto& [job, count] : prints_per_job) {
        CHECK_MESSAGE(count == 1, job, " printed ", count, " times");
    }
    // Every order came out with its two copies, including those whose print the kill
    // interrupted before it reached the printer (printed after the restart).
    for (const auto& [order, count] : prints_per_order) {
        CHECK_MESSAGE(count == 2, "order ", order, " printed ", count, " times");
    }
    CHECK_MESSAGE(static_cast<int>(prints_per_order.size()) >= acknowledged.prints_asked,
                  acknowledged.prints_asked, " print requests answered, only ",
                  prints_per_order.size(), " orders printed");
    // What the ledger recorded is what came out: nothing recorded was lost.
    auto ledger = drivers::printer::PrintLedger::open(data / "print-ledger.db");
    const auto unfinished = ledger.unfinished();
    REQUIRE(unfinished.has_value());
    CHECK_MESSAGE(unfinished->empty(), unfinished->size(), " prints still unfinished");
    const auto recorded = ledger.finished_since(0);
    REQUIRE(recorded.has_value());
    for (const auto& row : *recorded) {
        CHECK_MESSAGE(row.state == drivers::printer::LedgerState::completed, row.job_name, " is ",
                      drivers::printer::to_string(row.state));
        CHECK_MESSAGE(prints_per_job[row.job_name] == 1, row.job_name, " printed ",
                      prints_per_job[row.job_name], " times");
    }
    CHECK(recorded->size() == prints_per_job.size());
    MESSAGE(prints_per_job.size(), " prints of ", prints_per_order.size(), " orders, ",
            recorded->size(), " ledger rows; ", kills_mid_session, " kills during a session");
}
