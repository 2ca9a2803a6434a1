#pragma once

#include "drivers/printer/printer.hpp"

#include <chrono>
#include <memory>
#include <string>

// The libcups backend of Printer. It speaks IPP to cupsd over its own connection; no
// libcups type appears here.
namespace encore::drivers::printer {

struct CupsOptions {
    // Where cupsd listens: "host:port", "host" (port 631) or a socket path. Empty: what
    // libcups answers on the thread that calls make_cups_printer, which honours the
    // CUPS_SERVER environment variable, cupsSetServer() and client.conf. (libcups keeps
    // that setting per thread, and the printer's calls run on a worker thread, so it is
    // captured once, here.)
    std::string server;
    // Bound on connecting and on each wait for an answer.
    std::chrono::milliseconds timeout = std::chrono::seconds(10);
    // requesting-user-name; empty: libcups's user (the process's login name). Jobs are
    // found again by name, and CUPS shows job names only to their owner unless its
    // JobPrivateValues says otherwise: keep it the same across restarts.
    std::string user;
};

std::unique_ptr<Printer> make_cups_printer(const CupsOptions& options = {});

} // namespace encore::drivers::printer
