#include "kiosk/uplink/identity.hpp"

#include "platform/files/atomic_file.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <system_error>

namespace encore::kiosk {
namespace {

std::optional<std::string> read_file(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        return std::nullopt;
    }
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

void write(const std::filesystem::path& path, const std::string& text, mode_t mode) {
    platform::AtomicWriteOptions options;
    options.mode = mode;
    if (auto error = platform::write_file_atomically(path, text, options)) {
        throw std::system_error(error, "cannot write " + path.string());
    }
}

} // namespace

std::optional<KioskIdentity> load_identity(const std::filesystem::path& data_dir) {
    const auto dir = data_dir / "identity";
    const auto hub = read_file(dir / "hub.json");
    const auto key = read_file(dir / "key.pem");
    const auto certificate = read_file(dir / "cert.pem");
    const auto ca = read_file(dir / "ca.pem");
    if (!hub || !key || !certificate || !ca) {
        return std::nullopt;
    }
    const auto json = nlohmann::json::parse(*hub, nullptr, false);
    if (!json.is_object() || !json.contains("link") || !json.contains("public_url") ||
        !json.contains("kiosk")) {
        return std::nullopt;
    }
    const auto link = platform::parse_endpoint(json["link"].get<std::string>());
    if (!link) {
        return std::nullopt;
    }
    return KioskIdentity{json["kiosk"].get<std::string>(),
                         *link,
                         json["public_url"].get<std::string>(),
                         *key,
                         *certificate,
                         *ca};
}

void save_identity(const std::filesystem::path& data_dir, const KioskIdentity& identity) {
    const auto dir = data_dir / "identity";
    std::filesystem::create_directories(dir);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
    write(dir / "key.pem", identity.key_pem, 0600);
    write(dir / "cert.pem", identity.certificate_pem, 0644);
    write(dir / "ca.pem", identity.ca_pem, 0644);
    // hub.json last: its presence says the identity is complete.
    const nlohmann::json hub = {{"kiosk", identity.kiosk},
                                {"link", identity.link.to_string()},
                                {"public_url", identity.public_url}};
    write(dir / "hub.json", hub.dump(2) + "\n", 0644);
}

} // namespace encore::kiosk
