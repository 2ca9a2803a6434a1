#include "ptp_session.hpp"

#include "log.hpp"
#include "ptp_codes.hpp"
#include "ptpip_packet.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <utility>

namespace encore::peers {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Requests carry at most five parameters; anything larger is not a request.
constexpr std::size_t max_request_body = 64;
// Data the host sends (SetDevicePropValue) is a few bytes; the cap only
// protects the simulator from a confused or hostile client.
constexpr std::size_t max_host_data = 1024 * 1024;
// The slow fault sends 20 KiB every 100 ms, about 200 KB/s.
constexpr std::size_t slow_chunk = 20 * 1024;
constexpr auto slow_interval = std::chrono::milliseconds(100);

std::string hex16(std::uint16_t value) {
    char text[8];
    std::snprintf(text, sizeof text, "0x%04X", value);
    return text;
}

} // namespace

PtpSession::PtpSession(tcp::socket command, std::uint32_t connection_number,
                       SessionServices services)
    : command_(std::move(command))
    , connection_number_(connection_number)
    , services_(services) {}

void PtpSession::close() {
    closed_ = true;
    boost::system::error_code ignored;
    command_.shutdown(tcp::socket::shutdown_both, ignored);
    command_.close(ignored);
    if (event_socket_) {
        event_socket_->shutdown(tcp::socket::shutdown_both, ignored);
        event_socket_->close(ignored);
    }
}

asio::awaitable<void> PtpSession::run(Bytes init_command_ack) {
    auto self = shared_from_this();
    if (!co_await write(init_command_ack)) {
        close();
        co_return;
    }
    while (!closed_) {
        auto packet = co_await read_packet(command_, max_request_body);
        if (!packet) {
            break;
        }
        bool keep_going = true;
        switch (static_cast<ptp::PacketType>(packet->type)) {
        case ptp::PacketType::OperationRequest:
            keep_going = co_await handle_request(packet->body);
            break;
        case ptp::PacketType::Ping: {
            Bytes pong;
            append_packet(pong, ptp::PacketType::Pong, {});
            keep_going = co_await write(pong);
            break;
        }
        case ptp::PacketType::Cancel:
            // Nothing runs in the background that a cancel could stop.
            break;
        default:
            log_line("session", "unexpected packet type " + std::to_string(packet->type) +
                                    " on the command connection; closing it");
            keep_going = false;
            break;
        }
        if (!keep_going) {
            break;
        }
    }
    close();
}

asio::awaitable<void> PtpSession::run_events(tcp::socket events) {
    auto self = shared_from_this();
    event_socket_.emplace(std::move(events));
    Bytes ack;
    append_packet(ack, ptp::PacketType::InitEventAck, {});
    queue_event(std::move(ack));
    // The host never needs to send anything here but a ping; reading keeps
    // a closed event connection from going unnoticed.
    while (event_socket_ && event_socket_->is_open()) {
        auto packet = co_await read_packet(*event_socket_, max_request_body);
        if (!packet) {
            break;
        }
        if (static_cast<ptp::PacketType>(packet->type) == ptp::PacketType::Ping) {
            Bytes pong;
            append_packet(pong, ptp::PacketType::Pong, {});
            queue_event(std::move(pong));
        }
    }
}

asio::awaitable<bool> PtpSession::handle_request(const Bytes& body) {
    LeReader reader(body);
    const auto data_phase = reader.u32();
    const auto code = reader.u16();
    const auto transaction = reader.u32();
    if (!data_phase || !code || !transaction) {
        log_line("session", "short operation request; closing the connection");
        co_return false;
    }
    Request request{*code, *transaction, {}};
    for (auto& param : request.params) {
        param = reader.u32().value_or(0);
    }

    Bytes host_data;
    if (*data_phase == ptp::host_sends_data) {
        auto data = co_await read_host_data(request.transaction);
        if (!data) {
            log_line("session", "bad data phase from the host; closing the connection");
            co_return false;
        }
        host_data = std::move(*data);
    }

    last_response_code_ = 0;
    const bool keep_going = co_await dispatch(request, host_data);
    if (services_.camera.config().verbose) {
        log_request(request);
    }
    co_return keep_going;
}

asio::awaitable<std::optional<Bytes>> PtpSession::read_host_data(std::uint32_t transaction) {
    auto start = co_await read_packet(command_, 12);
    if (!start || start->type != static_cast<std::uint32_t>(ptp::PacketType::StartData)) {
        co_return std::nullopt;
    }
    LeReader header(start->body);
    const auto start_transaction = header.u32();
    const auto total = header.u64();
    if (!start_transaction || !total || *start_transaction != transaction ||
        *total > max_host_data) {
        co_return std::nullopt;
    }
    Bytes data;
    while (true) {
        auto packet = co_await read_packet(command_, max_host_data + 4);
        if (!packet || packet->body.size() < 4) {
            co_return std::nullopt;
        }
        const auto type = static_cast<ptp::PacketType>(packet->type);
        if (type != ptp::PacketType::Data && type != ptp::PacketType::EndData) {
            co_return std::nullopt;
        }
        data.insert(data.end(), packet->body.begin() + 4, packet->body.end());
        if (data.size() > *total) {
            co_return std::nullopt;
        }
        if (type == ptp::PacketType::EndData) {
            co_return data;
        }
    }
}

asio::awaitable<bool> PtpSession::dispatch(const Request& request, const Bytes& host_data) {
    const auto tid = request.transaction;
    if (!services_.camera.supports_operation(request.code)) {
        co_return co_await reply(ptp::rc::operation_not_supported, tid);
    }
    if (!session_open_ && request.code != ptp::op::get_device_info &&
        request.code != ptp::op::open_session) {
        co_return co_await reply(ptp::rc::session_not_open, tid);
    }
    switch (request.code) {
    case ptp::op::get_object:
        co_return co_await get_object(request);
    case ptp::op::initiate_capture:
    case ptp::op::nikon_initiate_capture_rec_in_sdram:
        co_return co_await initiate_capture(request);
    default:
        break;
    }
    const auto answer = answer_request(request, host_data);
    if (answer.data) {
        co_return co_await reply_with_data(tid, answer.data);
    }
    co_return co_await reply(answer.code, tid, answer.param);
}

PtpSession::Answer PtpSession::answer_request(const Request& request, const Bytes& host_data) {
    auto& camera = services_.camera;
    const auto& p = request.params;
    const auto with_data = [](Bytes data) {
        return Answer{ptp::rc::ok, std::nullopt, std::make_shared<const Bytes>(std::move(data))};
    };
    const auto code_only = [](std::uint16_t code) { return Answer{code, std::nullopt, nullptr}; };

    switch (request.code) {
    case ptp::op::get_device_info:
        return with_data(camera.device_info());

    case ptp::op::open_session:
        if (p[0] == 0) {
            return code_only(ptp::rc::invalid_parameter);
        }
        if (session_open_) {
            return Answer{ptp::rc::session_already_open, p[0], nullptr};
        }
        session_open_ = true;
        return code_only(ptp::rc::ok);

    case ptp::op::close_session:
        session_open_ = false;
        return code_only(ptp::rc::ok);

    case ptp::op::get_storage_ids: {
        Bytes data;
        const std::array<std::uint32_t, 1> ids{CameraModel::storage_id};
        LeWriter(data).u32_array(ids);
        return with_data(std::move(data));
    }

    case ptp::op::get_storage_info: {
        auto info = camera.storage_info(p[0]);
        return info ? with_data(std::move(*info)) : code_only(ptp::rc::invalid_storage_id);
    }

    case ptp::op::get_num_objects:
    case ptp::op::get_object_handles: {
        if (p[0] != ptp::all_storages && p[0] != CameraModel::storage_id) {
            return code_only(ptp::rc::invalid_storage_id);
        }
        const auto handles = camera.object_handles(p[0], p[2]);
        if (request.code == ptp::op::get_num_objects) {
            return Answer{ptp::rc::ok, static_cast<std::uint32_t>(handles.size()), nullptr};
        }
        Bytes data;
        LeWriter(data).u32_array(handles);
        return with_data(std::move(data));
    }

    case ptp::op::get_object_info: {
        const auto* object = camera.find_object(p[0]);
        return object != nullptr ? with_data(camera.object_info(*object))
                                 : code_only(ptp::rc::invalid_object_handle);
    }

    case ptp::op::delete_object:
        return code_only(camera.delete_object(p[0]) ? ptp::rc::ok : ptp::rc::invalid_object_handle);

    case ptp::op::get_device_prop_desc: {
        auto desc = camera.device_prop_desc(static_cast<std::uint16_t>(p[0]));
        return desc ? with_data(std::move(*desc)) : code_only(ptp::rc::device_prop_not_supported);
    }

    case ptp::op::get_device_prop_value: {
        auto value = camera.device_prop_value(static_cast<std::uint16_t>(p[0]));
        return value ? with_data(std::move(*value)) : code_only(ptp::rc::device_prop_not_supported);
    }

    case ptp::op::set_device_prop_value:
        // Every property the simulator has is read only, so the value the
        // host sent is not looked at.
        (void)host_data;
        return code_only(camera.device_prop_value(static_cast<std::uint16_t>(p[0]))
                             ? ptp::rc::access_denied
                             : ptp::rc::device_prop_not_supported);

    case ptp::op::nikon_device_ready:
        return code_only(ptp::rc::ok);

    case ptp::op::nikon_start_live_view:
        camera.set_live_view(true);
        return code_only(ptp::rc::ok);

    case ptp::op::nikon_end_live_view:
        if (!camera.live_view_on()) {
            return code_only(ptp::rc::nikon_not_live_view);
        }
        camera.set_live_view(false);
        return code_only(ptp::rc::ok);

    case ptp::op::nikon_get_live_view_img:
        if (!camera.live_view_on()) {
            return code_only(ptp::rc::nikon_not_live_view);
        }
        ++camera.counters().live_frames;
        return Answer{ptp::rc::ok, std::nullopt, services_.live_view.next_frame()};

    default:
        return code_only(ptp::rc::operation_not_supported);
    }
}

asio::awaitable<bool> PtpSession::initiate_capture(const Request& request) {
    auto& faults = services_.camera.faults();
    const auto tid = request.transaction;
    if (faults.is_on(Fault::Busy)) {
        co_return co_await reply(ptp::rc::device_busy, tid);
    }
    if (faults.is_on(Fault::AfFail)) {
        co_return co_await reply(ptp::rc::nikon_out_of_focus, tid);
    }
    if (faults.is_on(Fault::CardFull)) {
        co_return co_await reply(ptp::rc::store_full, tid);
    }
    const auto serial = services_.camera.take_capture_serial();
    if (!co_await reply(ptp::rc::ok, tid)) {
        co_return false;
    }
    // The picture is finished in the background, as a camera exposes and
    // processes after it has answered, so the host can keep talking.
    asio::co_spawn(command_.get_executor(), finish_capture(serial, tid), asio::detached);
    co_return true;
}

asio::awaitable<void> PtpSession::finish_capture(std::uint32_t serial, std::uint32_t transaction) {
    auto self = shared_from_this();
    std::shared_ptr<const Bytes> jpeg;
    try {
        jpeg = co_await services_.captures.take(serial);
    } catch (const std::exception& error) {
        log_line("capture", "capture " + std::to_string(serial) + " failed: " + error.what());
        co_return;
    }
    const auto handle = services_.camera.add_object(serial, std::move(jpeg));
    if (services_.camera.faults().is_on(Fault::NoObjectAdded)) {
        // The picture is on the card but never announced. PTP sends
        // CaptureComplete only after the ObjectAdded events of a capture,
        // so it is withheld as well.
        log_line("capture", "capture " + std::to_string(serial) +
                                " stored without ObjectAdded (no-object-added fault)");
        co_return;
    }
    queue_event(make_event(ptp::event::object_added, transaction, {handle}));
    queue_event(make_event(ptp::event::capture_complete, transaction, {transaction}));
}

asio::awaitable<bool> PtpSession::get_object(const Request& request) {
    auto& camera = services_.camera;
    const auto tid = request.transaction;
    const auto* object = camera.find_object(request.params[0]);
    if (object == nullptr) {
        co_return co_await reply(ptp::rc::invalid_object_handle, tid);
    }
    // Holding the data keeps it alive even if the host deletes the object
    // while a throttled transfer is still going.
    auto data = object->jpeg;

    if (camera.faults().is_on(Fault::DropMidTransfer)) {
        const auto half = data->size() / 2;
        Bytes head;
        append_start_data(head, tid, data->size());
        append_data_header(head, ptp::PacketType::Data, tid, half);
        boost::system::error_code ec;
        const std::array<asio::const_buffer, 2> buffers{asio::buffer(head),
                                                        asio::buffer(data->data(), half)};
        co_await asio::async_write(command_, buffers,
                                   asio::redirect_error(asio::use_awaitable, ec));
        log_line("session", "dropped the connection halfway through GetObject (drop-mid-transfer)");
        close();
        co_return false;
    }

    const bool sent = camera.faults().is_on(Fault::Slow) ? co_await send_throttled(tid, data)
                                                         : co_await reply_with_data(tid, data);
    if (sent) {
        ++camera.counters().downloads;
    }
    co_return sent;
}

asio::awaitable<bool> PtpSession::send_throttled(std::uint32_t transaction,
                                                 std::shared_ptr<const Bytes> data) {
    Bytes start;
    append_start_data(start, transaction, data->size());
    if (!co_await write(start)) {
        co_return false;
    }
    asio::steady_timer timer(command_.get_executor());
    std::size_t offset = 0;
    do {
        const auto count = std::min(slow_chunk, data->size() - offset);
        const bool last = offset + count == data->size();
        Bytes head;
        append_data_header(head, last ? ptp::PacketType::EndData : ptp::PacketType::Data,
                           transaction, count);
        Bytes tail;
        if (last) {
            append_response(tail, ptp::rc::ok, transaction);
            last_response_code_ = ptp::rc::ok;
        }
        const std::array<asio::const_buffer, 3> buffers{
            asio::buffer(head), asio::buffer(data->data() + offset, count), asio::buffer(tail)};
        boost::system::error_code ec;
        co_await asio::async_write(command_, buffers,
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec || closed_) {
            co_return false;
        }
        offset += count;
        if (!last) {
            timer.expires_after(slow_interval);
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
    } while (offset < data->size());
    co_return true;
}

asio::awaitable<bool> PtpSession::reply(std::uint16_t code, std::uint32_t transaction,
                                        std::optional<std::uint32_t> param) {
    Bytes packet;
    if (param) {
        append_response(packet, code, transaction, std::span<const std::uint32_t>(&*param, 1));
    } else {
        append_response(packet, code, transaction);
    }
    last_response_code_ = code;
    co_return co_await write(packet);
}

asio::awaitable<bool> PtpSession::reply_with_data(std::uint32_t transaction,
                                                  std::shared_ptr<const Bytes> data) {
    Bytes head;
    append_start_data(head, transaction, data->size());
    append_data_header(head, ptp::PacketType::EndData, transaction, data->size());
    Bytes tail;
    append_response(tail, ptp::rc::ok, transaction);
    last_response_code_ = ptp::rc::ok;
    const std::array<asio::const_buffer, 3> buffers{asio::buffer(head), asio::buffer(*data),
                                                    asio::buffer(tail)};
    boost::system::error_code ec;
    co_await asio::async_write(command_, buffers, asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec;
}

asio::awaitable<bool> PtpSession::write(const Bytes& packet) {
    boost::system::error_code ec;
    co_await asio::async_write(command_, asio::buffer(packet),
                               asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec;
}

void PtpSession::queue_event(Bytes packet) {
    if (!event_socket_ || closed_) {
        return;
    }
    event_queue_.push_back(std::move(packet));
    if (!event_writing_) {
        event_writing_ = true;
        asio::co_spawn(command_.get_executor(), drain_events(), asio::detached);
    }
}

asio::awaitable<void> PtpSession::drain_events() {
    auto self = shared_from_this();
    // Only the packet at the head of the queue is ever being written, so
    // events reach the host whole and in order.
    while (!event_queue_.empty() && event_socket_) {
        boost::system::error_code ec;
        co_await asio::async_write(*event_socket_, asio::buffer(event_queue_.front()),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            event_queue_.clear();
            break;
        }
        event_queue_.pop_front();
    }
    event_writing_ = false;
}

void PtpSession::log_request(const Request& request) const {
    log_line("session", "connection " + std::to_string(connection_number_) + " op " +
                            hex16(request.code) + " tid " + std::to_string(request.transaction) +
                            " p1 " + std::to_string(request.params[0]) + " -> " +
                            hex16(last_response_code_));
}

} // namespace encore::peers
