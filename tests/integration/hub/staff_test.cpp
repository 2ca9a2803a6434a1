// Staff accounts of the back office against a real hubd: `encore staff` manages them,
// the private listener logs them in and out, wrong passwords are rate limited, and the
// public listener has none of it.

#include "platform/http/client.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <regex>

using namespace encore;
using namespace std::chrono_literals;
using testing::bin_dir;
using testing::ChildProcess;

namespace {

class BackOffice {
public:
    BackOffice()
        : hubd_(bin_dir() / "hubd",
                {"--data", (dir_ / "hub").string(), "--public-listen", "127.0.0.1:0",
                 "--private-listen", "127.0.0.1:0", "--kiosk-listen", "127.0.0.1:0"}) {
        const auto line = hubd_.wait_for_line("listening", 10s);
        REQUIRE_MESSAGE(line, hubd_.stderr_text());
        std::smatch match;
        REQUIRE(std::regex_search(*line, match,
                                  std::regex("public=http://127\\.0\\.0\\.1:(\\d+)/ "
                                             "private=http://127\\.0\\.0\\.1:(\\d+)/")));
        public_ = {"127.0.0.1", static_cast<std::uint16_t>(std::stoi(match[1]))};
        private_ = {"127.0.0.1", static_cast<std::uint16_t>(std::stoi(match[2]))};
    }
    ~BackOffice() {
        hubd_.send_signal(SIGTERM);
        hubd_.wait_for_exit(10s);
    }

    // `encore staff ...` with `stdin_text` as its input (the password).
    testing::RunResult staff(const std::string& arguments, const std::string& stdin_text = "") {
        const auto command = "printf '%s\\n' '" + stdin_text + "' | '" +
                             (bin_dir() / "encore").string() + "' staff " + arguments +
                             " --hub http://" + private_.to_string() + " --token-file '" +
                             (dir_ / "hub" / "admin.token").string() + "'";
        return testing::run_program("/bin/sh", {"-c", command});
    }

    platform::http::ClientResponse login(const std::string& name, const std::string& password) {
        return platform::http::request(private_, "POST", "/login",
                                       {{"Content-Type", "application/x-www-form-urlencoded"}},
                                       "name=" + name + "&password=" + password + "&next=%2F");
    }

    platform::http::ClientResponse get(const std::string& target, const std::string& cookie = "") {
        std::vector<std::pair<std::string, std::string>> headers;
        if (!cookie.empty()) {
            headers.emplace_back("Cookie", cookie);
        }
        return platform::http::request(private_, "GET", target, headers);
    }

    platform::http::ClientResponse post(const std::string& target, const std::string& cookie) {
        return platform::http::request(private_, "POST", target, {{"Cookie", cookie}});
    }

    platform::Endpoint public_endpoint() const { return public_; }
    std::filesystem::path data_dir() const { return dir_ / "hub"; }

private:
    testing::TempDir dir_;
    ChildProcess hubd_;
    platform::Endpoint public_;
    platform::Endpoint private_;
};

// "encore_staff=TOKEN" from a Set-Cookie header.
std::string session_cookie(const platform::http::ClientResponse& response) {
    const auto set_cookie = response.header("Set-Cookie");
    REQUIRE(set_cookie);
    return set_cookie->substr(0, set_cookie->find(';'));
}

} // namespace

TEST_CASE("a staff member added with `encore staff` logs in and out of the back office") {
    BackOffice office;
    const auto added = office.staff("add clerk --role desk", "correct horse battery");
    REQUIRE_MESSAGE(added.exit_code == 0, added.err);
    CHECK(added.out == "staff member clerk (desk) saved\n");
    CHECK(office.staff("list").out == "clerk  desk\n");
    // Only an Argon2id hash is kept.
    const auto database = testing::read_text_file(office.data_dir() / "staff.db");
    CHECK(database.find("correct horse battery") == std::string::npos);

    CHECK(office.get("/").status == 401);
    CHECK(office.login("clerk", "wrong password").status == 401);
    CHECK(office.login("nobody", "correct+horse+battery").status == 401);

    const auto logged_in = office.login("clerk", "correct+horse+battery");
    REQUIRE(logged_in.status == 303);
    CHECK(logged_in.header("Location") == "/");
    const auto set_cookie = logged_in.header("Set-Cookie").value_or("");
    CHECK(set_cookie.find("HttpOnly") != std::string::npos);
    CHECK(set_cookie.find("SameSite=Strict") != std::string::npos);
    const auto cookie = session_cookie(logged_in);

    const auto home = office.get("/", cookie);
    CHECK(home.status == 200);
    CHECK(home.body.find("Signed in as <strong>clerk</strong> (desk)") != std::string::npos);
    CHECK(home.header("Content-Security-Policy").has_value());
    CHECK(office.get("/", "encore_staff=forged-session-token-123456").status == 401);

    CHECK(office.post("/logout", cookie).status == 200);
    CHECK(office.get("/", cookie).status == 401);
}

TEST_CASE("wrong passwords for one name are refused after five, even the right one") {
    BackOffice office;
    REQUIRE(office.staff("add packer --role shipping", "parcel-tape-2026").exit_code == 0);
    for (int attempt = 0; attempt < 5; ++attempt) {
        CHECK(office.login("packer", "guess" + std::to_string(attempt)).status == 401);
    }
    const auto limited = office.login("packer", "parcel-tape-2026");
    CHECK(limited.status == 429);
    CHECK(limited.header("Retry-After").has_value());
    CHECK(limited.body.find("Too many wrong passwords") != std::string::npos);
}

TEST_CASE("a new password or a removal ends the member's sessions") {
    BackOffice office;
    REQUIRE(office.staff("add lead --role admin", "first-password-1").exit_code == 0);
    const auto cookie = session_cookie(office.login("lead", "first-password-1"));
    CHECK(office.get("/", cookie).status == 200);

    REQUIRE(office.staff("add lead --role admin", "second-password-2").exit_code == 0);
    CHECK(office.get("/", cookie).status == 401);
    CHECK(office.login("lead", "first-password-1").status == 401);
    const auto again = session_cookie(office.login("lead", "second-password-2"));
    CHECK(office.get("/", again).status == 200);

    const auto removed = office.staff("remove lead");
    CHECK(removed.exit_code == 0);
    CHECK(office.get("/", again).status == 401);
    CHECK(office.staff("remove lead").exit_code == 1);
}

TEST_CASE("`encore staff` refuses a short password, a bad name and an unknown role") {
    BackOffice office;
    const auto short_password = office.staff("add clerk --role desk", "short");
    CHECK(short_password.exit_code == 1);
    CHECK(short_password.err.find("at least 10 characters") != std::string::npos);
    CHECK(office.staff("add 'bad name' --role desk", "long-enough-password").exit_code == 2);
    const auto bad_role = office.staff("add clerk --role boss", "long-enough-password");
    CHECK(bad_role.exit_code == 2);
    CHECK(bad_role.err.find("--role must be desk, shipping or admin") != std::string::npos);
    CHECK(office.staff("list").out.empty());
}

TEST_CASE("the public listener has no back-office paths") {
    BackOffice office;
    for (const auto* path :
         {"/login", "/desk", "/shipping", "/shipping/slip?reorder=x", "/api/orders", "/api/staff",
          "/api/desk/queue", "/api/reorders?state=paid", "/api/reorders/x",
          "/api/shipping/packing-list", "/api/shipping/slip?reorder=x", "/api/settlement/counter",
          "/api/settlement/vouchers", "/api/settlement/vouchers?state=open"}) {
        CAPTURE(path);
        CHECK(platform::http::request(office.public_endpoint(), "GET", path).status == 404);
    }
    for (const auto* path :
         {"/desk/release", "/desk/reprint", "/desk/confirm", "/desk/cancel", "/shipping/pack",
          "/shipping/ship", "/api/desk/release", "/api/desk/reprint", "/api/desk/cancel",
          "/api/shipping/pack", "/api/shipping/ship", "/api/settlement/confirm",
          "/api/settlement/refund", "/api/settlement/vouchers", "/api/settlement/vouchers/void"}) {
        CAPTURE(path);
        CHECK(platform::http::request(office.public_endpoint(), "POST", path,
                                      {{"Content-Type", "application/json"}}, "{}")
                  .status == 404);
    }
    CHECK(platform::http::request(office.public_endpoint(), "POST", "/login",
                                  {{"Content-Type", "application/x-www-form-urlencoded"}},
                                  "name=a&password=b")
              .status == 404);
}
