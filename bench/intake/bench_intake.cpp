// bench-intake: the hub's kiosk intake under a swarm of booths, against the two limits
// it cannot beat, both measured in the same run on the same machine:
//
//   loopback TLS   openssl s_server / s_client, TLS 1.3 with the cipher suite the hub
//                  negotiated, one bulk transfer of as many bytes as the swarm sends
//   fsync'd disk   files of the photo size written and fsync'd one after another in
//                  the data folder (measured before and after the swarm; the mean counts)
//
// It starts build/bin/hubd on a fresh data folder next to the build (the same disk),
// runs build/bin/kiosk-swarm against it (N kiosks enrol through the admin API, then each
// uploads M photos and their orders, all kiosks at once; then K more photos each, paced
// to a share of the rate just measured), and prints photos/s, MB/s, the photo ack
// latency (last CHUNK sent -> ACK) of both phases and the ratios with their targets.
//
//   bench-intake [--kiosks 50] [--photos 6] [--photo-bytes 2000000]
//                [--photos-per-order 3] [--paced-photos 2] [--paced-load 50,10]
//                [--disk-seconds 3] [--keep DIR] [--hubd PATH]

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr double target_share_of_limit = 0.70;
constexpr double target_p99_ack_ms = 50.0;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// ---------------------------------------------------------------- processes

struct ChildSetup {
    bool pipe_stdin = false;
    bool pipe_stdout = false;
    std::string stdout_file = "/dev/null"; // when stdout is not piped
    std::string stderr_file;               // empty: inherit
};

struct Child {
    pid_t pid = -1;
    int stdin_fd = -1;  // write end, when piped
    int stdout_fd = -1; // read end, when piped

    void close_stdin() {
        if (stdin_fd >= 0) {
            ::close(stdin_fd);
            stdin_fd = -1;
        }
    }
    int wait() {
        close_stdin();
        if (stdout_fd >= 0) {
            ::close(stdout_fd);
            stdout_fd = -1;
        }
        int status = 0;
        if (pid > 0) {
            ::waitpid(pid, &status, 0);
            pid = -1;
        }
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
};

Child spawn(const std::vector<std::string>& argv, const ChildSetup& setup) {
    int in_fds[2] = {-1, -1};
    int out_fds[2] = {-1, -1};
    if ((setup.pipe_stdin && ::pipe2(in_fds, O_CLOEXEC) != 0) ||
        (setup.pipe_stdout && ::pipe2(out_fds, O_CLOEXEC) != 0)) {
        throw std::runtime_error("pipe2 failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (setup.pipe_stdin) {
        posix_spawn_file_actions_adddup2(&actions, in_fds[0], STDIN_FILENO);
    } else {
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    }
    if (setup.pipe_stdout) {
        posix_spawn_file_actions_adddup2(&actions, out_fds[1], STDOUT_FILENO);
    } else {
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, setup.stdout_file.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
    }
    if (!setup.stderr_file.empty()) {
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, setup.stderr_file.c_str(),
                                         O_WRONLY | O_CREAT | O_APPEND, 0644);
    }
    std::vector<std::string> copies(argv);
    std::vector<char*> args;
    for (auto& argument : copies) {
        args.push_back(argument.data());
    }
    args.push_back(nullptr);
    Child child;
    const int error = ::posix_spawnp(&child.pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (setup.pipe_stdin) {
        ::close(in_fds[0]);
        child.stdin_fd = in_fds[1];
    }
    if (setup.pipe_stdout) {
        ::close(out_fds[1]);
        child.stdout_fd = out_fds[0];
    }
    if (error != 0) {
        child.pid = -1;
        child.wait();
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(error));
    }
    return child;
}

// Runs a program to its end and returns what it printed on stdout.
std::string run_to_end(const std::vector<std::string>& argv, int& exit_code,
                       const std::string& stderr_file = {}) {
    ChildSetup setup;
    setup.pipe_stdout = true;
    setup.stderr_file = stderr_file;
    Child child = spawn(argv, setup);
    std::string out;
    std::array<char, 16 * 1024> buffer{};
    for (;;) {
        const auto got = ::read(child.stdout_fd, buffer.data(), buffer.size());
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        out.append(buffer.data(), static_cast<std::size_t>(got));
    }
    exit_code = child.wait();
    return out;
}

// The first line of `fd` that contains `needle`, waiting at most `timeout`.
std::optional<std::string> wait_for_line(int fd, const std::string& needle,
                                         std::chrono::seconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::string text;
    for (;;) {
        for (std::size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n')) {
            const auto line = text.substr(0, end);
            text.erase(0, end + 1);
            if (line.find(needle) != std::string::npos) {
                return line;
            }
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        pollfd descriptor{fd, POLLIN, 0};
        if (left <= 0 || ::poll(&descriptor, 1, static_cast<int>(left)) <= 0) {
            return std::nullopt;
        }
        std::array<char, 4096> buffer{};
        const auto got = ::read(fd, buffer.data(), buffer.size());
        if (got <= 0) {
            return std::nullopt;
        }
        text.append(buffer.data(), static_cast<std::size_t>(got));
    }
}

// The value after `key` in "... key=VALUE ...", up to the next space.
std::string field_of(const std::string& line, const std::string& key) {
    const auto at = line.find(key + "=");
    if (at == std::string::npos) {
        return {};
    }
    const auto start = at + key.size() + 1;
    return line.substr(start, line.find(' ', start) - start);
}

std::optional<fs::path> find_program(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::stringstream folders(path != nullptr ? path : "/usr/bin:/bin");
    std::string folder;
    while (std::getline(folders, folder, ':')) {
        const fs::path candidate = fs::path(folder) / name;
        if (!folder.empty() && ::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    return std::nullopt;
}

// ---------------------------------------------------------------- random bytes

// Incompressible filler (splitmix64); what it is does not matter to AES-GCM or the disk,
// as long as no layer can compress or deduplicate it.
std::vector<char> random_bytes(std::size_t count, std::uint64_t seed) {
    std::vector<char> bytes(count);
    for (std::size_t index = 0; index < count; index += 8) {
        std::uint64_t value = seed + 0x9E3779B97F4A7C15ull * (index / 8 + 1);
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ull;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBull;
        value ^= value >> 31;
        std::memcpy(bytes.data() + index, &value, std::min<std::size_t>(8, count - index));
    }
    return bytes;
}

bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const auto written = ::write(fd, data, size);
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            return false;
        }
        data += written;
        size -= static_cast<std::size_t>(written);
    }
    return true;
}

// ---------------------------------------------------------------- anchor: the disk

struct DiskAnchor {
    int files = 0;
    double seconds = 0;
    double megabytes_per_second = 0;
};

// Writes files of `photo_bytes` one after another in `folder`, each fsync'd before
// close, for at least `min_seconds` (and at least 8 files): the disk's own rate for
// durable photo-sized files, with nothing of Encore in the way.
DiskAnchor measure_disk(const fs::path& folder, std::size_t photo_bytes, double min_seconds) {
    fs::create_directories(folder);
    const auto bytes = random_bytes(photo_bytes, 7);
    DiskAnchor anchor;
    const auto start = Clock::now();
    while (anchor.files < 8 || seconds_since(start) < min_seconds) {
        const auto file = folder / ("anchor-" + std::to_string(anchor.files) + ".jpg");
        const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || !write_all(fd, bytes.data(), bytes.size()) || ::fsync(fd) != 0) {
            throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(errno));
        }
        ::close(fd);
        ++anchor.files;
    }
    anchor.seconds = seconds_since(start);
    anchor.megabytes_per_second =
        static_cast<double>(anchor.files) * static_cast<double>(photo_bytes) / 1e6 / anchor.seconds;
    fs::remove_all(folder);
    return anchor;
}

// ---------------------------------------------------------------- anchor: loopback TLS

struct TlsAnchor {
    std::uint64_t bytes = 0;
    double seconds = 0;
    double megabytes_per_second = 0;
    std::string error;
};

std::uint16_t free_local_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    auto* generic = reinterpret_cast<sockaddr*>(&address);
    if (fd < 0 || ::bind(fd, generic, length) != 0 || ::getsockname(fd, generic, &length) != 0) {
        throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

// True once a socket listens on 127.0.0.1:`port` (from /proc/net/tcp: a test connection
// would use up s_server's one accept).
bool is_listening(std::uint16_t port) {
    std::ifstream table("/proc/net/tcp");
    std::string line;
    char wanted[32];
    std::snprintf(wanted, sizeof wanted, "0100007F:%04X", port);
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        if (local == wanted && state == "0A") {
            return true;
        }
    }
    return false;
}

// One bulk transfer client -> server (the direction photos travel) through
// `openssl s_client` and `openssl s_server` over loopback, timed from the client's
// start until the server has written out the last byte.
TlsAnchor measure_tls(const fs::path& openssl, const fs::path& work, const std::string& cipher,
                      std::uint64_t total_bytes) {
    TlsAnchor anchor;
    const auto key = work / "anchor-key.pem";
    const auto certificate = work / "anchor-cert.pem";
    int exit_code = 0;
    // The hub's link certificate is an ECDSA P-256 key too (platform/tls).
    run_to_end({openssl.string(), "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.string(), "-out",
                certificate.string(), "-days", "1", "-subj", "/CN=127.0.0.1"},
               exit_code, "/dev/null");
    if (exit_code != 0) {
        anchor.error = "openssl req could not make a certificate";
        return anchor;
    }
    const auto port = std::to_string(free_local_port());
    ChildSetup server_setup;
    // s_server ends the connection when its stdin ends: keep it open until the end.
    server_setup.pipe_stdin = true;
    server_setup.pipe_stdout = true;
    server_setup.stderr_file = "/dev/null";
    Child server = spawn({openssl.string(), "s_server", "-accept", "127.0.0.1:" + port, "-naccept",
                          "1", "-tls1_3", "-ciphersuites", cipher, "-cert", certificate.string(),
                          "-key", key.string(), "-quiet"},
                         server_setup);
    const auto listen_deadline = Clock::now() + std::chrono::seconds(10);
    while (!is_listening(static_cast<std::uint16_t>(std::stoi(port)))) {
        if (Clock::now() > listen_deadline) {
            ::kill(server.pid, SIGTERM);
            server.wait();
            anchor.error = "openssl s_server did not listen";
            return anchor;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }

    ChildSetup client_setup;
    client_setup.pipe_stdin = true;
    client_setup.stderr_file = "/dev/null";
    const auto start = Clock::now();
    Child client = spawn({openssl.string(), "s_client", "-connect", "127.0.0.1:" + port, "-tls1_3",
                          "-ciphersuites", cipher, "-quiet", "-no_ign_eof"},
                         client_setup);
    // Feeding the client from memory keeps the disk out of this anchor.
    std::thread feeder([&client, total_bytes] {
        const auto block = random_bytes(1 << 20, 11);
        std::uint64_t left = total_bytes;
        while (left > 0) {
            const auto size = static_cast<std::size_t>(std::min<std::uint64_t>(left, block.size()));
            if (!write_all(client.stdin_fd, block.data(), size)) {
                break;
            }
            left -= size;
        }
        client.close_stdin();
    });
    std::vector<char> buffer(1 << 20);
    for (;;) {
        // A client that never connects would leave s_server waiting for ever.
        pollfd descriptor{server.stdout_fd, POLLIN, 0};
        if (::poll(&descriptor, 1, 60'000) <= 0) {
            ::kill(client.pid, SIGTERM);
            ::kill(server.pid, SIGTERM);
            break;
        }
        const auto got = ::read(server.stdout_fd, buffer.data(), buffer.size());
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        anchor.bytes += static_cast<std::uint64_t>(got);
    }
    anchor.seconds = seconds_since(start);
    feeder.join();
    client.wait();
    server.wait();
    anchor.megabytes_per_second = static_cast<double>(anchor.bytes) / 1e6 / anchor.seconds;
    if (anchor.bytes != total_bytes) {
        anchor.error = "s_server received " + std::to_string(anchor.bytes) + " of " +
                       std::to_string(total_bytes) + " bytes";
    }
    return anchor;
}

// ---------------------------------------------------------------- the bench

int usage(const char* program) {
    std::cerr << "usage: " << program
              << " [--kiosks N] [--photos M] [--photo-bytes S] [--photos-per-order P]"
                 " [--paced-photos K] [--paced-load PERCENT[,PERCENT...]] [--disk-seconds T]"
                 " [--keep DIR]"
                 " [--hubd PATH]\n";
    return 2;
}

void print_ratio(const char* name, double value, const char* comparison, double target) {
    const bool met = std::string(comparison) == "<=" ? value <= target : value >= target;
    std::printf("  %-44s %8.2f   (target %s %.2f: %s)\n", name, value, comparison, target,
                met ? "met" : "MISSED");
}

int run_bench(int argc, char** argv) {
    int kiosks = 50;
    int photos = 6;
    std::size_t photo_bytes = 2'000'000;
    int photos_per_order = 3;
    int paced_photos = 2;
    // Half the measured rate, and a tenth: about what 50 busy booths send (a photo
    // every 10 to 20 s each).
    std::string paced_loads = "50,10";
    double disk_seconds = 3;
    std::string keep;
    std::string hubd_option;
    for (int i = 1; i < argc; ++i) {
        const std::string argument = argv[i];
        if (i + 1 >= argc) {
            return usage(argv[0]);
        }
        const std::string value = argv[++i];
        if (argument == "--kiosks") {
            kiosks = std::max(1, std::atoi(value.c_str()));
        } else if (argument == "--photos") {
            photos = std::max(1, std::atoi(value.c_str()));
        } else if (argument == "--photo-bytes") {
            photo_bytes = std::max<std::size_t>(1024, std::strtoull(value.c_str(), nullptr, 10));
        } else if (argument == "--photos-per-order") {
            photos_per_order = std::max(1, std::atoi(value.c_str()));
        } else if (argument == "--paced-photos") {
            paced_photos = std::max(0, std::atoi(value.c_str()));
        } else if (argument == "--paced-load") {
            paced_loads = value;
        } else if (argument == "--disk-seconds") {
            disk_seconds = std::max(0.5, std::atof(value.c_str()));
        } else if (argument == "--keep") {
            keep = value;
        } else if (argument == "--hubd") {
            hubd_option = value;
        } else {
            return usage(argv[0]);
        }
    }
    const fs::path bin_dir = fs::read_symlink("/proc/self/exe").parent_path();
    // --hubd compares another build of the hub (say, before a change) on the same machine.
    const fs::path hubd = hubd_option.empty() ? bin_dir / "hubd" : fs::absolute(hubd_option);
    const auto swarm = bin_dir / "kiosk-swarm";
    const auto openssl = find_program("openssl");
    for (const auto& program : {hubd, swarm}) {
        if (::access(program.c_str(), X_OK) != 0) {
            std::cerr << "bench-intake: " << program.string() << " is missing: build it first\n";
            return 1;
        }
    }

    // The data folder sits next to the build, on the same disk, as the issue asks.
    fs::path work = keep;
    if (work.empty()) {
        std::string pattern = (bin_dir.parent_path() / "bench-intake-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed in " + bin_dir.parent_path().string());
        }
        work = pattern;
    } else {
        fs::create_directories(work);
    }
    const auto data = work / "hub";
    std::printf("bench-intake: %d kiosks x %d photos of %.2f MB (%d per order); data in %s\n",
                kiosks, photos, static_cast<double>(photo_bytes) / 1e6, photos_per_order,
                work.c_str());
    std::printf("hubd: %s\n", hubd.c_str());

    const auto disk_before = measure_disk(work / "anchor-disk", photo_bytes, disk_seconds);

    ChildSetup hub_setup;
    hub_setup.pipe_stdout = true;
    hub_setup.stderr_file = (work / "hubd.log").string();
    Child hub = spawn({hubd.string(), "--data", data.string(), "--kiosk-listen", "127.0.0.1:0",
                       "--public-listen", "127.0.0.1:0", "--private-listen", "127.0.0.1:0"},
                      hub_setup);
    const auto listening = wait_for_line(hub.stdout_fd, "listening", std::chrono::seconds(20));
    if (!listening) {
        ::kill(hub.pid, SIGTERM);
        hub.wait();
        std::cerr << "bench-intake: hubd did not start; see " << (work / "hubd.log").string()
                  << "\n";
        return 1;
    }
    std::string admin_url = field_of(*listening, "private");
    if (admin_url.ends_with('/')) {
        admin_url.pop_back();
    }
    int swarm_exit = 0;
    const auto swarm_out = run_to_end(
        {swarm.string(), "--hub-admin", admin_url, "--token-file", (data / "admin.token").string(),
         "--kiosks", std::to_string(kiosks), "--photos", std::to_string(photos), "--photo-bytes",
         std::to_string(photo_bytes), "--photos-per-order", std::to_string(photos_per_order),
         "--paced-photos", std::to_string(paced_photos), "--paced-load", paced_loads},
        swarm_exit);
    ::kill(hub.pid, SIGTERM);
    hub.wait();
    const auto summary = json::parse(swarm_out, nullptr, false);
    if (swarm_exit != 0 || !summary.is_object()) {
        std::cerr << "bench-intake: kiosk-swarm failed (exit " << swarm_exit << "):\n"
                  << swarm_out << "\nhubd's log: " << (work / "hubd.log").string() << "\n";
        return 1;
    }

    const std::string cipher = summary["tls"]["cipher"];
    // The anchor moves as many bytes as the all-at-once phase, the one the ratio is of.
    const auto swarm_bytes = summary["photo_bytes_sent"].get<std::uint64_t>();
    std::optional<TlsAnchor> tls;
    if (openssl) {
        tls = measure_tls(*openssl, work, cipher, swarm_bytes);
    }
    const auto disk_after = measure_disk(work / "anchor-disk", photo_bytes, disk_seconds);
    const double disk_mbps =
        (disk_before.megabytes_per_second + disk_after.megabytes_per_second) / 2;

    const double intake_mbps = summary["megabytes_per_second"];
    const double intake_photos = summary["photos_per_second"];
    const auto& ack = summary["photo_ack_ms"];
    const auto& order_ack = summary["order_ack_ms"];
    std::printf("\nintake (%s %s, %zu KiB chunks, %d kiosks at once)\n",
                summary["tls"]["version"].get<std::string>().c_str(), cipher.c_str(),
                summary["chunk_bytes"].get<std::size_t>() / 1024, kiosks);
    std::printf("  enrolment of %d kiosks         %8.2f s\n", kiosks,
                summary["enrol_seconds"].get<double>());
    std::printf("  upload                         %8.2f s   %d photos, %d orders, %.1f MB\n",
                summary["seconds"].get<double>(), summary["photos"].get<int>(),
                summary["orders"].get<int>(), static_cast<double>(swarm_bytes) / 1e6);
    std::printf("  throughput                     %8.2f photos/s   %.2f MB/s\n", intake_photos,
                intake_mbps);
    std::printf("  photo ack (last chunk -> ACK)  p50 %.1f ms   p90 %.1f ms   p99 %.1f ms   max "
                "%.1f ms\n",
                ack["p50"].get<double>(), ack["p90"].get<double>(), ack["p99"].get<double>(),
                ack["max"].get<double>());
    std::printf("  order ack (ORDER -> ACK)       p50 %.1f ms   p99 %.1f ms\n",
                order_ack["p50"].get<double>(), order_ack["p99"].get<double>());
    const json paced = summary.value("paced", json::array());
    for (const auto& phase : paced) {
        const auto& paced_ack = phase["photo_ack_ms"];
        std::printf("\npaced at %d%%: %d more photos per kiosk, %.1f photos/s offered (each kiosk "
                    "a photo every %.2f s)\n",
                    phase["load_percent"].get<int>(), paced_photos,
                    phase["offered_photos_per_second"].get<double>(),
                    phase["interval_ms"].get<double>() / 1e3);
        std::printf("  throughput                     %8.2f photos/s   %.2f MB/s\n",
                    phase["photos_per_second"].get<double>(),
                    phase["megabytes_per_second"].get<double>());
        std::printf("  photo ack (last chunk -> ACK)  p50 %.1f ms   p90 %.1f ms   p99 %.1f ms   "
                    "max %.1f ms\n",
                    paced_ack["p50"].get<double>(), paced_ack["p90"].get<double>(),
                    paced_ack["p99"].get<double>(), paced_ack["max"].get<double>());
    }

    std::printf("\nanchors (same run, same machine)\n");
    if (tls && tls->error.empty()) {
        std::printf("  loopback TLS: openssl s_client -> s_server, %s, %.1f MB   %8.2f MB/s\n",
                    cipher.c_str(), static_cast<double>(tls->bytes) / 1e6,
                    tls->megabytes_per_second);
    } else {
        std::printf("  loopback TLS: not measured (%s)\n",
                    tls ? tls->error.c_str() : "openssl is not on the PATH");
    }
    std::printf("  fsync'd writes of %.2f MB files: before %.2f MB/s (%d files), after %.2f MB/s "
                "(%d files), mean %.2f MB/s = %.2f photos/s\n",
                static_cast<double>(photo_bytes) / 1e6, disk_before.megabytes_per_second,
                disk_before.files, disk_after.megabytes_per_second, disk_after.files, disk_mbps,
                disk_mbps * 1e6 / static_cast<double>(photo_bytes));

    std::printf("\nratios\n");
    double limit_mbps = disk_mbps;
    const char* limit_name = "fsync'd disk";
    if (tls && tls->error.empty()) {
        std::printf("  %-44s %8.2f\n", "intake MB/s / loopback TLS MB/s",
                    intake_mbps / tls->megabytes_per_second);
        if (tls->megabytes_per_second < disk_mbps) {
            limit_mbps = tls->megabytes_per_second;
            limit_name = "loopback TLS";
        }
    }
    std::printf("  %-44s %8.2f\n", "intake MB/s / fsync'd disk MB/s", intake_mbps / disk_mbps);
    const std::string share = std::string("intake / smaller limit (") + limit_name + ")";
    print_ratio(share.c_str(), intake_mbps / limit_mbps, ">=", target_share_of_limit);
    print_ratio("photo ack p99, all kiosks at once (ms)", ack["p99"].get<double>(),
                "<=", target_p99_ack_ms);
    for (const auto& phase : paced) {
        const std::string name = "photo ack p99, paced at " +
                                 std::to_string(phase["load_percent"].get<int>()) + "% (ms)";
        print_ratio(name.c_str(), phase["photo_ack_ms"]["p99"].get<double>(),
                    "<=", target_p99_ack_ms);
    }

    if (keep.empty()) {
        std::error_code ignored;
        fs::remove_all(work, ignored);
    } else {
        std::printf("\nhub data and log kept in %s\n", work.c_str());
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    // A child that dies early must not take the bench down with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    try {
        return run_bench(argc, argv);
    } catch (const std::exception& error) {
        std::cerr << "bench-intake: " << error.what() << "\n";
        return 1;
    }
}
