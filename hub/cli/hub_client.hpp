#pragma once

#include "platform/config/command_line.hpp"
#include "platform/http/client.hpp"

#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>

// What `encore` commands that talk to hubd's admin API share: where the hub is, the admin
// token, and a call that turns an error answer into the hub's own message.
namespace encore::cli {

// --hub URL and --token-file FILE (defaults $ENCORE_HUB / $ENCORE_TOKEN, then the
// hub's usual address and DATA/admin.token).
struct HubOptions {
    std::optional<std::string> hub;
    std::optional<std::string> token_file;

    void add_to(platform::CommandLine& command_line);
};

// Thrown with a message for the operator.
struct CommandError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class HubClient {
public:
    // Throws CommandError when the URL is malformed or the token cannot be read.
    explicit HubClient(const HubOptions& options);

    // The hub's answer; throws CommandError("the hub answered 409: ...") for 4xx and 5xx.
    platform::http::ClientResponse call(const std::string& method, const std::string& target,
                                        const std::string& body = {});

private:
    platform::Endpoint server_;
    std::string token_;
};

// Runs `body`, printing a CommandError or runtime error as "encore: ..." and returning 1.
template <typename Body>
int run_reporting_errors(Body body) {
    try {
        return body();
    } catch (const std::runtime_error& error) {
        std::fprintf(stderr, "encore: %s\n", error.what());
        return 1;
    }
}

} // namespace encore::cli
