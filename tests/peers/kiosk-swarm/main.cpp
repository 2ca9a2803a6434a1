// kiosk-swarm: N simulated booths that enrol with a hub and upload photos and orders
// over the real kiosk link, measuring each photo's ack latency and the total
// throughput; prints a JSON summary. A test peer for bench/intake, not product code.
// See README.md.

#include "kiosk/uplink/uplink.hpp"
#include "platform/config/command_line.hpp"
#include "platform/crypto/random.hpp"
#include "platform/http/client.hpp"
#include "platform/wire/join_token.hpp"
#include "tests/peers/kiosk-swarm/simulated_kiosk.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <variant>

namespace {

using namespace encore;
using namespace std::chrono_literals;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::uint64_t number_option(const std::optional<std::string>& text, const char* name,
                            std::uint64_t fallback, std::uint64_t minimum) {
    if (!text) {
        return fallback;
    }
    std::size_t used = 0;
    std::uint64_t value = 0;
    try {
        value = std::stoull(*text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text->size() || value < minimum) {
        throw UsageError(std::string("--") + name + " wants a whole number of at least " +
                         std::to_string(minimum) + ", got '" + *text + "'");
    }
    return value;
}

// Join tokens for `count` new kiosks from the hub's admin API (POST /api/enrol-tokens).
std::vector<std::string> tokens_from_admin_api(const std::string& admin_url,
                                               const std::string& token_file,
                                               const std::string& prefix, std::size_t count) {
    const auto server = platform::http::parse_http_url(admin_url);
    if (!server) {
        throw UsageError("--hub-admin must look like http://HOST:PORT, got '" + admin_url + "'");
    }
    std::ifstream file(token_file);
    std::string admin_token;
    if (!file || !std::getline(file, admin_token) || admin_token.empty()) {
        throw UsageError("cannot read the admin token from " + token_file);
    }
    std::vector<std::string> tokens;
    for (std::size_t index = 0; index < count; ++index) {
        const json request = {{"kiosk", prefix + "-" + std::to_string(index + 1)},
                              {"valid_hours", 1}};
        const auto response = platform::http::request(
            *server, "POST", "/api/enrol-tokens",
            {{"Authorization", "Bearer " + admin_token}, {"Content-Type", "application/json"}},
            request.dump());
        if (response.status != 201) {
            throw std::runtime_error("the hub refused a join token (HTTP " +
                                     std::to_string(response.status) + "): " + response.body);
        }
        tokens.push_back(json::parse(response.body).at("token").get<std::string>());
    }
    return tokens;
}

// Enrols every kiosk at once, as booths installed together would.
std::vector<kiosk::KioskIdentity> enrol_all(boost::asio::io_context& loop,
                                            const std::vector<std::string>& tokens) {
    std::vector<platform::wire::JoinToken> decoded;
    for (const auto& text : tokens) {
        std::string error;
        auto token = platform::wire::decode_join_token(text, error);
        if (!token) {
            throw UsageError("bad join token: " + error);
        }
        decoded.push_back(std::move(*token));
    }
    std::map<std::size_t, std::variant<kiosk::KioskIdentity, kiosk::EnrolmentError>> enrolled;
    for (std::size_t index = 0; index < decoded.size(); ++index) {
        boost::asio::co_spawn(
            loop,
            [&enrolled, &decoded, index]() -> boost::asio::awaitable<void> {
                auto outcome = co_await kiosk::enrol_with_hub(decoded[index], 30s);
                enrolled.emplace(index, std::move(outcome));
            },
            boost::asio::detached);
    }
    loop.restart();
    loop.run();
    std::vector<kiosk::KioskIdentity> identities;
    for (auto& [index, outcome] : enrolled) {
        if (const auto* refused = std::get_if<kiosk::EnrolmentError>(&outcome)) {
            throw std::runtime_error("kiosk " + decoded[index].kiosk +
                                     " could not enrol: " + refused->message);
        }
        identities.push_back(std::get<kiosk::KioskIdentity>(std::move(outcome)));
    }
    return identities;
}

double percentile(std::vector<double> values, double fraction) {
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    // Nearest rank: the smallest value with at least `fraction` of the samples at or below it.
    const auto rank =
        static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(values.size())));
    return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

json latency_summary(const std::vector<double>& values) {
    return {{"count", values.size()},
            {"p50", percentile(values, 0.50)},
            {"p90", percentile(values, 0.90)},
            {"p99", percentile(values, 0.99)},
            {"max", values.empty() ? 0.0 : *std::max_element(values.begin(), values.end())}};
}

int run(int argc, char** argv) {
    platform::CommandLine command_line(
        "kiosk-swarm", "[OPTIONS]",
        "Enrols N simulated kiosks with a hub, then each uploads M photos of S random bytes "
        "and their orders over the kiosk link, all at once, and then K more in each paced "
        "phase. Prints a JSON summary: photos/s, MB/s, ack latencies.");
    std::optional<std::string> hub_admin, token_file, kiosks_text, photos_text, bytes_text,
        per_order_text, chunk_text, prefix, timeout_text, paced_photos_text, paced_load_text;
    std::vector<std::string> join_tokens;
    command_line.add_option("hub-admin", "URL",
                            "the hub's private listener (http://HOST:PORT): make join tokens "
                            "through its admin API",
                            hub_admin);
    command_line.add_option("token-file", "FILE", "the admin token (DATA/admin.token of the hub)",
                            token_file);
    command_line.add_list("join-token", "TOKEN",
                          "a join token (from `encore enrol-token`) for one kiosk; repeat it, "
                          "instead of --hub-admin",
                          join_tokens);
    command_line.add_option("kiosks", "N", "kiosks with --hub-admin (default 50)", kiosks_text);
    command_line.add_option("photos", "M", "photos each kiosk uploads (default 6)", photos_text);
    command_line.add_option("paced-photos", "K",
                            "then K more photos each in every paced phase (default 0: none)",
                            paced_photos_text);
    command_line.add_option("paced-load", "PERCENT[,PERCENT...]",
                            "one paced phase per value, offering that share of the first "
                            "phase's photos/s, every kiosk at an even pace (default 50)",
                            paced_load_text);
    command_line.add_option("photo-bytes", "S", "size of each photo (default 2000000)", bytes_text);
    command_line.add_option("photos-per-order", "P", "photos an order names (default 3)",
                            per_order_text);
    command_line.add_option("chunk-bytes", "B", "CHUNK data size (default 524288, as kioskd)",
                            chunk_text);
    command_line.add_option("name-prefix", "TEXT",
                            "kiosk names are TEXT-1..TEXT-N (default swarm-<random>)", prefix);
    command_line.add_option("timeout", "SECONDS", "give up a silent link after (default 60)",
                            timeout_text);
    if (const auto exit_code = command_line.parse(argc, argv)) {
        return *exit_code;
    }
    swarm::SwarmPlan plan;
    std::uint64_t kiosk_count = 0;
    std::uint64_t photo_bytes = 0;
    std::uint32_t photos_per_kiosk = 0;
    std::uint32_t paced_photos = 0;
    std::vector<std::uint64_t> paced_percents;
    try {
        kiosk_count = number_option(kiosks_text, "kiosks", 50, 1);
        photos_per_kiosk = static_cast<std::uint32_t>(number_option(photos_text, "photos", 6, 1));
        paced_photos =
            static_cast<std::uint32_t>(number_option(paced_photos_text, "paced-photos", 0, 0));
        std::stringstream loads(paced_load_text.value_or("50"));
        for (std::string load; std::getline(loads, load, ',');) {
            paced_percents.push_back(number_option(load, "paced-load", 50, 1));
        }
        photo_bytes = number_option(bytes_text, "photo-bytes", 2'000'000, 17);
        plan.photos_per_order =
            static_cast<std::uint32_t>(number_option(per_order_text, "photos-per-order", 3, 1));
        plan.chunk_bytes = number_option(chunk_text, "chunk-bytes", 512 * 1024, 1);
        plan.reply_timeout = std::chrono::seconds(number_option(timeout_text, "timeout", 60, 1));
        if (plan.chunk_bytes > platform::wire::max_chunk_data_bytes) {
            throw UsageError("--chunk-bytes may be at most " +
                             std::to_string(platform::wire::max_chunk_data_bytes));
        }
        if (photo_bytes > platform::wire::max_photo_bytes) {
            throw UsageError("--photo-bytes may be at most " +
                             std::to_string(platform::wire::max_photo_bytes));
        }
        if (hub_admin.has_value() == !join_tokens.empty()) {
            throw UsageError("give either --hub-admin URL --token-file FILE or --join-token "
                             "TOKEN (repeated)");
        }
        if (hub_admin && !token_file) {
            throw UsageError("--hub-admin needs --token-file");
        }
    } catch (const UsageError& error) {
        std::cerr << "kiosk-swarm: " << error.what() << "\n";
        return 2;
    }

    const auto enrol_started = Clock::now();
    if (hub_admin) {
        const auto name_prefix = prefix.value_or("swarm-" + platform::crypto::random_token(4));
        join_tokens = tokens_from_admin_api(*hub_admin, *token_file, name_prefix, kiosk_count);
    }
    boost::asio::io_context loop;
    const auto identities = enrol_all(loop, join_tokens);
    const double enrol_seconds =
        std::chrono::duration<double>(Clock::now() - enrol_started).count();

    const swarm::PhotoPool pool(photo_bytes, std::random_device{}() | 1ull << 40);
    std::vector<std::unique_ptr<swarm::SimulatedKiosk>> kiosks;
    for (std::size_t index = 0; index < identities.size(); ++index) {
        kiosks.push_back(std::make_unique<swarm::SimulatedKiosk>(
            loop, static_cast<std::uint32_t>(index), identities[index]));
    }
    for (auto& kiosk : kiosks) {
        kiosk->prepare(pool, photos_per_kiosk +
                                 paced_photos * static_cast<std::uint32_t>(paced_percents.size()));
    }
    // Every kiosk connects first, so the measured phases are intake, not handshakes.
    json errors = json::array();
    for (auto& kiosk : kiosks) {
        boost::asio::co_spawn(
            loop,
            [&errors, &booth = *kiosk, &plan]() -> boost::asio::awaitable<void> {
                const auto failure = co_await booth.connect(plan.reply_timeout);
                if (!failure.empty()) {
                    errors.push_back(booth.name() + ": " + failure);
                }
            },
            boost::asio::detached);
    }
    loop.restart();
    loop.run();

    // Runs one phase on every kiosk at once; its summary, with errors appended to `errors`.
    const auto run_phase = [&](const swarm::Phase& shape, std::chrono::microseconds interval) {
        std::vector<swarm::KioskResult> results(kiosks.size());
        const auto started = Clock::now();
        for (std::size_t index = 0; index < kiosks.size(); ++index) {
            swarm::Phase phase = shape;
            phase.started = started;
            phase.interval = interval;
            // Paced kiosks start spread over one interval, as booths do not shoot in step.
            phase.start_delay =
                interval * static_cast<long>(index) / static_cast<long>(kiosks.size());
            boost::asio::co_spawn(loop, kiosks[index]->upload(pool, plan, phase, results[index]),
                                  boost::asio::detached);
        }
        loop.restart();
        loop.run();
        const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
        std::vector<double> photo_ack_ms;
        std::vector<double> order_ack_ms;
        std::uint64_t bytes_sent = 0;
        std::uint64_t photos = 0;
        std::uint64_t orders = 0;
        for (std::size_t index = 0; index < kiosks.size(); ++index) {
            const auto& result = results[index];
            photo_ack_ms.insert(photo_ack_ms.end(), result.photo_ack_ms.begin(),
                                result.photo_ack_ms.end());
            order_ack_ms.insert(order_ack_ms.end(), result.order_ack_ms.begin(),
                                result.order_ack_ms.end());
            bytes_sent += result.photo_bytes_sent;
            photos += result.photos_acknowledged;
            orders += result.orders_acknowledged;
            if (!result.error.empty()) {
                errors.push_back(kiosks[index]->name() + ": " + result.error);
            }
        }
        const double photo_megabytes =
            static_cast<double>(photos) * static_cast<double>(photo_bytes) / 1e6;
        return json{{"photos_per_kiosk", shape.photos},
                    {"seconds", seconds},
                    {"photos", photos},
                    {"orders", orders},
                    {"photo_bytes_sent", bytes_sent},
                    {"photos_per_second", static_cast<double>(photos) / seconds},
                    {"megabytes_per_second", photo_megabytes / seconds},
                    {"photo_ack_ms", latency_summary(photo_ack_ms)},
                    {"order_ack_ms", latency_summary(order_ack_ms)}};
    };

    json summary = {{"kiosks", kiosks.size()},
                    {"photo_bytes", photo_bytes},
                    {"chunk_bytes", plan.chunk_bytes},
                    {"photos_per_order", plan.photos_per_order},
                    {"enrol_seconds", enrol_seconds}};
    if (errors.empty()) {
        swarm::Phase saturated;
        saturated.photos = photos_per_kiosk;
        summary.update(run_phase(saturated, {}));
    }
    summary["paced"] = json::array();
    std::uint32_t next_photo = photos_per_kiosk;
    for (const auto percent : paced_percents) {
        if (!errors.empty() || paced_photos == 0) {
            break;
        }
        // Each kiosk's share of the offered load, as the time between its photos.
        const double offered =
            summary["photos_per_second"].get<double>() * static_cast<double>(percent) / 100.0;
        const auto interval = std::chrono::microseconds(
            static_cast<long>(1e6 * static_cast<double>(kiosks.size()) / std::max(offered, 1e-3)));
        swarm::Phase paced;
        paced.first_photo = next_photo;
        paced.photos = paced_photos;
        next_photo += paced_photos;
        auto measured = run_phase(paced, interval);
        measured["load_percent"] = percent;
        measured["offered_photos_per_second"] = offered;
        measured["interval_ms"] = static_cast<double>(interval.count()) / 1e3;
        summary["paced"].push_back(measured);
    }
    const auto& first = *kiosks.front();
    summary["tls"] = {{"version", first.tls_version()}, {"cipher", first.tls_cipher()}};
    std::set<std::string> ciphers;
    for (const auto& kiosk : kiosks) {
        ciphers.insert(kiosk->tls_version() + " " + kiosk->tls_cipher());
        kiosk->close();
    }
    summary["tls_negotiated"] = ciphers;
    summary["errors"] = errors;
    std::cout << summary.dump(2) << std::endl;
    return errors.empty() ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& error) {
        std::cerr << "kiosk-swarm: " << error.what() << "\n";
        return 1;
    }
}
