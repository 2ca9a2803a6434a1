// encore-camera-host: runs one libgphoto2 session for the booth, in a process of its
// own, so that a camera call that never returns (libgphoto2 2.5.30 can block for ever in
// a capture) costs a SIGKILL instead of the booth. HostedCamera starts it with one end
// of a socket pair as file descriptor --fd and speaks host_protocol.hpp over it; the
// host answers one request at a time and exits when the socket closes or its parent
// dies. It is not meant to be run by hand.

#include "drivers/camera/gphoto2_session.hpp"
#include "drivers/camera/host_protocol.hpp"
#include "platform/config/command_line.hpp"
#include "platform/log/logger.hpp"

#include <array>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using namespace encore::drivers::camera;

const encore::platform::Logger log("camera-host");

std::optional<int> parse_number(const std::optional<std::string>& text) {
    if (!text) {
        return std::nullopt;
    }
    int value = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (error != std::errc() || end != text->data() + text->size()) {
        return std::nullopt;
    }
    return value;
}

// Reads exactly `size` bytes; false at end of file or on an error.
bool read_exactly(int fd, std::uint8_t* into, std::size_t size) {
    while (size > 0) {
        const auto got = ::read(fd, into, size);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            return false;
        }
        into += got;
        size -= static_cast<std::size_t>(got);
    }
    return true;
}

bool write_all(int fd, const std::vector<std::uint8_t>& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const auto wrote = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (wrote < 0 && errno == EINTR) {
            continue;
        }
        if (wrote <= 0) {
            return false;
        }
        done += static_cast<std::size_t>(wrote);
    }
    return true;
}

// libgphoto2 keeps its settings in $HOME/.gphoto. A booth's service user may have no
// (writable) home: then a private folder under /tmp stands in.
void give_libgphoto2_a_home() {
    namespace fs = std::filesystem;
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
        std::error_code error;
        fs::create_directories(fs::path(home) / ".gphoto", error);
        if (!error && ::access((fs::path(home) / ".gphoto").c_str(), W_OK) == 0) {
            return;
        }
    }
    const auto fallback =
        fs::temp_directory_path() / ("encore-camera-" + std::to_string(::getuid()));
    ::mkdir(fallback.c_str(), 0700);
    ::setenv("HOME", fallback.c_str(), 1);
    log.info("no writable home folder; libgphoto2 keeps its settings in ", fallback.string());
}

template <typename T>
void fill(host::Reply& reply, Result<T> result) {
    if (result) {
        reply.payload = std::move(*result);
    } else {
        reply.error = std::move(result.error());
    }
}

host::Reply serve(Gphoto2Session& session, const host::Request& request) {
    host::Reply reply;
    reply.op = request.op;
    reply.sequence = request.sequence;
    switch (request.op) {
    case host::Op::list:
        fill(reply, session.list());
        break;
    case host::Op::open:
        fill(reply, session.open(request.selector));
        break;
    case host::Op::capture:
        fill(reply, session.capture());
        break;
    case host::Op::preview:
        fill(reply, session.preview());
        break;
    case host::Op::info:
        fill(reply, session.info());
        break;
    case host::Op::stop_live_view:
        if (auto stopped = session.stop_live_view(); !stopped) {
            reply.error = std::move(stopped.error());
        }
        break;
    case host::Op::close:
        session.close();
        break;
    }
    return reply;
}

int run(int argc, char** argv) {
    encore::platform::CommandLine command_line(
        "encore-camera-host", "--fd N [--parent-pid PID]",
        "Runs a libgphoto2 session for HostedCamera over the socket at file descriptor N. "
        "Started by the booth; not meant to be run by hand.");
    std::optional<std::string> fd_text;
    std::optional<std::string> parent_text;
    std::optional<std::string> log_level;
    command_line.add_option("fd", "N", "the socket to the parent", fd_text);
    command_line.add_option("parent-pid", "PID", "exit at once if this process is gone",
                            parent_text);
    command_line.add_option("log-level", "LEVEL", "debug, info, warning, error or off", log_level);
    if (const auto exit_code = command_line.parse(argc, argv)) {
        return *exit_code;
    }
    const auto fd = parse_number(fd_text);
    if (!fd || *fd < 0) {
        std::cerr << "encore-camera-host: --fd N is required\n";
        return 2;
    }
    if (log_level) {
        if (const auto level = encore::platform::parse_log_level(*log_level)) {
            encore::platform::configure_logging({*level, {}});
        }
    }

    // A camera that closes its socket must give libgphoto2 an EPIPE, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
    // Die with the booth even when stuck inside libgphoto2, where the closed socket
    // would go unnoticed.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (const auto parent = parse_number(parent_text); parent && ::getppid() != *parent) {
        return 0;
    }
    give_libgphoto2_a_home();
    // setlocale() is never called, so libgphoto2's messages stay in English, which
    // the error mapping reads ("Out of Focus", "PTP Store Full").

    Gphoto2Session session;
    std::vector<std::uint8_t> body;
    for (;;) {
        std::array<std::uint8_t, host::frame_header_size> header{};
        if (!read_exactly(*fd, header.data(), header.size())) {
            break; // The parent closed the socket: done.
        }
        const auto length = host::body_length(header);
        if (!length) {
            log.error("request frame too large; exiting");
            return 3;
        }
        body.resize(*length);
        if (!read_exactly(*fd, body.data(), body.size())) {
            break;
        }
        const auto request = host::decode_request(body);
        if (!request) {
            log.error("malformed request; exiting");
            return 3;
        }
        log.debug("request ", host::to_string(request->op), " #", request->sequence);
        const auto reply = serve(session, *request);
        const auto frame = host::encode(reply);
        if (!write_all(*fd, frame)) {
            break;
        }
    }
    session.close();
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& error) {
        std::cerr << "encore-camera-host: " << error.what() << "\n";
        return 1;
    }
}
