#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace encore::platform::sqlite {
class Database;
}

// The people who work the back office, and their logins. Passwords are kept only as
// Argon2id hashes (libsodium's crypto_pwhash_str, its "interactive" cost: about 64 MiB
// and a fraction of a second per check, which is what makes guessing slow); a login
// session is a random 256-bit token of which only the SHA-256 is stored.
namespace encore::hub::staff {

enum class Role {
    desk,     // the order desk: releases paid reorders to the lab printer
    shipping, // the shipping station: packs and ships
    admin,    // everything, and the accounts
};

std::string_view to_string(Role role);
// "desk", "shipping", "admin"; nullopt for anything else.
std::optional<Role> parse_role(std::string_view text);

struct StaffMember {
    std::string name;
    Role role = Role::desk;

    // Whether this member may do the work of `needed` (an admin may do all of it).
    bool may(Role needed) const { return role == Role::admin || role == needed; }
};

// Hashes a password with Argon2id (slow on purpose: call it off the event loop).
// Throws std::runtime_error when the machine has not the memory for it.
std::string hash_password(const std::string& password);
// Checks a password against a stored hash (as slow as hash_password).
bool password_matches(const std::string& stored_hash, const std::string& password);

// Names: 1 to 32 letters, digits, '.', '-' or '_'. Passwords: at least 10 characters.
// nullopt when acceptable, otherwise the sentence that says what is wrong.
std::optional<std::string> problem_with_name(std::string_view name);
std::optional<std::string> problem_with_password(std::string_view password);

class StaffDirectory {
public:
    // Opens (creating) the accounts database; throws platform::sqlite::Error when it
    // cannot (a start-up failure).
    explicit StaffDirectory(const std::filesystem::path& file);
    ~StaffDirectory();
    StaffDirectory(const StaffDirectory&) = delete;
    StaffDirectory& operator=(const StaffDirectory&) = delete;

    // Adds a member, or gives an existing one a new role and password (which ends their
    // sessions). `password_hash` comes from hash_password.
    void set_member(const std::string& name, Role role, const std::string& password_hash);
    // Removes a member and ends their sessions; false when there was none of that name.
    bool remove_member(const std::string& name);
    std::vector<StaffMember> members();
    std::optional<StaffMember> member(const std::string& name);
    // The stored hash to check a login against; nullopt for an unknown name.
    std::optional<std::string> password_hash(const std::string& name);

    // Opens a login session for the member; returns the token for the cookie.
    std::string open_session(const std::string& name, std::chrono::seconds lifetime);
    // The member a session token belongs to, while it lasts.
    std::optional<StaffMember> session(const std::string& token);
    void close_session(const std::string& token);

private:
    std::unique_ptr<platform::sqlite::Database> db_;
};

} // namespace encore::hub::staff
