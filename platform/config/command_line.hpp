#pragma once

#include <optional>
#include <string>
#include <vector>

namespace encore::platform {

// A small, strict command-line parser shared by kioskd, hubd and encore: long options
// only ("--name VALUE" or "--name=VALUE"), plus --help and --version built in.
class CommandLine {
public:
    CommandLine(std::string program, std::string usage, std::string description);

    void add_flag(std::string name, std::string help, bool& out);
    void add_option(std::string name, std::string value_name, std::string help,
                    std::optional<std::string>& out);
    // An option that may be given several times; each value is appended.
    void add_list(std::string name, std::string value_name, std::string help,
                  std::vector<std::string>& out);
    // Allows positional arguments (subcommands and their operands) instead of
    // rejecting them.
    void allow_positionals() { allow_positionals_ = true; }

    // Parses arguments after argv[0] (or from `first`). When it returns a value,
    // the program should exit with it: 0 after --help/--version, 2 after a usage
    // error (the message is already printed).
    std::optional<int> parse(int argc, const char* const* argv, int first = 1);

    const std::vector<std::string>& positionals() const { return positionals_; }
    std::string help() const;

private:
    struct Option {
        std::string name;
        std::string value_name;
        std::string help;
        bool* flag = nullptr;
        std::optional<std::string>* value = nullptr;
        std::vector<std::string>* list = nullptr;
    };

    std::optional<int> usage_error(const std::string& message) const;

    std::string program_;
    std::string usage_;
    std::string description_;
    std::vector<Option> options_;
    std::vector<std::string> positionals_;
    bool allow_positionals_ = false;
};

} // namespace encore::platform
