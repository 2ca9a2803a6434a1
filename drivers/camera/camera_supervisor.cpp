#include "drivers/camera/camera_supervisor.hpp"

#include "platform/log/logger.hpp"

#include <boost/asio/post.hpp>

#include <cstdio>

namespace encore::drivers::camera {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

const platform::Logger log("camera");

} // namespace

std::string_view to_string(LinkState state) {
    switch (state) {
    case LinkState::stopped:
        return "stopped";
    case LinkState::connecting:
        return "connecting";
    case LinkState::connected:
        return "connected";
    case LinkState::reconnecting:
        return "reconnecting";
    }
    return "unknown";
}

bool means_camera_lost(const Error& error) {
    return is(error, Errc::disconnected) || is(error, Errc::timed_out) ||
           is(error, Errc::host_failed) || is(error, Errc::not_open) || is(error, Errc::no_camera);
}

std::string usb_port_name(int bus, int address) {
    char name[32];
    std::snprintf(name, sizeof name, "usb:%03d,%03d", bus, address);
    return name;
}

class CameraSupervisor::Impl : public std::enable_shared_from_this<Impl> {
public:
    Impl(asio::any_io_executor loop, Camera& camera, SupervisorOptions options)
        : loop_(std::move(loop))
        , camera_(camera)
        , options_(std::move(options))
        , backoff_(options_.backoff)
        , retry_timer_(loop_)
        , idle_timer_(loop_)
        , health_timer_(loop_) {}

    void start() {
        if (!stopped_) {
            return;
        }
        stopped_ = false;
        status_.state = LinkState::connecting;
        notify();
        attempt();
    }

    void stop(Completion<void> done) {
        shut_down();
        status_.state = LinkState::stopped;
        status_.live_view_on = false;
        notify();
        camera_.close(std::move(done));
    }

    void shut_down() {
        stopped_ = true;
        retry_timer_.cancel();
        idle_timer_.cancel();
        health_timer_.cancel();
        live_view_since_.reset();
    }

    void capture(Completion<CapturedPhoto> done) {
        if (!connected()) {
            fail_now(std::move(done));
            return;
        }
        camera_.capture([this, self = shared_from_this(),
                         done = std::move(done)](Result<CapturedPhoto> result) {
            if (result) {
                clear_error();
            } else {
                call_failed(result.error());
            }
            done(std::move(result));
        });
    }

    void preview(Completion<LiveViewFrame> done) {
        if (!connected()) {
            fail_now(std::move(done));
            return;
        }
        last_preview_ = Clock::now();
        watch_idle_live_view();
        const bool due =
            live_view_since_ && Clock::now() - *live_view_since_ >= options_.live_view_restart;
        if (due && !restarting_) {
            restarting_ = true;
            log.info(
                "restarting live view after ",
                std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - *live_view_since_)
                    .count(),
                " s, before the camera ends it on its own");
            camera_.stop_live_view([this, self = shared_from_this(),
                                    done = std::move(done)](Result<void> stopped) mutable {
                restarting_ = false;
                live_view_ended();
                if (!stopped) {
                    call_failed(stopped.error());
                    if (means_camera_lost(stopped.error())) {
                        done(stopped.error());
                        return;
                    }
                }
                if (stopped_) {
                    done(make_error(Errc::not_open, "the camera was closed"));
                    return;
                }
                fetch_frame(std::move(done));
            });
            return;
        }
        fetch_frame(std::move(done));
    }

    void info(Completion<CameraInfo> done) {
        if (!connected()) {
            fail_now(std::move(done));
            return;
        }
        camera_.info(
            [this, self = shared_from_this(), done = std::move(done)](Result<CameraInfo> result) {
                if (result) {
                    status_.camera = *result;
                    notify();
                } else {
                    call_failed(result.error());
                }
                done(std::move(result));
            });
    }

    void camera_arrived() {
        if (stopped_ || connected()) {
            return;
        }
        log.info("a camera arrived on USB; opening it now");
        if (opening_) {
            // The attempt under way may have been too early; try again right after it.
            retry_now_ = true;
            return;
        }
        retry_timer_.cancel();
        attempt();
    }

    void camera_left(const std::optional<std::string>& port) {
        if (stopped_ || !connected()) {
            return;
        }
        const auto& ours = status_.camera ? status_.camera->port : std::string();
        if (port && *port == ours) {
            lost(make_error(Errc::disconnected, "the camera at " + ours +
                                                    " was unplugged or switched off: connect it by "
                                                    "USB and switch it on"));
            return;
        }
        if (!port && ours.rfind("usb:", 0) == 0) {
            // Some still-image device left; ask ours whether it is still there.
            check_health();
        }
    }

    const CameraStatus& status() const { return status_; }

    void on_status_changed(std::function<void(const CameraStatus&)> observer) {
        observer_ = std::move(observer);
    }

private:
    bool connected() const { return !stopped_ && status_.state == LinkState::connected; }

    template <typename T>
    void fail_now(Completion<T> done) {
        Error error = status_.last_error ? *status_.last_error
                                         : make_error(Errc::not_open,
                                                      stopped_ ? "the camera is not in use"
                                                               : "the camera is not connected yet");
        if (status_.state == LinkState::reconnecting || status_.state == LinkState::connecting) {
            error.message = "the camera is not connected (reconnecting): " + describe(error);
        }
        asio::post(loop_, [done = std::move(done), error = std::move(error)]() mutable {
            done(std::move(error));
        });
    }

    void notify() {
        if (observer_) {
            observer_(status_);
        }
    }

    void clear_error() {
        if (status_.last_error) {
            status_.last_error.reset();
            notify();
        }
    }

    void call_failed(const Error& error) {
        if (means_camera_lost(error)) {
            lost(error);
            return;
        }
        status_.last_error = error;
        notify();
    }

    void attempt() {
        if (stopped_ || opening_) {
            return;
        }
        opening_ = true;
        camera_.open(options_.selector,
                     [this, self = shared_from_this()](Result<CameraInfo> result) {
                         opened(std::move(result));
                     });
    }

    void opened(Result<CameraInfo> result) {
        opening_ = false;
        if (stopped_) {
            return;
        }
        if (result) {
            log.info("camera connected: ", result->manufacturer, " ", result->model, " at ",
                     result->port);
            status_.state = LinkState::connected;
            status_.camera = std::move(*result);
            status_.last_error.reset();
            status_.failed_attempts = 0;
            status_.live_view_on = false;
            live_view_since_.reset();
            backoff_.reset();
            retry_now_ = false;
            notify();
            schedule_health_check();
            return;
        }
        ++status_.failed_attempts;
        status_.state = LinkState::reconnecting;
        status_.last_error = result.error();
        notify();
        if (retry_now_) {
            retry_now_ = false;
            attempt();
            return;
        }
        const auto wait = backoff_.next();
        log.info("cannot open the camera (", describe(result.error()), "); trying again in ",
                 wait.count(), " ms");
        retry_timer_.expires_after(wait);
        retry_timer_.async_wait([this, self = shared_from_this()](boost::system::error_code error) {
            if (!error) {
                attempt();
            }
        });
    }

    void lost(const Error& error) {
        if (stopped_ || status_.state != LinkState::connected) {
            return;
        }
        log.warning("camera lost: ", describe(error));
        status_.state = LinkState::reconnecting;
        status_.last_error = error;
        status_.live_view_on = false;
        live_view_since_.reset();
        health_timer_.cancel();
        notify();
        // The first attempt goes at once (a drop is often brief); the backoff starts
        // with its failure.
        attempt();
    }

    void fetch_frame(Completion<LiveViewFrame> done) {
        camera_.preview([this, self = shared_from_this(),
                         done = std::move(done)](Result<LiveViewFrame> result) {
            if (result) {
                if (!live_view_since_ && !stopped_ && connected()) {
                    live_view_since_ = Clock::now();
                    status_.live_view_on = true;
                    notify();
                }
            } else {
                call_failed(result.error());
            }
            done(std::move(result));
        });
    }

    void live_view_ended() {
        live_view_since_.reset();
        if (status_.live_view_on) {
            status_.live_view_on = false;
            notify();
        }
    }

    void watch_idle_live_view() {
        if (options_.live_view_idle_stop.count() <= 0 || idle_watch_) {
            return;
        }
        idle_watch_ = true;
        idle_timer_.expires_at(last_preview_ + options_.live_view_idle_stop);
        idle_timer_.async_wait([this, self = shared_from_this()](boost::system::error_code error) {
            idle_watch_ = false;
            if (error || stopped_ || !live_view_since_) {
                return;
            }
            if (Clock::now() - last_preview_ < options_.live_view_idle_stop) {
                watch_idle_live_view();
                return;
            }
            log.info("no live-view frame asked for in ",
                     std::chrono::duration_cast<std::chrono::seconds>(options_.live_view_idle_stop)
                         .count(),
                     " s; ending live view");
            camera_.stop_live_view([this, self](Result<void> stopped) {
                live_view_ended();
                if (!stopped) {
                    call_failed(stopped.error());
                }
            });
        });
    }

    void schedule_health_check() {
        if (options_.health_check.count() <= 0) {
            return;
        }
        health_timer_.expires_after(options_.health_check);
        health_timer_.async_wait(
            [this, self = shared_from_this()](boost::system::error_code error) {
                if (!error && connected()) {
                    check_health();
                }
            });
    }

    void check_health() {
        camera_.info([this, self = shared_from_this()](Result<CameraInfo> result) {
            if (stopped_) {
                return;
            }
            if (result) {
                status_.camera = std::move(*result);
                notify();
                schedule_health_check();
                return;
            }
            call_failed(result.error());
            if (connected()) {
                schedule_health_check();
            }
        });
    }

    asio::any_io_executor loop_;
    Camera& camera_;
    SupervisorOptions options_;
    Backoff backoff_;
    CameraStatus status_;
    std::function<void(const CameraStatus&)> observer_;

    bool stopped_ = true;
    bool opening_ = false;
    bool retry_now_ = false;
    bool restarting_ = false;
    bool idle_watch_ = false;
    std::optional<Clock::time_point> live_view_since_;
    Clock::time_point last_preview_{};

    asio::steady_timer retry_timer_;
    asio::steady_timer idle_timer_;
    asio::steady_timer health_timer_;
};

CameraSupervisor::CameraSupervisor(asio::any_io_executor loop, Camera& camera,
                                   SupervisorOptions options)
    : impl_(std::make_shared<Impl>(std::move(loop), camera, std::move(options))) {}

CameraSupervisor::~CameraSupervisor() {
    impl_->shut_down();
}

void CameraSupervisor::start() {
    impl_->start();
}

void CameraSupervisor::stop(Completion<void> done) {
    impl_->stop(std::move(done));
}

void CameraSupervisor::capture(Completion<CapturedPhoto> done) {
    impl_->capture(std::move(done));
}

void CameraSupervisor::preview(Completion<LiveViewFrame> done) {
    impl_->preview(std::move(done));
}

void CameraSupervisor::info(Completion<CameraInfo> done) {
    impl_->info(std::move(done));
}

void CameraSupervisor::camera_arrived() {
    impl_->camera_arrived();
}

void CameraSupervisor::camera_left(std::optional<std::string> port) {
    impl_->camera_left(port);
}

const CameraStatus& CameraSupervisor::status() const {
    return impl_->status();
}

void CameraSupervisor::on_status_changed(std::function<void(const CameraStatus&)> observer) {
    impl_->on_status_changed(std::move(observer));
}

} // namespace encore::drivers::camera
