// `encore camera ...` against the PTP/IP camera simulator.

#include "tests/integration/camera/camera_rig.hpp"

#include <doctest/doctest.h>

using namespace encore::testing::camera;
using encore::testing::run_program;
using encore::testing::TempDir;

namespace {

encore::testing::RunResult encore_camera(std::vector<std::string> arguments, const TempDir& home) {
    // libgphoto2 in the host writes ~/.gphoto: keep it in the test's folder.
    std::vector<std::string> command = {"HOME=" + home.path().string(),
                                        (encore::testing::bin_dir() / "encore").string(), "camera"};
    command.insert(command.end(), arguments.begin(), arguments.end());
    return run_program("/usr/bin/env", command, std::chrono::seconds(60));
}

} // namespace

TEST_CASE("encore camera capture writes the camera's JPEG byte for byte") {
    Simulator simulator;
    TempDir home;
    const auto out = home / "picture.jpg";
    const auto result = encore_camera({"capture", "--port", simulator.port_name(), "--model",
                                       "PTP/IP Camera", "--out", out.string()},
                                      home);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out.find("captured DSC_0001.JPG") != std::string::npos);
    const auto written = read_bytes(out);
    CHECK(!written.empty());
    CHECK(written == simulator.saved_capture(1));
}

TEST_CASE("encore camera preview prints the frames received and the frame rate") {
    Simulator simulator;
    TempDir home;
    // The model defaults to "PTP/IP Camera" on a ptpip: port.
    const auto result =
        encore_camera({"preview", "--port", simulator.port_name(), "--frames", "50"}, home);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out.find("frames received: 50 of 50") != std::string::npos);
    CHECK(result.out.find("frames per second: ") != std::string::npos);
    MESSAGE(result.out);
}

TEST_CASE("encore camera info shows battery and free space") {
    Simulator simulator;
    TempDir home;
    const auto result = encore_camera({"info", "--port", simulator.port_name()}, home);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out.find("model:        D750") != std::string::npos);
    CHECK(result.out.find("battery:      87 %") != std::string::npos);
}

TEST_CASE("encore camera exits 1 with the driver's message when the camera fails") {
    SimulatorOptions options;
    options.nikon_capture = true;
    Simulator simulator(options);
    TempDir home;
    simulator.fault("af-fail", true);
    const auto unfocused = encore_camera(
        {"capture", "--port", simulator.port_name(), "--out", (home / "x.jpg").string()}, home);
    CHECK(unfocused.exit_code == 1);
    CHECK(unfocused.err.find("the camera could not focus") != std::string::npos);
    CHECK(!std::filesystem::exists(home / "x.jpg"));

    simulator.control("vanish");
    const auto gone = encore_camera({"preview", "--port", simulator.port_name()}, home);
    CHECK(gone.exit_code == 1);
    CHECK(gone.err.find("switch it on") != std::string::npos);
}

TEST_CASE("encore camera list names the cameras on USB, or says there are none") {
    TempDir home;
    const auto result = encore_camera({"list"}, home);
    INFO(result.out, result.err);
    // This machine may or may not have a camera attached.
    if (result.exit_code == 0) {
        CHECK(result.out.find("usb:") != std::string::npos);
    } else {
        CHECK(result.exit_code == 1);
        CHECK(result.err.find("no camera found: connect the camera by USB and switch it on") !=
              std::string::npos);
    }
}

TEST_CASE("encore camera usage errors exit 2") {
    TempDir home;
    CHECK(encore_camera({"capture", "--port", "usb:001,004"}, home).exit_code == 2);
    CHECK(encore_camera({"preview", "--frames", "zero"}, home).exit_code == 2);
    CHECK(encore_camera({"juggle"}, home).exit_code == 2);
    CHECK(encore_camera({"--help"}, home).exit_code == 0);
}
