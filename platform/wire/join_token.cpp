#include "platform/wire/join_token.hpp"

#include "platform/crypto/base64url.hpp"

#include <nlohmann/json.hpp>

namespace encore::platform::wire {
namespace {

constexpr std::string_view prefix = "encore-join-1.";

} // namespace

std::string encode_join_token(const JoinToken& token) {
    const nlohmann::json body = {{"link", token.link.to_string()},
                                 {"url", token.public_url},
                                 {"ca", token.ca_sha256},
                                 {"kiosk", token.kiosk},
                                 {"secret", token.secret}};
    return std::string(prefix) + crypto::base64url_encode(body.dump());
}

std::optional<JoinToken> decode_join_token(std::string_view text, std::string& error) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    if (!text.starts_with(prefix)) {
        error = "not an Encore join token (it starts with \"encore-join-1.\"); copy the whole line "
                "that `encore enrol-token` printed";
        return std::nullopt;
    }
    const auto bytes = crypto::base64url_decode(text.substr(prefix.size()));
    if (!bytes) {
        error = "the join token is damaged (not base64url); copy it again";
        return std::nullopt;
    }
    const auto body = nlohmann::json::parse(
        reinterpret_cast<const char*>(bytes->data()),
        reinterpret_cast<const char*>(bytes->data()) + bytes->size(), nullptr, false);
    const auto text_field = [&](const char* key) -> std::optional<std::string> {
        if (!body.is_object() || !body.contains(key) || !body[key].is_string()) {
            return std::nullopt;
        }
        return body[key].get<std::string>();
    };
    const auto link = text_field("link");
    const auto url = text_field("url");
    const auto ca = text_field("ca");
    const auto kiosk = text_field("kiosk");
    const auto secret = text_field("secret");
    if (!link || !url || !ca || !kiosk || !secret) {
        error = "the join token is damaged (fields missing); copy it again";
        return std::nullopt;
    }
    const auto endpoint = parse_endpoint(*link);
    if (!endpoint || ca->size() != 64) {
        error = "the join token is damaged (bad address or fingerprint); copy it again";
        return std::nullopt;
    }
    return JoinToken{*endpoint, *url, *ca, *kiosk, *secret};
}

} // namespace encore::platform::wire
