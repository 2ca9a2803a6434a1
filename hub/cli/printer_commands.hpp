#pragma once

// The printing commands of the `encore` command line. They talk to CUPS through the
// printer driver and honour CUPS_SERVER. Each returns the process's exit code: 0 when
// done, 1 with the driver's message on stderr when printing failed, 2 on a usage error.
namespace encore::hub::cli {

// encore print --printer QUEUE [--media SIZE] [--copies N] ... FILE
int print_command(int argc, const char* const* argv);

// encore printer status [QUEUE] [--json]
// encore printer resume QUEUE
int printer_command(int argc, const char* const* argv);

} // namespace encore::hub::cli
