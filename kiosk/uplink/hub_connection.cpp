#include "kiosk/uplink/hub_connection.hpp"

#include "platform/log/logger.hpp"
#include "platform/wire/join_token.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <stdexcept>

namespace encore::kiosk {

namespace asio = boost::asio;

struct HubConnection::State {
    asio::io_context& loop;
    std::filesystem::path data_dir;
    Outbox& outbox;
    std::optional<std::string> join_token;
    std::string public_url;
    std::optional<KioskIdentity> identity;
    std::unique_ptr<Uplink> uplink;
    VenueHooks venue;
    std::string enrolment_error;
    std::function<void(const std::string&)> public_url_observer;
    asio::steady_timer retry;
    bool stopped = false;
    platform::Logger log{"hub"};

    State(asio::io_context& loop_in, std::filesystem::path data_dir_in, Outbox& outbox_in,
          std::optional<std::string> token, std::string fallback_url)
        : loop(loop_in)
        , data_dir(std::move(data_dir_in))
        , outbox(outbox_in)
        , join_token(std::move(token))
        , public_url(std::move(fallback_url))
        , retry(loop_in) {}

    void set_public_url(const std::string& url) {
        if (url == public_url) {
            return;
        }
        public_url = url;
        if (public_url_observer) {
            public_url_observer(url);
        }
    }

    void start_uplink() {
        set_public_url(identity->public_url);
        uplink = std::make_unique<Uplink>(loop, outbox, *identity);
        uplink->set_venue(venue);
        uplink->on_public_url = [this](const std::string& url) {
            set_public_url(url);
            identity->public_url = url;
            save_identity(data_dir, *identity);
            log.info("the hub's public URL is now ", url);
        };
        uplink->start();
    }

    asio::awaitable<void> enrol(platform::wire::JoinToken token) {
        auto delay = std::chrono::seconds(2);
        while (!stopped) {
            auto outcome = co_await enrol_with_hub(token, std::chrono::seconds(15));
            if (auto* enrolled = std::get_if<KioskIdentity>(&outcome)) {
                save_identity(data_dir, *enrolled);
                identity = *enrolled;
                enrolment_error.clear();
                log.info("enrolled with the hub at ", token.link.to_string(), " as '",
                         enrolled->kiosk, "'");
                start_uplink();
                co_return;
            }
            const auto& failure = std::get<EnrolmentError>(outcome);
            enrolment_error = failure.message;
            // A refused token will not start working by itself: say so and stop trying.
            if (failure.permanent) {
                log.error("enrolment failed: ", enrolment_error,
                          "; ask the store for a new join token");
                co_return;
            }
            log.warning("enrolment failed: ", enrolment_error, "; retrying in ", delay.count(),
                        " s");
            retry.expires_after(delay);
            co_await retry.async_wait(asio::as_tuple(asio::use_awaitable));
            delay = std::min(delay * 2, std::chrono::seconds(60));
        }
    }
};

HubConnection::HubConnection(asio::io_context& loop, const std::filesystem::path& data_dir,
                             Outbox& outbox, std::optional<std::string> join_token,
                             std::string fallback_public_url)
    : state_(std::make_shared<State>(loop, data_dir, outbox, std::move(join_token),
                                     std::move(fallback_public_url))) {}

HubConnection::~HubConnection() {
    stop();
}

void HubConnection::start() {
    auto& state = *state_;
    state.identity = load_identity(state.data_dir);
    if (state.identity) {
        state.start_uplink();
        return;
    }
    if (!state.join_token) {
        state.log.info(
            "not enrolled with a hub: the booth works on its own (start once with --hub-token "
            "TOKEN from `encore enrol-token` to connect it)");
        return;
    }
    std::string error;
    const auto token = platform::wire::decode_join_token(*state.join_token, error);
    if (!token) {
        throw std::invalid_argument(error);
    }
    auto shared = state_;
    asio::co_spawn(
        state.loop,
        [shared, token = *token]() -> asio::awaitable<void> { co_await shared->enrol(token); },
        asio::detached);
}

void HubConnection::stop() {
    state_->stopped = true;
    state_->retry.cancel();
    if (state_->uplink) {
        state_->uplink->stop();
    }
}

void HubConnection::set_venue(VenueHooks hooks) {
    state_->venue = std::move(hooks);
}

void HubConnection::nudge() {
    if (state_->uplink) {
        state_->uplink->nudge();
    }
}

const std::string& HubConnection::public_url() const {
    return state_->public_url;
}

void HubConnection::on_public_url_changed(std::function<void(const std::string&)> observer) {
    state_->public_url_observer = std::move(observer);
}

HubConnectionStatus HubConnection::status() {
    HubConnectionStatus status;
    status.enrolled = state_->identity.has_value();
    status.kiosk = state_->identity ? state_->identity->kiosk : "";
    status.public_url = state_->public_url;
    status.enrolment_error = state_->enrolment_error;
    if (state_->uplink) {
        status.uplink = state_->uplink->status();
    } else {
        status.uplink.backlog = state_->outbox.status();
    }
    return status;
}

} // namespace encore::kiosk
