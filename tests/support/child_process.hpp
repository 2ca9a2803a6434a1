#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace encore::testing {

// A program the test starts and talks to: its stdout and stderr are captured, it is
// killed if still running when the object goes away.
class ChildProcess {
public:
    ChildProcess(const std::filesystem::path& program, std::vector<std::string> arguments,
                 std::vector<std::string> extra_environment = {});
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    // Reads stdout until a line containing `needle` arrives; returns that line, or
    // nullopt when the program exits or the timeout passes first.
    std::optional<std::string> wait_for_line(const std::string& needle,
                                             std::chrono::milliseconds timeout);
    void send_signal(int signal);
    // Waits for the exit; returns the exit code (128 + signal when killed), nullopt on timeout.
    std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
    bool running();

    const std::string& stdout_text() const { return stdout_; }
    // Everything written to stderr so far.
    std::string stderr_text();
    int pid() const { return pid_; }

private:
    void drain(int fd, std::string& into, std::chrono::milliseconds wait);

    int pid_ = -1;
    int stdout_fd_ = -1;
    int stderr_fd_ = -1;
    std::string stdout_;
    std::string stderr_;
    std::optional<int> exit_code_;
};

// Runs a program to completion (bounded by `timeout`) and returns its exit code and output.
struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};
RunResult run_program(const std::filesystem::path& program, std::vector<std::string> arguments,
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

// The folder of the Encore programs under test (build/bin), from ENCORE_BIN_DIR.
std::filesystem::path bin_dir();

} // namespace encore::testing
