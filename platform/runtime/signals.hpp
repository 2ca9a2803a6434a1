#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <functional>
#include <memory>

namespace encore::platform {

// Ignores SIGPIPE for the whole process: a peer that closes its socket (a camera,
// a kiosk, a browser) must give an EPIPE error, not kill the daemon. Call first in main().
void ignore_sigpipe();

// Calls `on_stop` once on the loop when SIGINT or SIGTERM arrives, after logging it
// and telling the service manager "STOPPING=1". A second signal
// while stopping ends the process at once, for an operator who presses Ctrl-C twice.
class StopSignals {
public:
    StopSignals(boost::asio::io_context& loop, std::function<void(int signal)> on_stop);

private:
    void wait();

    boost::asio::signal_set signals_;
    std::function<void(int)> on_stop_;
    bool stopping_ = false;
};

} // namespace encore::platform
