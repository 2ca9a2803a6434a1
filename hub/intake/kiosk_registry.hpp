#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace encore::hub {

struct KioskInfo {
    std::string name;
    std::string enrolled_at;
    std::optional<std::string> revoked_at;
    std::uint64_t serial = 0;
};

struct EnrolmentGranted {
    std::string kiosk;
    std::string certificate_pem;
};

struct EnrolmentRefused {
    std::string reason;
};

// Who may use the kiosk link. The hub keeps a small CA (DATA/ca/, keys mode 0600):
// a booth proves its identity with a client certificate the CA issued when it
// enrolled with a one-time join secret. Revoking a kiosk refuses its certificate
// from then on; the intake also closes its open connection.
class KioskRegistry {
public:
    // Opens (creating on first start) the CA, the kiosk link's server certificate for
    // `link_host` and the kiosk database in `data_dir`.
    KioskRegistry(const std::filesystem::path& data_dir, const std::string& link_host);
    ~KioskRegistry();
    KioskRegistry(const KioskRegistry&) = delete;
    KioskRegistry& operator=(const KioskRegistry&) = delete;

    const std::string& ca_certificate_pem() const;
    const std::string& ca_fingerprint() const;
    const std::filesystem::path& ca_certificate_file() const;
    const std::filesystem::path& link_certificate_file() const;
    const std::filesystem::path& link_key_file() const;

    // A new one-time secret for `kiosk`, valid for `validity`. Only its hash is kept.
    std::string create_join_secret(const std::string& kiosk, std::chrono::hours validity);
    // Checks the secret (once only), issues a certificate for the CSR's key, and
    // records the kiosk; a kiosk enrolled again (a replaced board) gets a new serial
    // and its old certificate stops working.
    std::variant<EnrolmentGranted, EnrolmentRefused> enrol(const std::string& secret,
                                                           const std::string& csr_pem);
    // True when `kiosk` is enrolled, not revoked, and `serial` is its current certificate.
    bool admits(const std::string& kiosk, std::uint64_t serial);
    // False when no such kiosk is enrolled.
    bool revoke(const std::string& kiosk);
    std::vector<KioskInfo> list();

private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace encore::hub
