#include "hub/staff/staff_directory.hpp"

#include "platform/crypto/random.hpp"
#include "platform/crypto/sha256.hpp"
#include "platform/runtime/program.hpp"
#include "platform/sqlite/database.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>

namespace encore::hub::staff {

namespace sqlite = platform::sqlite;

namespace {

constexpr std::array<sqlite::Migration, 1> migrations = {{
    {1, "staff and their sessions", R"sql(
        CREATE TABLE staff (
            name          TEXT PRIMARY KEY,
            role          TEXT NOT NULL CHECK (role IN ('desk', 'shipping', 'admin')),
            password_hash TEXT NOT NULL,
            updated_at    TEXT NOT NULL
        );
        CREATE TABLE staff_sessions (
            token_sha256 TEXT PRIMARY KEY,
            name         TEXT NOT NULL REFERENCES staff(name) ON DELETE CASCADE,
            expires_at   INTEGER NOT NULL
        );
        CREATE INDEX staff_sessions_name ON staff_sessions(name);
    )sql"},
}};

std::int64_t unix_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string token_hash(const std::string& token) {
    return platform::crypto::to_hex(platform::crypto::sha256(token));
}

void ensure_sodium() {
    if (sodium_init() < 0) {
        throw std::runtime_error("libsodium cannot start");
    }
}

} // namespace

std::string_view to_string(Role role) {
    switch (role) {
    case Role::desk:
        return "desk";
    case Role::shipping:
        return "shipping";
    case Role::admin:
        return "admin";
    }
    return "desk";
}

std::optional<Role> parse_role(std::string_view text) {
    for (const auto role : {Role::desk, Role::shipping, Role::admin}) {
        if (text == to_string(role)) {
            return role;
        }
    }
    return std::nullopt;
}

std::string hash_password(const std::string& password) {
    ensure_sodium();
    std::array<char, crypto_pwhash_STRBYTES> hash{};
    if (crypto_pwhash_str(hash.data(), password.data(), password.size(),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        throw std::runtime_error("not enough memory to hash a password (Argon2id needs 64 MiB)");
    }
    return hash.data();
}

bool password_matches(const std::string& stored_hash, const std::string& password) {
    ensure_sodium();
    return crypto_pwhash_str_verify(stored_hash.c_str(), password.data(), password.size()) == 0;
}

std::optional<std::string> problem_with_name(std::string_view name) {
    if (name.empty() || name.size() > 32) {
        return "a staff name has 1 to 32 characters";
    }
    for (const char c : name) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
        if (!allowed) {
            return "a staff name has only letters, digits, '.', '-' and '_'";
        }
    }
    return std::nullopt;
}

std::optional<std::string> problem_with_password(std::string_view password) {
    if (password.size() < 10) {
        return "a password has at least 10 characters";
    }
    if (password.size() > 1024) {
        return "a password has at most 1024 characters";
    }
    return std::nullopt;
}

StaffDirectory::StaffDirectory(const std::filesystem::path& file)
    : db_(std::make_unique<sqlite::Database>(sqlite::Database::open(file))) {
    db_->prepare("PRAGMA foreign_keys = ON").step();
    sqlite::apply_migrations(*db_, migrations);
}

StaffDirectory::~StaffDirectory() = default;

void StaffDirectory::set_member(const std::string& name, Role role,
                                const std::string& password_hash) {
    sqlite::Transaction transaction(*db_);
    db_->prepare("DELETE FROM staff_sessions WHERE name = ?1").bind_all(name).run();
    db_->prepare("INSERT INTO staff (name, role, password_hash, updated_at) "
                 "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name) DO UPDATE SET "
                 "role = excluded.role, password_hash = excluded.password_hash, "
                 "updated_at = excluded.updated_at")
        .bind_all(name, std::string(to_string(role)), password_hash, platform::utc_now_text())
        .run();
    transaction.commit();
}

bool StaffDirectory::remove_member(const std::string& name) {
    sqlite::Transaction transaction(*db_);
    db_->prepare("DELETE FROM staff_sessions WHERE name = ?1").bind_all(name).run();
    auto removed = db_->prepare("DELETE FROM staff WHERE name = ?1 RETURNING name");
    removed.bind_all(name);
    const bool found = removed.step();
    removed.reset();
    transaction.commit();
    return found;
}

std::vector<StaffMember> StaffDirectory::members() {
    auto rows = db_->prepare("SELECT name, role FROM staff ORDER BY name");
    std::vector<StaffMember> result;
    while (rows.step()) {
        result.push_back({rows.text(0), parse_role(rows.text(1)).value_or(Role::desk)});
    }
    return result;
}

std::optional<StaffMember> StaffDirectory::member(const std::string& name) {
    auto row = db_->prepare("SELECT name, role FROM staff WHERE name = ?1");
    row.bind_all(name);
    if (!row.step()) {
        return std::nullopt;
    }
    return StaffMember{row.text(0), parse_role(row.text(1)).value_or(Role::desk)};
}

std::optional<std::string> StaffDirectory::password_hash(const std::string& name) {
    auto row = db_->prepare("SELECT password_hash FROM staff WHERE name = ?1");
    row.bind_all(name);
    if (!row.step()) {
        return std::nullopt;
    }
    return row.text(0);
}

std::string StaffDirectory::open_session(const std::string& name, std::chrono::seconds lifetime) {
    auto token = platform::crypto::random_token(32);
    sqlite::Transaction transaction(*db_);
    // Sessions that ended are of no use to anyone: drop them while we are here.
    db_->prepare("DELETE FROM staff_sessions WHERE expires_at <= ?1")
        .bind_all(unix_seconds())
        .run();
    db_->prepare("INSERT INTO staff_sessions (token_sha256, name, expires_at) VALUES (?1, ?2, ?3)")
        .bind_all(token_hash(token), name, unix_seconds() + lifetime.count())
        .run();
    transaction.commit();
    return token;
}

std::optional<StaffMember> StaffDirectory::session(const std::string& token) {
    if (token.empty()) {
        return std::nullopt;
    }
    auto row = db_->prepare("SELECT staff.name, staff.role FROM staff_sessions "
                            "JOIN staff ON staff.name = staff_sessions.name "
                            "WHERE token_sha256 = ?1 AND expires_at > ?2");
    row.bind_all(token_hash(token), unix_seconds());
    if (!row.step()) {
        return std::nullopt;
    }
    return StaffMember{row.text(0), parse_role(row.text(1)).value_or(Role::desk)};
}

void StaffDirectory::close_session(const std::string& token) {
    db_->prepare("DELETE FROM staff_sessions WHERE token_sha256 = ?1")
        .bind_all(token_hash(token))
        .run();
}

} // namespace encore::hub::staff
