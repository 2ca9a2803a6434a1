#include "platform/config/command_line.hpp"

#include <doctest/doctest.h>

using encore::platform::CommandLine;

TEST_CASE("options take values as '--name value' or '--name=value'") {
    std::optional<std::string> data;
    std::optional<std::string> ui;
    bool check = false;
    CommandLine command_line("kioskd", "[OPTIONS]", "test");
    command_line.add_option("data", "DIR", "data", data);
    command_line.add_option("ui", "HOST:PORT", "ui", ui);
    command_line.add_flag("check-config", "check", check);
    const char* argv[] = {"kioskd", "--data", "/tmp/x", "--ui=127.0.0.1:1", "--check-config"};
    CHECK_FALSE(command_line.parse(5, argv).has_value());
    CHECK(data == "/tmp/x");
    CHECK(ui == "127.0.0.1:1");
    CHECK(check);
}

TEST_CASE("unknown options, missing values and stray arguments exit 2") {
    std::optional<std::string> data;
    CommandLine command_line("kioskd", "[OPTIONS]", "test");
    command_line.add_option("data", "DIR", "data", data);
    const char* unknown[] = {"kioskd", "--dta", "x"};
    CHECK(command_line.parse(3, unknown) == 2);
    const char* missing[] = {"kioskd", "--data"};
    CHECK(command_line.parse(2, missing) == 2);
    const char* stray[] = {"kioskd", "extra"};
    CHECK(command_line.parse(2, stray) == 2);
}

TEST_CASE("--help lists every option and exits 0") {
    std::optional<std::string> data;
    CommandLine command_line("hubd", "[OPTIONS]", "Store daemon.");
    command_line.add_option("data", "DIR", "keep orders in DIR", data);
    CHECK(command_line.help().find("--data DIR  keep orders in DIR") != std::string::npos);
    const char* argv[] = {"hubd", "--help"};
    CHECK(command_line.parse(2, argv) == 0);
}

TEST_CASE("positionals are collected when allowed, and repeated list options append") {
    std::vector<std::string> faults;
    CommandLine command_line("encore camera", "capture", "test");
    command_line.allow_positionals();
    command_line.add_list("fault", "NAME", "fault", faults);
    const char* argv[] = {"encore", "camera", "capture", "--fault", "busy", "--fault=slow"};
    CHECK_FALSE(command_line.parse(6, argv, 1).has_value());
    CHECK(command_line.positionals() == std::vector<std::string>{"camera", "capture"});
    CHECK(faults == std::vector<std::string>{"busy", "slow"});
}
