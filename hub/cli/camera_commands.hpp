#pragma once

// The camera commands of the `encore` command line, for an operator at a booth (or a
// developer with the PTP/IP camera simulator). They drive the camera through the camera
// driver, which runs libgphoto2 in encore-camera-host next to `encore`. Each returns the
// process's exit code: 0 when done, 1 with the driver's message on stderr when the
// camera failed, 2 on a usage error.
namespace encore::hub::cli {

// encore camera list
// encore camera info    [--port PORT] [--model M]
// encore camera capture [--port PORT] [--model M] --out FILE
// encore camera preview [--port PORT] [--model M] [--frames N]
int camera_command(int argc, const char* const* argv);

} // namespace encore::hub::cli
