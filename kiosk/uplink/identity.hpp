#pragma once

#include "platform/config/endpoint.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace encore::kiosk {

// Who this booth is to its hub, kept in DATA/identity/ after enrolment: its private
// key (mode 0600, never leaves the booth), the certificate the hub issued, the hub's
// CA, and where the hub is.
struct KioskIdentity {
    std::string kiosk;
    platform::Endpoint link;
    std::string public_url;
    std::string key_pem;
    std::string certificate_pem;
    std::string ca_pem;
};

std::optional<KioskIdentity> load_identity(const std::filesystem::path& data_dir);
// Writes every file atomically; the key with mode 0600.
void save_identity(const std::filesystem::path& data_dir, const KioskIdentity& identity);

} // namespace encore::kiosk
