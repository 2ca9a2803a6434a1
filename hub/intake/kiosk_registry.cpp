#include "hub/intake/kiosk_registry.hpp"

#include "hub/store/image_store.hpp"
#include "platform/crypto/random.hpp"
#include "platform/crypto/sha256.hpp"
#include "platform/files/atomic_file.hpp"
#include "platform/runtime/program.hpp"
#include "platform/sqlite/database.hpp"
#include "platform/tls/certificates.hpp"

#include <array>
#include <ctime>
#include <fstream>
#include <sstream>

namespace encore::hub {
namespace {

namespace sqlite = platform::sqlite;
namespace tls = platform::tls;

constexpr std::array<sqlite::Migration, 1> migrations = {{
    {1, "kiosks and join secrets", R"sql(
        CREATE TABLE kiosks (
            name        TEXT PRIMARY KEY,
            serial      INTEGER NOT NULL,
            enrolled_at TEXT NOT NULL,
            revoked_at  TEXT
        );
        CREATE TABLE join_secrets (
            secret_sha256 TEXT PRIMARY KEY,
            kiosk         TEXT NOT NULL,
            created_at    INTEGER NOT NULL,
            expires_at    INTEGER NOT NULL,
            used_at       INTEGER
        );
        CREATE TABLE serials (next INTEGER NOT NULL);
        INSERT INTO serials (next) VALUES (2);
    )sql"},
}};

// CA certificates live ten years, kiosk certificates about two, the link's one two.
constexpr int ca_days = 3650;
constexpr int kiosk_days = 825;

std::string read_file(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

void write_secret_file(const std::filesystem::path& path, const std::string& text) {
    platform::AtomicWriteOptions options;
    options.mode = 0600;
    if (auto error = platform::write_file_atomically(path, text, options)) {
        throw std::system_error(error, "cannot write " + path.string());
    }
}

sqlite::Database open_database(const std::filesystem::path& data_dir) {
    std::filesystem::create_directories(data_dir);
    return sqlite::Database::open(data_dir / "kiosks.db");
}

} // namespace

struct KioskRegistry::State {
    std::filesystem::path ca_dir;
    std::filesystem::path ca_cert_file;
    std::filesystem::path link_cert_file;
    std::filesystem::path link_key_file;
    std::string ca_key;
    std::string ca_cert;
    std::string fingerprint;
    sqlite::Database db;

    explicit State(const std::filesystem::path& data_dir)
        : ca_dir(data_dir / "ca")
        , ca_cert_file(ca_dir / "ca.pem")
        , link_cert_file(ca_dir / "link.pem")
        , link_key_file(ca_dir / "link.key")
        , db(open_database(data_dir)) {
        sqlite::apply_migrations(db, migrations);
    }

    std::uint64_t next_serial() {
        auto select = db.prepare("SELECT next FROM serials");
        select.step();
        const auto serial = select.int64(0);
        db.execute("UPDATE serials SET next = next + 1");
        return static_cast<std::uint64_t>(serial);
    }
};

KioskRegistry::KioskRegistry(const std::filesystem::path& data_dir, const std::string& link_host)
    : state_(std::make_unique<State>(data_dir)) {
    auto& state = *state_;
    std::filesystem::create_directories(state.ca_dir);
    std::filesystem::permissions(state.ca_dir, std::filesystem::perms::owner_all);
    const auto ca_key_file = state.ca_dir / "ca.key";
    if (!std::filesystem::exists(ca_key_file)) {
        const auto key = tls::generate_private_key();
        write_secret_file(ca_key_file, key);
        platform::write_file_atomically(state.ca_cert_file,
                                        tls::make_ca_certificate(key, "Encore hub CA", ca_days));
    }
    state.ca_key = read_file(ca_key_file);
    state.ca_cert = read_file(state.ca_cert_file);
    state.fingerprint = tls::fingerprint_sha256(state.ca_cert);

    // The link's certificate names the host kiosks connect to; renew it when that changes.
    const bool link_matches = std::filesystem::exists(state.link_cert_file) &&
                              tls::common_name_of(read_file(state.link_cert_file)) == link_host;
    if (!link_matches) {
        const auto key = tls::generate_private_key();
        sqlite::Transaction transaction(state.db);
        const auto serial = state.next_serial();
        transaction.commit();
        const auto cert = tls::issue_certificate(
            state.ca_key, state.ca_cert, tls::make_signing_request(key, link_host), link_host,
            tls::CertificateUse::server, kiosk_days, serial);
        write_secret_file(state.link_key_file, key);
        // The chain a kiosk receives: the link's certificate, then the CA's.
        platform::write_file_atomically(state.link_cert_file, cert + state.ca_cert);
    }
}

KioskRegistry::~KioskRegistry() = default;

const std::string& KioskRegistry::ca_certificate_pem() const {
    return state_->ca_cert;
}
const std::string& KioskRegistry::ca_fingerprint() const {
    return state_->fingerprint;
}
const std::filesystem::path& KioskRegistry::ca_certificate_file() const {
    return state_->ca_cert_file;
}
const std::filesystem::path& KioskRegistry::link_certificate_file() const {
    return state_->link_cert_file;
}
const std::filesystem::path& KioskRegistry::link_key_file() const {
    return state_->link_key_file;
}

std::string KioskRegistry::create_join_secret(const std::string& kiosk,
                                              std::chrono::hours validity) {
    if (!is_kiosk_name(kiosk)) {
        throw std::invalid_argument("a kiosk name is 1 to 64 letters, digits, '-' or '_'");
    }
    const auto secret = platform::crypto::random_token(24);
    const auto now = std::time(nullptr);
    state_->db.execute("INSERT INTO join_secrets (secret_sha256, kiosk, created_at, expires_at) "
                       "VALUES (?1, ?2, ?3, ?4)",
                       platform::crypto::to_hex(platform::crypto::sha256(secret)), kiosk,
                       static_cast<std::int64_t>(now),
                       static_cast<std::int64_t>(now + validity.count() * 3600));
    return secret;
}

std::variant<EnrolmentGranted, EnrolmentRefused> KioskRegistry::enrol(const std::string& secret,
                                                                      const std::string& csr_pem) {
    auto& db = state_->db;
    sqlite::Transaction transaction(db);
    auto lookup =
        db.prepare("SELECT kiosk, expires_at, used_at FROM join_secrets WHERE secret_sha256 = ?1");
    lookup.bind(1, platform::crypto::to_hex(platform::crypto::sha256(secret)));
    if (!lookup.step()) {
        return EnrolmentRefused{"unknown join secret: ask the store for a new join token"};
    }
    const auto kiosk = lookup.text(0);
    if (!lookup.is_null(2)) {
        return EnrolmentRefused{"this join token was already used: ask the store for a new one"};
    }
    if (lookup.int64(1) < static_cast<std::int64_t>(std::time(nullptr))) {
        return EnrolmentRefused{"this join token has expired: ask the store for a new one"};
    }
    const auto serial = state_->next_serial();
    std::string certificate;
    try {
        certificate = tls::issue_certificate(state_->ca_key, state_->ca_cert, csr_pem, kiosk,
                                             tls::CertificateUse::client, kiosk_days, serial);
    } catch (const tls::CertificateError& error) {
        return EnrolmentRefused{std::string("bad certificate request: ") + error.what()};
    }
    db.execute("UPDATE join_secrets SET used_at = ?1 WHERE secret_sha256 = ?2",
               static_cast<std::int64_t>(std::time(nullptr)),
               platform::crypto::to_hex(platform::crypto::sha256(secret)));
    db.execute("INSERT INTO kiosks (name, serial, enrolled_at) VALUES (?1, ?2, ?3) "
               "ON CONFLICT (name) DO UPDATE SET serial = ?2, enrolled_at = ?3, revoked_at = NULL",
               kiosk, static_cast<std::int64_t>(serial), platform::utc_now_text());
    transaction.commit();
    return EnrolmentGranted{kiosk, certificate};
}

bool KioskRegistry::admits(const std::string& kiosk, std::uint64_t serial) {
    auto row = state_->db.prepare("SELECT serial, revoked_at FROM kiosks WHERE name = ?1");
    row.bind(1, kiosk);
    return row.step() && static_cast<std::uint64_t>(row.int64(0)) == serial && row.is_null(1);
}

bool KioskRegistry::revoke(const std::string& kiosk) {
    state_->db.execute("UPDATE kiosks SET revoked_at = ?1 WHERE name = ?2 AND revoked_at IS NULL",
                       platform::utc_now_text(), kiosk);
    auto row = state_->db.prepare("SELECT 1 FROM kiosks WHERE name = ?1");
    row.bind(1, kiosk);
    return row.step();
}

std::vector<KioskInfo> KioskRegistry::list() {
    std::vector<KioskInfo> kiosks;
    auto rows = state_->db.prepare(
        "SELECT name, enrolled_at, revoked_at, serial FROM kiosks ORDER BY name");
    while (rows.step()) {
        kiosks.push_back({rows.text(0), rows.text(1), rows.optional_text(2),
                          static_cast<std::uint64_t>(rows.int64(3))});
    }
    return kiosks;
}

} // namespace encore::hub
