#include "kiosk/ui/state_json.hpp"

namespace encore::kiosk::ui {

using json = nlohmann::json;

namespace {

json notice_json(const session::Notice& notice) {
    return {{"device", notice.device},
            {"reason", notice.fault.reason},
            {"message", notice.fault.message}};
}

json print_json(const session::PrintView& print) {
    return {{"phase", print.phase}, {"copies_done", print.copies_done}, {"copies", print.copies}};
}

} // namespace

json device_json(const session::DeviceStatus& status) {
    json device{{"ready", status.ready},
                {"condition", status.condition},
                {"message", status.message},
                {"name", status.name}};
    device["prints_left"] = status.prints_left ? json(*status.prints_left) : json(nullptr);
    device["battery_percent"] =
        status.battery_percent ? json(*status.battery_percent) : json(nullptr);
    return device;
}

json state_json(const session::Snapshot& snapshot) {
    json state{
        {"state", session::to_string(snapshot.stage)},
        {"version", snapshot.version},
        {"paused", snapshot.paused},
        {"shots", snapshot.shots},
        {"shot", snapshot.shot},
        {"photos", snapshot.photos},
        {"retakes_left", snapshot.retakes_left},
        {"copies", snapshot.copies},
        {"devices",
         {{"camera", {{"ready", snapshot.camera.ready}, {"condition", snapshot.camera.condition}}},
          {"printer",
           {{"ready", snapshot.printer.ready}, {"condition", snapshot.printer.condition}}}}},
    };
    state["seconds_left"] = snapshot.seconds_left ? json(*snapshot.seconds_left) : json(nullptr);
    if (snapshot.order) {
        state["order"] = {{"code", snapshot.order->code}, {"url", snapshot.order->url}};
    }
    state["print"] = snapshot.print ? print_json(*snapshot.print) : json(nullptr);
    state["notice"] = snapshot.notice ? notice_json(*snapshot.notice) : json(nullptr);
    return state;
}

json public_event_json(const session::EventSettings& event) {
    return {
        {"name", event.name},
        {"shots", event.shots},
        {"countdown_seconds", event.countdown_seconds},
        {"max_retakes", event.max_retakes},
        {"copies",
         {{"min", event.copies.min},
          {"max", event.copies.max},
          {"default", event.copies.default_copies}}},
        {"languages", event.languages},
        {"default_language", event.default_language},
    };
}

json operator_status_json(const session::GuestFlow& flow) {
    const auto& snapshot = flow.snapshot();
    json faults = json::array();
    for (const auto& record : flow.recent_faults()) {
        faults.push_back({{"at", record.at},
                          {"device", record.notice.device},
                          {"reason", record.notice.fault.reason},
                          {"message", record.notice.fault.message}});
    }
    json status{
        {"state", session::to_string(snapshot.stage)},
        {"paused", snapshot.paused},
        {"camera", device_json(snapshot.camera)},
        {"printer", device_json(snapshot.printer)},
        {"faults", faults},
    };
    status["notice"] = snapshot.notice ? notice_json(*snapshot.notice) : json(nullptr);
    if (const auto order = flow.last_order()) {
        status["last_order"] = {{"id", order->order_id}, {"code", order->code}};
    } else {
        status["last_order"] = nullptr;
    }
    const auto print = flow.last_print();
    status["last_print"] = print ? print_json(*print) : json(nullptr);
    return status;
}

} // namespace encore::kiosk::ui
