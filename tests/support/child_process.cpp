#include "tests/support/child_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace encore::testing {

ChildProcess::ChildProcess(const std::filesystem::path& program, std::vector<std::string> arguments,
                           std::vector<std::string> extra_environment) {
    int out_pipe[2];
    int err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);

    std::vector<std::string> argument_strings;
    argument_strings.push_back(program.string());
    argument_strings.insert(argument_strings.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (auto& argument : argument_strings) {
        argv.push_back(argument.data());
    }
    argv.push_back(nullptr);
    std::vector<std::string> environment_strings;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        environment_strings.emplace_back(*entry);
    }
    environment_strings.insert(environment_strings.end(), extra_environment.begin(),
                               extra_environment.end());
    std::vector<char*> envp;
    for (auto& entry : environment_strings) {
        envp.push_back(entry.data());
    }
    envp.push_back(nullptr);

    const int error =
        ::posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    stdout_fd_ = out_pipe[0];
    stderr_fd_ = err_pipe[0];
    if (error != 0) {
        throw std::runtime_error("cannot start " + program.string());
    }
    ::fcntl(stdout_fd_, F_SETFL, O_NONBLOCK);
    ::fcntl(stderr_fd_, F_SETFL, O_NONBLOCK);
}

ChildProcess::~ChildProcess() {
    if (running()) {
        ::kill(pid_, SIGKILL);
        wait_for_exit(std::chrono::seconds(5));
    }
    ::close(stdout_fd_);
    ::close(stderr_fd_);
}

void ChildProcess::drain(int fd, std::string& into, std::chrono::milliseconds wait) {
    pollfd descriptor{fd, POLLIN, 0};
    if (::poll(&descriptor, 1, static_cast<int>(wait.count())) <= 0) {
        return;
    }
    char buffer[4096];
    for (;;) {
        const auto got = ::read(fd, buffer, sizeof buffer);
        if (got <= 0) {
            return;
        }
        into.append(buffer, static_cast<std::size_t>(got));
    }
}

std::optional<std::string> ChildProcess::wait_for_line(const std::string& needle,
                                                       std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t searched_from = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto found = stdout_.find(needle, searched_from);
        if (found != std::string::npos) {
            const auto start = stdout_.rfind('\n', found);
            const auto end = stdout_.find('\n', found);
            if (end != std::string::npos) {
                const auto first = start == std::string::npos ? 0 : start + 1;
                return stdout_.substr(first, end - first);
            }
        }
        if (!running()) {
            drain(stdout_fd_, stdout_, std::chrono::milliseconds(0));
            if (stdout_.find(needle) == std::string::npos) {
                return std::nullopt;
            }
            continue;
        }
        drain(stdout_fd_, stdout_, std::chrono::milliseconds(20));
        drain(stderr_fd_, stderr_, std::chrono::milliseconds(0));
    }
    return std::nullopt;
}

std::string ChildProcess::stderr_text() {
    drain(stderr_fd_, stderr_, std::chrono::milliseconds(0));
    return stderr_;
}

void ChildProcess::send_signal(int signal) {
    if (running()) {
        ::kill(pid_, signal);
    }
}

bool ChildProcess::running() {
    if (exit_code_) {
        return false;
    }
    int status = 0;
    const auto result = ::waitpid(pid_, &status, WNOHANG);
    if (result == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return false;
    }
    return result == 0;
}

std::optional<int> ChildProcess::wait_for_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return std::nullopt;
        }
        drain(stdout_fd_, stdout_, std::chrono::milliseconds(10));
        drain(stderr_fd_, stderr_, std::chrono::milliseconds(0));
    }
    drain(stdout_fd_, stdout_, std::chrono::milliseconds(0));
    drain(stderr_fd_, stderr_, std::chrono::milliseconds(0));
    return exit_code_;
}

RunResult run_program(const std::filesystem::path& program, std::vector<std::string> arguments,
                      std::chrono::milliseconds timeout) {
    ChildProcess child(program, std::move(arguments));
    RunResult result;
    const auto code = child.wait_for_exit(timeout);
    result.exit_code = code.value_or(-1);
    result.out = child.stdout_text();
    result.err = child.stderr_text();
    return result;
}

std::filesystem::path bin_dir() {
    const char* dir = std::getenv("ENCORE_BIN_DIR");
    if (dir == nullptr) {
        throw std::runtime_error("ENCORE_BIN_DIR is not set; run the tests through ctest");
    }
    return dir;
}

} // namespace encore::testing
