#pragma once

// One PTP/IP session: the command connection a host opened, plus the event
// connection it pairs with it. The session answers operation requests in
// order and sends capture events; camera state it changes lives in the
// shared CameraModel, so it survives the host reconnecting.

#include "byte_buffer.hpp"
#include "camera_model.hpp"
#include "capture_pipeline.hpp"
#include "live_view.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>

namespace encore::peers {

// What a session borrows from the simulator; all of it outlives the session.
struct SessionServices {
    CameraModel& camera;
    CapturePipeline& captures;
    LiveView& live_view;
};

class PtpSession : public std::enable_shared_from_this<PtpSession> {
public:
    PtpSession(boost::asio::ip::tcp::socket command, std::uint32_t connection_number,
               SessionServices services);

    std::uint32_t connection_number() const { return connection_number_; }

    // Sends the InitCommandAck, then serves operation requests until the
    // host disconnects, sends something malformed, or the session is
    // closed; closes the session on the way out.
    boost::asio::awaitable<void> run(Bytes init_command_ack);

    // Whether an event connection naming this session may join it: not if
    // the session already has one or is closed; the caller then refuses it.
    bool can_adopt_events() const { return !event_socket_ && !closed_; }

    // Adopts the event connection that named this session, acknowledges it
    // and reads from it until it closes.
    boost::asio::awaitable<void> run_events(boost::asio::ip::tcp::socket events);

    // Closes both connections; the coroutines serving them then end.
    void close();

private:
    struct Request {
        std::uint16_t code = 0;
        std::uint32_t transaction = 0;
        std::array<std::uint32_t, 5> params{};
    };

    boost::asio::awaitable<bool> handle_request(const Bytes& body);
    boost::asio::awaitable<std::optional<Bytes>> read_host_data(std::uint32_t transaction);
    // The answer to an operation that needs no I/O of its own: a response
    // code with at most one parameter, or data and the code OK.
    struct Answer {
        std::uint16_t code = 0;
        std::optional<std::uint32_t> param;
        std::shared_ptr<const Bytes> data;
    };

    boost::asio::awaitable<bool> dispatch(const Request& request, const Bytes& host_data);
    Answer answer_request(const Request& request, const Bytes& host_data);
    boost::asio::awaitable<bool> initiate_capture(const Request& request);
    boost::asio::awaitable<bool> get_object(const Request& request);
    boost::asio::awaitable<bool> send_throttled(std::uint32_t transaction,
                                                std::shared_ptr<const Bytes> data);
    boost::asio::awaitable<void> finish_capture(std::uint32_t serial, std::uint32_t transaction);

    // Replies are written with one write each, header, data and response
    // together, because libgphoto2 waits on every partial packet and split
    // writes slow live view by two orders of magnitude.
    boost::asio::awaitable<bool> reply(std::uint16_t code, std::uint32_t transaction,
                                       std::optional<std::uint32_t> param = std::nullopt);
    boost::asio::awaitable<bool> reply_with_data(std::uint32_t transaction,
                                                 std::shared_ptr<const Bytes> data);
    boost::asio::awaitable<bool> write(const Bytes& packet);

    void queue_event(Bytes packet);
    boost::asio::awaitable<void> drain_events();
    void log_request(const Request& request) const;

    boost::asio::ip::tcp::socket command_;
    std::optional<boost::asio::ip::tcp::socket> event_socket_;
    std::deque<Bytes> event_queue_;
    bool event_writing_ = false;
    std::uint32_t connection_number_;
    SessionServices services_;
    bool session_open_ = false;
    std::uint16_t last_response_code_ = 0;
    bool closed_ = false;
};

} // namespace encore::peers
