#include "platform/runtime/signals.hpp"

#include "platform/log/logger.hpp"
#include "platform/runtime/service_notify.hpp"

#include <csignal>
#include <cstdlib>

namespace encore::platform {

void ignore_sigpipe() {
    std::signal(SIGPIPE, SIG_IGN);
}

StopSignals::StopSignals(boost::asio::io_context& loop, std::function<void(int)> on_stop)
    : signals_(loop, SIGINT, SIGTERM)
    , on_stop_(std::move(on_stop)) {
    wait();
}

void StopSignals::wait() {
    signals_.async_wait([this](const boost::system::error_code& error, int signal) {
        if (error) {
            return;
        }
        if (stopping_) {
            std::_Exit(128 + signal);
        }
        stopping_ = true;
        Logger("signals").info("stopping on signal ", signal);
        notify_service_manager("STOPPING=1");
        on_stop_(signal);
        wait();
    });
}

} // namespace encore::platform
