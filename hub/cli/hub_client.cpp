#include "hub/cli/hub_client.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>

namespace encore::cli {
namespace {

constexpr const char* default_hub = "http://127.0.0.1:8082";
constexpr const char* default_token_file = "/var/lib/encore/hub/admin.token";

} // namespace

void HubOptions::add_to(platform::CommandLine& command_line) {
    command_line.add_option("hub", "URL",
                            "the hub's private listener (default $ENCORE_HUB or " +
                                std::string(default_hub) + ")",
                            hub);
    command_line.add_option("token-file", "FILE",
                            "file holding the admin token (default $ENCORE_TOKEN, else " +
                                std::string(default_token_file) + ")",
                            token_file);
}

HubClient::HubClient(const HubOptions& options) {
    const char* env_hub = std::getenv("ENCORE_HUB");
    const std::string url = options.hub.value_or(env_hub != nullptr ? env_hub : default_hub);
    const auto endpoint = platform::http::parse_http_url(url);
    if (!endpoint) {
        throw CommandError("--hub must look like http://HOST:PORT, got '" + url + "'");
    }
    server_ = *endpoint;
    const char* env_token = std::getenv("ENCORE_TOKEN");
    if (!options.token_file && env_token != nullptr && env_token[0] != '\0') {
        token_ = env_token;
        return;
    }
    const std::string path = options.token_file.value_or(default_token_file);
    std::ifstream file(path);
    if (!file || !std::getline(file, token_) || token_.empty()) {
        throw CommandError("cannot read the admin token from " + path +
                           ": pass --token-file DATA/admin.token or set ENCORE_TOKEN");
    }
}

platform::http::ClientResponse HubClient::call(const std::string& method, const std::string& target,
                                               const std::string& body) {
    auto response = platform::http::request(
        server_, method, target,
        {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/json"}}, body);
    if (response.status >= 400) {
        const auto error = nlohmann::json::parse(response.body, nullptr, false);
        const auto message =
            error.is_object() && error.contains("error") && error["error"].is_string()
                ? error["error"].get<std::string>()
                : response.body;
        throw CommandError("the hub answered " + std::to_string(response.status) + ": " + message);
    }
    return response;
}

} // namespace encore::cli
