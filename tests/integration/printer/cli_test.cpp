// `encore print` and `encore printer status|resume` against a private cupsd, found
// through CUPS_SERVER as an operator's shell would.

#include "tests/integration/printer/print_rig.hpp"
#include "tests/support/child_process.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace encore::testing;
using namespace std::chrono_literals;

namespace {

RunResult encore_with(const PrintRig& rig, std::vector<std::string> arguments) {
    ChildProcess child(bin_dir() / "encore", std::move(arguments), {"CUPS_SERVER=" + rig.server()});
    RunResult result;
    result.exit_code = child.wait_for_exit(30s).value_or(-1);
    result.out = child.stdout_text();
    result.err = child.stderr_text();
    return result;
}

} // namespace

TEST_CASE("encore print prints every copy and says so") {
    PrintRig rig;
    const auto photo = rig.work() / "photo.jpg";
    const auto bytes = write_photo(photo, "cli print");
    const auto result = encore_with(
        rig, {"print", "--printer", "booth", "--media", "4x6", "--copies", "2", photo.string()});
    INFO(result.out);
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("copy 2: completed") != std::string::npos);
    CHECK(result.out.find("printed 2 copies") != std::string::npos);
    const auto files = rig.prints("booth");
    REQUIRE(files.size() == 2);
    CHECK(read_bytes(files[0]) == bytes);
    CHECK(read_bytes(files[1]) == bytes);
}

TEST_CASE("encore print names a missing queue, a bad size and a missing file, and fails") {
    PrintRig rig;
    const auto photo = rig.work() / "photo.jpg";
    write_photo(photo, "cli errors");
    auto result = encore_with(rig, {"print", "--printer", "nosuch", photo.string()});
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("no such print queue 'nosuch': check the printer name with `encore "
                          "printer status`") != std::string::npos);
    result = encore_with(rig, {"print", "--printer", "booth", "--media", "A4", photo.string()});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("--media must be one of 4x6, 5x7, 6x8, 8x10, 2x6") != std::string::npos);
    result = encore_with(rig, {"print", "--printer", "booth", (rig.work() / "none.jpg").string()});
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("cannot read") != std::string::npos);
    CHECK(rig.prints("booth").empty());
}

TEST_CASE("encore printer status lists queues, and shows one queue's trouble as JSON") {
    PrintRig rig;
    auto listed = encore_with(rig, {"printer", "status"});
    CHECK(listed.exit_code == 0);
    CHECK(listed.out.find("booth (default)") != std::string::npos);
    CHECK(listed.out.find("lab") != std::string::npos);

    rig.fault("booth", "media-empty");
    const auto photo = rig.work() / "photo.jpg";
    write_photo(photo, "status");
    REQUIRE(run_program("/usr/bin/lp",
                        {"-h", rig.server(), "-d", "booth", "-t", "waiting", photo.string()})
                .exit_code == 0);
    const auto printer = rig.printer();
    REQUIRE(wait_until(
        [&] {
            return printer->status("booth")->state ==
                   encore::drivers::printer::PrinterState::stopped;
        },
        5s));
    const auto result = encore_with(rig, {"printer", "status", "booth", "--json"});
    REQUIRE(result.exit_code == 0);
    const auto json = nlohmann::json::parse(result.out);
    CHECK(json["queue"] == "booth");
    CHECK(json["state"] == "stopped");
    CHECK(json["condition"] == "out-of-paper");
    CHECK(json["advice"] ==
          "printer 'booth' is out of paper: load paper, then run `encore printer resume booth`");
    CHECK(json["reasons"] == nlohmann::json::array({"media-empty-error", "paused"}));
    REQUIRE(json["jobs"].size() == 1);
    CHECK(json["jobs"][0]["name"] == "waiting");
    CHECK(json["jobs"][0]["state"] == "pending");

    const auto text = encore_with(rig, {"printer", "status", "booth"});
    CHECK(text.out.find("printer 'booth': stopped") != std::string::npos);
    CHECK(text.out.find("1 queued job(s)") != std::string::npos);

    // The operator loads paper and resumes: the waiting job prints once.
    rig.fault("booth", "clear");
    const auto resumed = encore_with(rig, {"printer", "resume", "booth"});
    CHECK(resumed.exit_code == 0);
    CHECK(resumed.out.find("printer 'booth' resumed") != std::string::npos);
    REQUIRE(wait_until([&] { return rig.prints("booth").size() == 1; }, 10s));

    const auto missing = encore_with(rig, {"printer", "status", "nosuch"});
    CHECK(missing.exit_code == 1);
    CHECK(missing.err.find("no such print queue 'nosuch'") != std::string::npos);
}

TEST_CASE("encore printer status with no print server says where it looked") {
    ChildProcess child(bin_dir() / "encore", {"printer", "status", "booth"},
                       {"CUPS_SERVER=127.0.0.1:1"});
    CHECK(child.wait_for_exit(20s) == 1);
    CHECK(child.stderr_text().find("print server unreachable at 127.0.0.1:1: is cupsd running?") !=
          std::string::npos);
    TempDir dir;
    write_photo(dir / "photo.jpg", "no server");
    ChildProcess print(bin_dir() / "encore",
                       {"print", "--printer", "booth", (dir / "photo.jpg").string()},
                       {"CUPS_SERVER=127.0.0.1:1"});
    CHECK(print.wait_for_exit(20s) == 1);
    CHECK(print.stderr_text().find("print server unreachable at 127.0.0.1:1") != std::string::npos);
}
