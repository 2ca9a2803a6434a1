#include "drivers/camera/hosted_camera.hpp"

#include "drivers/camera/host_protocol.hpp"
#include "platform/log/logger.hpp"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace encore::drivers::camera {

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;
using Clock = std::chrono::steady_clock;

namespace {

const platform::Logger log("camera");

// The descriptor number the host finds its socket at.
constexpr int host_fd = 3;

std::string seconds_text(std::chrono::milliseconds duration) {
    const auto tenths = (duration.count() + 50) / 100;
    std::string text = std::to_string(tenths / 10);
    if (tenths % 10 != 0) {
        text += "." + std::to_string(tenths % 10);
    }
    return text + " s";
}

std::string exit_text(int status) {
    if (WIFEXITED(status)) {
        return "exited with status " + std::to_string(WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status)) {
        return std::string("was killed by signal ") + ::strsignal(WTERMSIG(status));
    }
    return "ended";
}

template <typename T>
Result<T> payload_of(Result<host::Reply> reply) {
    if (!reply) {
        return reply.error();
    }
    if (reply->error) {
        return *reply->error;
    }
    if (auto* value = std::get_if<T>(&reply->payload)) {
        return std::move(*value);
    }
    return make_error(Errc::host_failed, "the camera helper process sent a reply of the wrong "
                                         "kind");
}

Result<void> nothing_of(Result<host::Reply> reply) {
    if (!reply) {
        return reply.error();
    }
    if (reply->error) {
        return *reply->error;
    }
    return {};
}

} // namespace

std::filesystem::path find_camera_host() {
    if (const char* configured = std::getenv("ENCORE_CAMERA_HOST");
        configured != nullptr && *configured != '\0') {
        return configured;
    }
    std::error_code error;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
    if (error) {
        return "encore-camera-host";
    }
    return self.parent_path() / "encore-camera-host";
}

class HostedCamera::Impl : public std::enable_shared_from_this<Impl> {
public:
    using ReplyHandler = std::function<void(Result<host::Reply>)>;

    Impl(asio::any_io_executor loop, HostedCameraOptions options)
        : loop_(std::move(loop))
        , options_(std::move(options))
        , deadline_timer_(loop_)
        , reap_timer_(loop_) {
        if (options_.host_program.empty()) {
            options_.host_program = find_camera_host();
        }
    }

    ~Impl() {
        // Only reached once the loop holds no handler of ours (it was destroyed or stopped
        // running): a host told to go gets the rest of its second, then is killed.
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            children_.push_back({pid_, Clock::now()});
        }
        for (const auto& child : children_) {
            while (Clock::now() < child.kill_at && ::waitpid(child.pid, nullptr, WNOHANG) == 0) {
                ::usleep(5000);
            }
            ::kill(child.pid, SIGKILL);
            ::waitpid(child.pid, nullptr, 0);
        }
    }

    const HostedCameraOptions& options() const { return options_; }

    void submit(host::Request request, std::chrono::milliseconds deadline, ReplyHandler done) {
        queue_.push_back(Call{std::move(request), deadline, std::move(done)});
        pump();
    }

    // Ends the host and forgets every pending call without calling it.
    void shut_down() {
        stopped_ = true;
        queue_.clear();
        deadline_timer_.cancel();
        end_host(Ending::gently);
    }

    std::optional<int> host_pid() const {
        return pid_ > 0 ? std::optional<int>(pid_) : std::nullopt;
    }
    int hosts_started() const { return hosts_started_; }

private:
    struct Call {
        host::Request request;
        std::chrono::milliseconds deadline;
        ReplyHandler done;
    };

    // A host process that has been told to go (or killed) and still has to be reaped.
    struct Child {
        pid_t pid;
        Clock::time_point kill_at;
    };

    enum class Ending { gently, at_once };

    void pump() {
        if (stopped_ || in_flight_ || queue_.empty()) {
            return;
        }
        in_flight_ = true;
        auto& call = queue_.front();
        const auto op = call.request.op;
        if (op == host::Op::close && !socket_) {
            selector_.reset();
            finish(host::Reply{op, 0, std::nullopt, {}});
            return;
        }
        const bool needs_session = op == host::Op::capture || op == host::Op::preview ||
                                   op == host::Op::stop_live_view || op == host::Op::info;
        if (needs_session && !selector_) {
            finish(make_error(Errc::not_open, "the camera is not open"));
            return;
        }
        if (!socket_) {
            if (auto started = start_host(); !started) {
                finish(started.error());
                return;
            }
        }
        if (needs_session && !session_open_) {
            // The host was reset or the camera dropped since it was opened: open it
            // again first, within the open deadline, then make the call.
            host::Request reopen{host::Op::open, 0, *selector_};
            log.info("reopening the camera at ", selector_->port, " before ", host::to_string(op));
            send(std::move(reopen), options_.deadlines.open,
                 [this, self = shared_from_this()](Result<host::Reply> reply) {
                     if (stopped_ || queue_.empty()) {
                         return;
                     }
                     if (!reply || reply->error) {
                         finish(std::move(reply));
                         return;
                     }
                     session_open_ = true;
                     auto& again = queue_.front();
                     send(again.request, again.deadline,
                          [this, self](Result<host::Reply> result) { finish(std::move(result)); });
                 });
            return;
        }
        send(call.request, call.deadline,
             [this, self = shared_from_this()](Result<host::Reply> reply) {
                 finish(std::move(reply));
             });
    }

    // Completes the call at the head of the queue and moves on to the next.
    void finish(Result<host::Reply> reply) {
        if (stopped_ || queue_.empty()) {
            return;
        }
        auto call = std::move(queue_.front());
        queue_.pop_front();
        in_flight_ = false;
        note_outcome(call.request, reply);
        if (call.request.op == host::Op::close && socket_) {
            end_host(Ending::gently);
        }
        asio::post(loop_, [done = std::move(call.done), reply = std::move(reply)]() mutable {
            done(std::move(reply));
        });
        pump();
    }

    // Keeps track of whether the host has the camera open.
    void note_outcome(const host::Request& request, const Result<host::Reply>& reply) {
        std::optional<Error> error;
        if (!reply) {
            error = reply.error();
        } else if (reply->error) {
            error = reply->error;
        }
        switch (request.op) {
        case host::Op::open:
            session_open_ = !error;
            if (!error) {
                selector_ = request.selector;
            } else {
                selector_.reset();
            }
            return;
        case host::Op::close:
            session_open_ = false;
            selector_.reset();
            return;
        default:
            break;
        }
        if (error && (is(*error, Errc::disconnected) || is(*error, Errc::not_open))) {
            // The host closed its session; the next call opens it again.
            session_open_ = false;
        }
    }

    Result<void> start_host() {
        int pair[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
            return make_error(Errc::host_failed, std::string("cannot create a socket pair for the "
                                                             "camera helper process: ") +
                                                     std::strerror(errno));
        }
        int child_end = pair[1];
        if (child_end == host_fd) {
            // dup2 onto itself would keep close-on-exec set.
            child_end = ::fcntl(pair[1], F_DUPFD_CLOEXEC, host_fd + 1);
            ::close(pair[1]);
        }

        std::vector<std::string> arguments = {options_.host_program.string(), "--fd",
                                              std::to_string(host_fd), "--parent-pid",
                                              std::to_string(::getpid())};
        if (!options_.host_log_level.empty()) {
            arguments.push_back("--log-level");
            arguments.push_back(options_.host_log_level);
        }
        std::vector<char*> argv;
        for (auto& argument : arguments) {
            argv.push_back(argument.data());
        }
        argv.push_back(nullptr);

        std::vector<std::string> environment;
        for (char** entry = environ; *entry != nullptr; ++entry) {
            if (!options_.gphoto_home.empty() && std::strncmp(*entry, "HOME=", 5) == 0) {
                continue;
            }
            environment.emplace_back(*entry);
        }
        if (!options_.gphoto_home.empty()) {
            environment.push_back("HOME=" + options_.gphoto_home.string());
        }
        std::vector<char*> envp;
        for (auto& entry : environment) {
            envp.push_back(entry.data());
        }
        envp.push_back(nullptr);

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, child_end, host_fd);
        posix_spawn_file_actions_addclosefrom_np(&actions, host_fd + 1);
        posix_spawnattr_t attributes;
        posix_spawnattr_init(&attributes);
        sigset_t no_signals;
        sigemptyset(&no_signals);
        sigset_t all_signals;
        sigfillset(&all_signals);
        posix_spawnattr_setsigmask(&attributes, &no_signals);
        posix_spawnattr_setsigdefault(&attributes, &all_signals);
        posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

        pid_t pid = -1;
        const int error = ::posix_spawn(&pid, options_.host_program.c_str(), &actions, &attributes,
                                        argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attributes);
        ::close(child_end);
        if (error != 0) {
            ::close(pair[0]);
            return make_error(Errc::host_failed,
                              "cannot start the camera helper " + options_.host_program.string() +
                                  ": " + std::strerror(error) +
                                  " (install it next to this program or set ENCORE_CAMERA_HOST)");
        }
        socket_ = std::make_unique<Socket>(loop_, asio::local::stream_protocol(), pair[0]);
        pid_ = pid;
        ++hosts_started_;
        session_open_ = false;
        log.debug("started camera helper ", options_.host_program.string(), " as process ", pid);
        return {};
    }

    // Ends the current host: `gently` closes its socket (it finishes its session and
    // exits, or is killed a second later); `at_once` kills it now.
    void end_host(Ending how) {
        ++generation_;
        session_open_ = false;
        if (socket_) {
            boost::system::error_code ignored;
            socket_->close(ignored);
            socket_.reset();
        }
        if (pid_ > 0) {
            if (how == Ending::at_once) {
                ::kill(pid_, SIGKILL);
            }
            children_.push_back({pid_, how == Ending::at_once
                                           ? Clock::now()
                                           : Clock::now() + std::chrono::seconds(1)});
            pid_ = -1;
            reap();
        }
    }

    // Collects ended hosts without blocking the loop, killing those that linger.
    void reap() {
        const auto now = Clock::now();
        for (auto child = children_.begin(); child != children_.end();) {
            int status = 0;
            const auto result = ::waitpid(child->pid, &status, WNOHANG);
            if (result == child->pid || (result < 0 && errno == ECHILD)) {
                if (result == child->pid) {
                    log.debug("camera helper ", child->pid, " ", exit_text(status));
                }
                child = children_.erase(child);
                continue;
            }
            if (now >= child->kill_at) {
                ::kill(child->pid, SIGKILL);
            }
            ++child;
        }
        if (!children_.empty() && !reaping_) {
            reaping_ = true;
            reap_timer_.expires_after(std::chrono::milliseconds(20));
            reap_timer_.async_wait([this, self = shared_from_this()](boost::system::error_code) {
                reaping_ = false;
                reap();
            });
        }
    }

    void send(host::Request request, std::chrono::milliseconds deadline, ReplyHandler on_reply) {
        request.sequence = next_sequence_++;
        const auto generation = generation_;
        auto exchange = std::make_shared<Exchange>();
        exchange->request = request;
        exchange->deadline = deadline;
        exchange->on_reply = std::move(on_reply);
        exchange->outgoing = host::encode(request);
        exchange_ = exchange;

        deadline_timer_.expires_after(deadline);
        deadline_timer_.async_wait([this, self = shared_from_this(), generation,
                                    watched = std::weak_ptr<Exchange>(exchange)](
                                       boost::system::error_code error) {
            // The reply may have come (and the next call gone out) after this expiry was
            // queued: only the exchange it was set for times out.
            if (error || generation != generation_ || !exchange_ || exchange_ != watched.lock()) {
                return;
            }
            timed_out();
        });
        asio::async_write(*socket_, asio::buffer(exchange->outgoing),
                          [this, self = shared_from_this(), generation,
                           exchange](boost::system::error_code error, std::size_t) {
                              if (generation != generation_) {
                                  return;
                              }
                              if (error) {
                                  host_lost("while sending it " +
                                            std::string(host::to_string(exchange->request.op)));
                                  return;
                              }
                              read_header(generation, exchange);
                          });
    }

    struct Exchange {
        host::Request request;
        std::chrono::milliseconds deadline{0};
        ReplyHandler on_reply;
        std::vector<std::uint8_t> outgoing;
        std::array<std::uint8_t, host::frame_header_size> header{};
        std::vector<std::uint8_t> body;
    };

    void read_header(std::uint64_t generation, std::shared_ptr<Exchange> exchange) {
        asio::async_read(*socket_, asio::buffer(exchange->header),
                         [this, self = shared_from_this(), generation,
                          exchange](boost::system::error_code error, std::size_t) {
                             if (generation != generation_) {
                                 return;
                             }
                             if (error) {
                                 host_lost("during " +
                                           std::string(host::to_string(exchange->request.op)));
                                 return;
                             }
                             const auto length = host::body_length(exchange->header);
                             if (!length) {
                                 protocol_failed("an oversized reply");
                                 return;
                             }
                             exchange->body.resize(*length);
                             read_body(generation, exchange);
                         });
    }

    void read_body(std::uint64_t generation, std::shared_ptr<Exchange> exchange) {
        asio::async_read(*socket_, asio::buffer(exchange->body),
                         [this, self = shared_from_this(), generation,
                          exchange](boost::system::error_code error, std::size_t) {
                             if (generation != generation_) {
                                 return;
                             }
                             if (error) {
                                 host_lost("during " +
                                           std::string(host::to_string(exchange->request.op)));
                                 return;
                             }
                             auto reply = host::decode_reply(exchange->body);
                             if (!reply || reply->sequence != exchange->request.sequence ||
                                 reply->op != exchange->request.op) {
                                 protocol_failed("a malformed or unexpected reply");
                                 return;
                             }
                             deadline_timer_.cancel();
                             exchange_.reset();
                             exchange->on_reply(std::move(*reply));
                         });
    }

    void timed_out() {
        auto exchange = std::move(exchange_);
        const auto op = exchange->request.op;
        log.warning("the camera gave no answer to ", host::to_string(op), " within ",
                    seconds_text(exchange->deadline), "; killing its helper process ", pid_);
        end_host(Ending::at_once);
        exchange->on_reply(make_error(
            Errc::timed_out, "the camera stopped answering (no reply to " +
                                 std::string(host::to_string(op)) + " within " +
                                 seconds_text(exchange->deadline) +
                                 ") and was reset: its connection was closed and the next call "
                                 "opens it afresh; if this repeats, switch the camera off and "
                                 "on"));
    }

    void host_lost(const std::string& when) {
        auto exchange = std::move(exchange_);
        deadline_timer_.cancel();
        const auto pid = pid_;
        std::string how = "closed its connection";
        int status = 0;
        // It has usually exited already; a moment's wait tells how.
        for (int attempt = 0; pid > 0 && attempt < 5; ++attempt) {
            if (::waitpid(pid, &status, WNOHANG) == pid) {
                how = exit_text(status);
                pid_ = -1;
                break;
            }
            ::usleep(1000);
        }
        log.error("the camera helper process ", pid, " ", how, " ", when);
        end_host(Ending::at_once);
        if (exchange) {
            exchange->on_reply(make_error(Errc::host_failed,
                                          "the camera helper process (encore-camera-host) " + how +
                                              " " + when + "; it is restarted on the next call"));
        }
    }

    void protocol_failed(const std::string& what) {
        auto exchange = std::move(exchange_);
        deadline_timer_.cancel();
        log.error("the camera helper process sent ", what, "; killing it");
        end_host(Ending::at_once);
        if (exchange) {
            exchange->on_reply(make_error(Errc::host_failed,
                                          "the camera helper process sent " + what +
                                              "; it was killed and is restarted on the next call"));
        }
    }

    asio::any_io_executor loop_;
    HostedCameraOptions options_;
    std::deque<Call> queue_;
    bool in_flight_ = false;
    bool stopped_ = false;

    std::unique_ptr<Socket> socket_;
    pid_t pid_ = -1;
    int hosts_started_ = 0;
    // Bumped whenever a host ends, so that its late completions are ignored.
    std::uint64_t generation_ = 0;
    std::uint32_t next_sequence_ = 1;
    std::shared_ptr<Exchange> exchange_;
    asio::steady_timer deadline_timer_;

    bool session_open_ = false;
    // What the last successful open chose; the camera is reopened with it after a reset.
    std::optional<CameraSelector> selector_;

    std::vector<Child> children_;
    asio::steady_timer reap_timer_;
    bool reaping_ = false;
};

HostedCamera::HostedCamera(asio::any_io_executor loop, HostedCameraOptions options)
    : impl_(std::make_shared<Impl>(std::move(loop), std::move(options))) {}

HostedCamera::~HostedCamera() {
    impl_->shut_down();
}

void HostedCamera::list(Completion<std::vector<DetectedCamera>> done) {
    impl_->submit(host::Request{host::Op::list, 0, {}}, impl_->options().deadlines.list,
                  [done = std::move(done)](Result<host::Reply> reply) {
                      done(payload_of<std::vector<DetectedCamera>>(std::move(reply)));
                  });
}

void HostedCamera::open(const CameraSelector& selector, Completion<CameraInfo> done) {
    impl_->submit(host::Request{host::Op::open, 0, selector}, impl_->options().deadlines.open,
                  [done = std::move(done)](Result<host::Reply> reply) {
                      done(payload_of<CameraInfo>(std::move(reply)));
                  });
}

void HostedCamera::capture(Completion<CapturedPhoto> done) {
    impl_->submit(host::Request{host::Op::capture, 0, {}}, impl_->options().deadlines.capture,
                  [done = std::move(done)](Result<host::Reply> reply) {
                      done(payload_of<CapturedPhoto>(std::move(reply)));
                  });
}

void HostedCamera::preview(Completion<LiveViewFrame> done) {
    impl_->submit(host::Request{host::Op::preview, 0, {}}, impl_->options().deadlines.preview,
                  [done = std::move(done)](Result<host::Reply> reply) {
                      done(payload_of<LiveViewFrame>(std::move(reply)));
                  });
}

void HostedCamera::stop_live_view(Completion<void> done) {
    impl_->submit(host::Request{host::Op::stop_live_view, 0, {}},
                  impl_->options().deadlines.stop_live_view,
                  [done = std::move(done)](Result<host::Reply> reply) {
                      done(nothing_of(std::move(reply)));
                  });
}

void HostedCamera::info(Completion<CameraInfo> done) {
    impl_->submit(host::Request{host::Op::info, 0, {}}, impl_->options().deadlines.info,
                  [done = std::move(done)](Result<host::Reply> reply) {
                      done(payload_of<CameraInfo>(std::move(reply)));
                  });
}

void HostedCamera::close(Completion<void> done) {
    impl_->submit(host::Request{host::Op::close, 0, {}}, impl_->options().deadlines.close,
                  [done = std::move(done)](Result<host::Reply> reply) {
                      done(nothing_of(std::move(reply)));
                  });
}

std::optional<int> HostedCamera::host_pid() const {
    return impl_->host_pid();
}

int HostedCamera::hosts_started() const {
    return impl_->hosts_started();
}

} // namespace encore::drivers::camera
