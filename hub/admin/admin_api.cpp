#include "hub/admin/admin_api.hpp"

#include "hub/settlement/counter_provider.hpp"
#include "hub/settlement/vouchers.hpp"
#include "platform/crypto/random.hpp"
#include "platform/files/atomic_file.hpp"
#include "platform/wire/join_token.hpp"

#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

#include <charconv>
#include <fstream>
#include <sstream>

namespace encore::hub {

namespace http = platform::http;
using nlohmann::json;

namespace {

json order_json(const StoredOrder& order) {
    json photos = json::array();
    for (const auto& photo : order.photos) {
        photos.push_back(
            {{"sha256", photo.sha256}, {"size", photo.size}, {"stored", photo.stored}});
    }
    return {{"order_id", order.order_id},
            {"kiosk", order.kiosk},
            {"code", order.code},
            {"state", order.state},
            {"event", order.event},
            {"copies", order.copies},
            {"layout", order.layout},
            {"created_at", order.created_at},
            {"received_at", order.received_at},
            {"photos", photos}};
}

http::Response error_response(const http::Request& request, http::Status status,
                              const std::string& message) {
    return http::json_response(request, status, {{"error", message}});
}

// Wraps a handler so it runs only with the admin token, and turns an exception into
// a 500 with the reason instead of a dropped connection.
http::Handler guarded_async(AdminContext& context, http::Handler handler) {
    return [&context, handler = std::move(handler)](
               const http::Request& request) -> boost::asio::awaitable<http::Response> {
        const std::string_view authorization = request[boost::beast::http::field::authorization];
        const std::string expected = "Bearer " + context.admin_token;
        if (!platform::crypto::constant_time_equal(authorization, expected)) {
            co_return error_response(request, http::Status::unauthorized,
                                     "missing or wrong admin token (see DATA/admin.token)");
        }
        std::optional<http::Response> response;
        std::string failure;
        try {
            response = co_await handler(request);
        } catch (const std::exception& error) {
            failure = error.what();
        }
        if (!response) {
            co_return error_response(request, http::Status::internal_server_error, failure);
        }
        co_return std::move(*response);
    };
}

http::Handler guarded(AdminContext& context,
                      std::function<http::Response(const http::Request&)> handler) {
    return guarded_async(
        context,
        [handler = std::move(handler)](const http::Request& request)
            -> boost::asio::awaitable<http::Response> { co_return handler(request); });
}

json reorder_json(const settlement::Reorder& reorder) {
    json lines = json::array();
    for (const auto& line : reorder.lines) {
        lines.push_back({{"photo", line.photo_sha256},
                         {"product", line.product_id},
                         {"quantity", line.quantity}});
    }
    return {{"id", reorder.id},
            {"order_id", reorder.order_id},
            {"state", settlement::to_string(reorder.state)},
            {"currency", reorder.currency},
            {"total", reorder.total},
            {"shipping", reorder.shipping},
            {"delivery",
             reorder.delivery.method == settlement::DeliveryMethod::pickup ? "pickup" : "ship"},
            {"lines", lines}};
}

// Each item of a released reorder as the lab printer made it.
json items_json(desk::OrderDesk& order_desk, const std::string& reorder_id) {
    json items = json::array();
    for (const auto& item : order_desk.progress(reorder_id)) {
        items.push_back({{"item", item.item},
                         {"product", item.product_id},
                         {"photo", item.photo_sha256},
                         {"copies", item.copies},
                         {"printed", item.printed},
                         {"reprints", item.reprints},
                         {"state", item.state},
                         {"message", item.message}});
    }
    return items;
}

// What a refused release answers: the clerk's reason, with the status that fits it.
http::Status release_status(desk::ReleaseError error) {
    switch (error) {
    case desk::ReleaseError::none:
        return http::Status::ok;
    case desk::ReleaseError::unknown_reorder:
        return http::Status::not_found;
    case desk::ReleaseError::not_settled:
    case desk::ReleaseError::already_released:
    case desk::ReleaseError::not_released:
        return http::Status::conflict;
    case desk::ReleaseError::unknown_item:
        return http::Status::bad_request;
    case desk::ReleaseError::cannot_print:
        return http::Status::service_unavailable;
    }
    return http::Status::internal_server_error;
}

} // namespace

std::string load_or_create_admin_token(const std::filesystem::path& data_dir) {
    const auto path = data_dir / "admin.token";
    if (std::filesystem::exists(path)) {
        std::ifstream file(path);
        std::string token;
        std::getline(file, token);
        if (!token.empty()) {
            return token;
        }
    }
    const auto token = platform::crypto::random_token(32);
    platform::AtomicWriteOptions options;
    options.mode = 0600;
    if (auto error = platform::write_file_atomically(path, token + "\n", options)) {
        throw std::system_error(error, "cannot write " + path.string());
    }
    return token;
}

namespace {

// Where a reorder's money stands, for the settlement and cancel routes.
json money_json(settlement::Settlement& settlement, const std::string& reorder_id) {
    const auto reorder = settlement.ledger().find_reorder(reorder_id);
    if (!reorder) {
        return json::object();
    }
    return {{"reorder", reorder->id},
            {"state", settlement::to_string(reorder->state)},
            {"currency", reorder->currency},
            {"total", reorder->total},
            {"shipping", reorder->shipping},
            {"charged", reorder->charged},
            {"refunded", reorder->refunded},
            {"refunding", reorder->refunding},
            {"charges", settlement.ledger().count_charges(reorder->id)}};
}

std::string text_field(const json& body, const char* key) {
    return body.is_object() && body.contains(key) && body[key].is_string()
               ? body[key].get<std::string>()
               : std::string();
}

json voucher_json(const settlement::Voucher& voucher) {
    return {{"code", voucher.code},
            {"value", voucher.value},
            {"currency", voucher.currency},
            {"event", voucher.event},
            {"issued_at", voucher.issued_at},
            {"expires", voucher.expires_on},
            {"note", voucher.note},
            {"state", settlement::to_string(voucher.state)},
            {"void_reason", voucher.void_reason},
            {"redeemed_by", voucher.redeemed_by}};
}

// POST /api/settlement/vouchers, GET /api/settlement/vouchers?state=S and
// POST /api/settlement/vouchers/void (docs/settlement.md).
void add_voucher_routes(http::Router& router, AdminContext& context) {
    const auto unavailable = [](const http::Request& request) {
        return error_response(request, http::Status::service_unavailable,
                              "this hub runs without settlement");
    };

    router.add(
        http::Method::post, "/api/settlement/vouchers",
        guarded(context, [&context, unavailable](const http::Request& request) {
            if (context.settlement == nullptr) {
                return unavailable(request);
            }
            const auto body = json::parse(request.body(), nullptr, false);
            const auto integer = [&body](const char* key, std::int64_t fallback) {
                return body.is_object() && body.contains(key) && body[key].is_number_integer()
                           ? body[key].get<std::int64_t>()
                           : fallback;
            };
            const auto optional_text = [&body](const char* key) {
                return !body.contains(key) || body[key].is_string();
            };
            if (!body.is_object() || !body.contains("value") ||
                !body["value"].is_number_integer() ||
                (body.contains("count") && !body["count"].is_number_integer()) ||
                !optional_text("currency") || !optional_text("event") ||
                !optional_text("expires") || !optional_text("note")) {
                return error_response(request, http::Status::bad_request,
                                      "send {\"value\": CENTS, \"count\": 1..500, "
                                      "\"currency\": \"EUR\", \"event\": NAME, \"expires\": "
                                      "\"YYYY-MM-DD\", \"note\": TEXT} (all but value optional)");
            }
            settlement::VoucherRequest wanted;
            wanted.value = integer("value", 0);
            wanted.count = static_cast<int>(std::clamp<std::int64_t>(integer("count", 1), -1, 501));
            wanted.event = text_field(body, "event");
            wanted.currency = text_field(body, "currency");
            if (wanted.currency.empty()) {
                // The currency the event's guests pay in.
                wanted.currency = context.settlement->prices(wanted.event).currency;
            }
            wanted.expires = text_field(body, "expires");
            wanted.note = text_field(body, "note");
            settlement::NewVouchers vouchers;
            if (const auto problem = settlement::check_voucher_request(wanted, vouchers)) {
                return error_response(request, http::Status::bad_request, *problem);
            }
            json issued = json::array();
            for (const auto& voucher : context.settlement->ledger().issue_vouchers(vouchers)) {
                issued.push_back(voucher_json(voucher));
            }
            return http::json_response(request, http::Status::created, {{"vouchers", issued}});
        }));

    router.add(http::Method::get, "/api/settlement/vouchers",
               guarded(context, [&context, unavailable](const http::Request& request) {
                   if (context.settlement == nullptr) {
                       return unavailable(request);
                   }
                   std::optional<settlement::VoucherState> state;
                   if (const auto text = http::query_parameter(request, "state")) {
                       state = settlement::parse_voucher_state(*text);
                       if (!state) {
                           return error_response(request, http::Status::bad_request,
                                                 "state is one of open, redeemed, voided, expired");
                       }
                   }
                   json listed = json::array();
                   for (const auto& voucher : context.settlement->ledger().vouchers(state)) {
                       listed.push_back(voucher_json(voucher));
                   }
                   return http::json_response(request, http::Status::ok, {{"vouchers", listed}});
               }));

    router.add(http::Method::post, "/api/settlement/vouchers/void",
               guarded(context, [&context, unavailable](const http::Request& request) {
                   if (context.settlement == nullptr) {
                       return unavailable(request);
                   }
                   const auto body = json::parse(request.body(), nullptr, false);
                   const auto code = text_field(body, "code");
                   const auto reason = text_field(body, "reason");
                   if (code.empty() || reason.empty() || reason.size() > 500) {
                       return error_response(
                           request, http::Status::bad_request,
                           "send {\"code\": VOUCHER CODE, \"reason\": TEXT (up to "
                           "500 characters)}");
                   }
                   const auto result = context.settlement->ledger().void_voucher(code, reason);
                   using settlement::VoidOutcome;
                   switch (result.outcome) {
                   case VoidOutcome::unknown:
                       return error_response(request, http::Status::not_found,
                                             "no voucher " + code +
                                                 " was issued by this store: check the code "
                                                 "(`encore pay vouchers list` shows them)");
                   case VoidOutcome::redeemed:
                       return error_response(
                           request, http::Status::conflict,
                           "voucher " + result.voucher->code + " paid reorder " +
                               result.voucher->redeemed_by +
                               " and cannot be voided; cancel or refund that reorder first if the "
                               "payment was wrong");
                   case VoidOutcome::voided:
                   case VoidOutcome::already_voided:
                       break;
                   }
                   auto answer = voucher_json(*result.voucher);
                   const bool now = result.outcome == VoidOutcome::voided;
                   answer["status"] = now ? "voided" : "already voided";
                   answer["message"] = "voucher " + result.voucher->code +
                                       (now ? " voided: " : " was voided already: ") +
                                       result.voucher->void_reason + "; it pays no reorder";
                   return http::json_response(request, http::Status::ok, answer);
               }));
}

// POST /api/settlement/confirm, /api/settlement/refund, /api/desk/cancel and
// GET /api/settlement/counter (docs/settlement.md).
void add_settlement_routes(http::Router& router, AdminContext& context) {
    const auto unavailable = [](const http::Request& request) {
        return error_response(request, http::Status::service_unavailable,
                              "this hub runs without settlement");
    };

    router.add(http::Method::get, "/api/settlement/counter",
               guarded(context, [&context, unavailable](const http::Request& request) {
                   if (context.settlement == nullptr) {
                       return unavailable(request);
                   }
                   json awaiting = json::array();
                   for (const auto& reorder :
                        context.settlement->ledger().reorders_awaiting_counter()) {
                       awaiting.push_back({{"reorder", reorder.id},
                                           {"reference", settlement::counter_reference(reorder.id)},
                                           {"order_id", reorder.order_id},
                                           {"total", reorder.total},
                                           {"currency", reorder.currency}});
                   }
                   return http::json_response(request, http::Status::ok, {{"awaiting", awaiting}});
               }));

    router.add(
        http::Method::post, "/api/settlement/confirm",
        guarded(context, [&context, unavailable](const http::Request& request) {
            if (context.settlement == nullptr) {
                return unavailable(request);
            }
            const auto body = json::parse(request.body(), nullptr, false);
            const auto reorder = text_field(body, "reorder");
            const auto method = text_field(body, "method");
            if (reorder.empty() || (method != "cash" && method != "voucher")) {
                return error_response(request, http::Status::bad_request,
                                      "send {\"reorder\": ID or counter reference, \"method\": "
                                      "\"cash\" or \"voucher\", \"reference\": VOUCHER CODE}");
            }
            const auto result = context.settlement->confirm_at_counter(
                reorder,
                method == "cash" ? settlement::CounterMethod::cash
                                 : settlement::CounterMethod::voucher,
                text_field(body, "reference"));
            using settlement::ConfirmOutcome;
            switch (result.outcome) {
            case ConfirmOutcome::paid:
            case ConfirmOutcome::already_paid: {
                auto answer = money_json(*context.settlement, result.reorder_id);
                answer["status"] = result.outcome == ConfirmOutcome::paid ? "paid" : "already paid";
                answer["message"] = result.message;
                return http::json_response(request, http::Status::ok, answer);
            }
            case ConfirmOutcome::unknown_reorder:
                return error_response(request, http::Status::not_found, result.message);
            case ConfirmOutcome::invalid:
                return error_response(request, http::Status::bad_request, result.message);
            case ConfirmOutcome::refused:
                break;
            }
            return error_response(request, http::Status::conflict, result.message);
        }));

    router.add(
        http::Method::post, "/api/settlement/refund",
        guarded_async(
            context,
            [&context,
             unavailable](const http::Request& request) -> boost::asio::awaitable<http::Response> {
                if (context.settlement == nullptr) {
                    co_return unavailable(request);
                }
                const auto body = json::parse(request.body(), nullptr, false);
                auto key = text_field(body, "key");
                if (!body.is_object() || !body.contains("amount") ||
                    !body["amount"].is_number_integer() || text_field(body, "reorder").empty() ||
                    text_field(body, "reason").empty()) {
                    co_return error_response(request, http::Status::bad_request,
                                             "send {\"reorder\": ID, \"amount\": CENTS, "
                                             "\"reason\": TEXT, \"key\": IDEMPOTENCY KEY}");
                }
                if (key.empty()) {
                    // Without a key of the caller's a retry cannot be recognised: each
                    // request is a refund of its own.
                    key = "refund-" + platform::crypto::random_token(16);
                }
                const auto reorder_id = text_field(body, "reorder");
                auto refunding =
                    context.settlement->refund(key, reorder_id, body["amount"].get<std::int64_t>(),
                                               text_field(body, "reason"));
                const auto result = co_await std::move(refunding);
                using settlement::RefundError;
                http::Status status = http::Status::ok;
                switch (result.error) {
                case RefundError::none:
                    break;
                case RefundError::unknown_reorder:
                    co_return error_response(request, http::Status::not_found, result.message);
                case RefundError::invalid:
                    co_return error_response(request, http::Status::bad_request, result.message);
                case RefundError::exceeds_charged:
                    co_return error_response(request, http::Status::conflict, result.message);
                case RefundError::provider_refused:
                    co_return error_response(request, http::Status::bad_gateway, result.message);
                case RefundError::provider_unreachable:
                    status = http::Status::accepted;
                    break;
                }
                auto answer = money_json(*context.settlement, reorder_id);
                answer["status"] = result.error == RefundError::provider_unreachable
                                       ? "pending"
                                       : (result.repeated ? "already refunded" : "refunded");
                answer["amount"] = result.amount;
                answer["key"] = key;
                answer["message"] = result.message;
                co_return http::json_response(request, status, answer);
            }));

    router.add(
        http::Method::post, "/api/desk/cancel",
        guarded_async(
            context,
            [&context,
             unavailable](const http::Request& request) -> boost::asio::awaitable<http::Response> {
                if (context.settlement == nullptr) {
                    co_return unavailable(request);
                }
                const auto body = json::parse(request.body(), nullptr, false);
                const auto reorder_id = text_field(body, "reorder");
                if (reorder_id.empty()) {
                    co_return error_response(request, http::Status::bad_request,
                                             "send {\"reorder\": ID, \"reason\": TEXT}");
                }
                auto cancelling =
                    context.settlement->cancel(reorder_id, text_field(body, "reason"));
                const auto result = co_await std::move(cancelling);
                using settlement::CancelError;
                http::Status status = http::Status::ok;
                switch (result.error) {
                case CancelError::none:
                    break;
                case CancelError::unknown_reorder:
                    co_return error_response(request, http::Status::not_found, result.message);
                case CancelError::invalid:
                    co_return error_response(request, http::Status::bad_request, result.message);
                case CancelError::released:
                    co_return error_response(request, http::Status::conflict, result.message);
                case CancelError::refund_pending:
                    status = http::Status::accepted;
                    break;
                }
                auto answer = money_json(*context.settlement, reorder_id);
                answer["status"] = result.already_cancelled ? "already cancelled" : "cancelled";
                answer["message"] = result.message;
                co_return http::json_response(request, status, answer);
            }));
}

} // namespace

void add_admin_routes(http::Router& router, AdminContext& context) {
    router.add(http::Method::get, "/api/orders",
               guarded(context, [&context](const http::Request& request) {
                   const auto state = http::query_parameter(request, "state").value_or("");
                   std::size_t limit = 500;
                   if (const auto text = http::query_parameter(request, "limit")) {
                       std::from_chars(text->data(), text->data() + text->size(), limit);
                   }
                   json orders = json::array();
                   for (const auto& order :
                        context.orders.list_orders(state, std::min<std::size_t>(limit, 10000))) {
                       orders.push_back(order_json(order));
                   }
                   return http::json_response(request, http::Status::ok, {{"orders", orders}});
               }));

    router.add_prefix(
        http::Method::get, "/api/orders/",
        guarded(context, [&context](const http::Request& request) {
            const std::string id(
                http::path_of(request).substr(std::string_view("/api/orders/").size()));
            const auto order = context.orders.find_order(id);
            if (!order) {
                return error_response(request, http::Status::not_found, "no order " + id);
            }
            return http::json_response(request, http::Status::ok, order_json(*order));
        }));

    router.add_prefix(
        http::Method::get, "/api/photos/",
        guarded(context, [&context](const http::Request& request) {
            const std::string hash(
                http::path_of(request).substr(std::string_view("/api/photos/").size()));
            if (!is_sha256_hex(hash)) {
                return error_response(request, http::Status::bad_request,
                                      "a photo is named by its SHA-256 (64 lowercase hex digits)");
            }
            auto bytes = context.images.read(hash);
            if (!bytes) {
                return error_response(request, http::Status::not_found, "no photo " + hash);
            }
            return http::text_response(
                request, http::Status::ok,
                std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size()),
                "image/jpeg");
        }));

    router.add(http::Method::post, "/api/enrol-tokens",
               guarded(context, [&context](const http::Request& request) {
                   const auto body = json::parse(request.body(), nullptr, false);
                   if (!body.is_object() || !body.contains("kiosk") || !body["kiosk"].is_string()) {
                       return error_response(request, http::Status::bad_request,
                                             "send {\"kiosk\": NAME}");
                   }
                   const auto kiosk = body["kiosk"].get<std::string>();
                   if (!is_kiosk_name(kiosk)) {
                       return error_response(request, http::Status::bad_request,
                                             "a kiosk name is 1 to 64 letters, digits, '-' or '_'");
                   }
                   int hours = 72;
                   if (body.contains("valid_hours") && body["valid_hours"].is_number_integer()) {
                       hours = std::clamp(body["valid_hours"].get<int>(), 1, 24 * 30);
                   }
                   const auto secret =
                       context.registry.create_join_secret(kiosk, std::chrono::hours(hours));
                   const auto token = platform::wire::encode_join_token(
                       {context.kiosk_link, context.public_url, context.registry.ca_fingerprint(),
                        kiosk, secret});
                   return http::json_response(
                       request, http::Status::created,
                       {{"kiosk", kiosk}, {"token", token}, {"valid_hours", hours}});
               }));

    router.add(http::Method::get, "/api/kiosks",
               guarded(context, [&context](const http::Request& request) {
                   json kiosks = json::array();
                   for (const auto& kiosk : context.registry.list()) {
                       kiosks.push_back({{"name", kiosk.name},
                                         {"enrolled_at", kiosk.enrolled_at},
                                         {"revoked_at", kiosk.revoked_at ? json(*kiosk.revoked_at)
                                                                         : json(nullptr)}});
                   }
                   return http::json_response(request, http::Status::ok, {{"kiosks", kiosks}});
               }));

    router.add(
        http::Method::get, "/api/staff", guarded(context, [&context](const http::Request& request) {
            json members = json::array();
            for (const auto& member : context.staff.members()) {
                members.push_back({{"name", member.name}, {"role", staff::to_string(member.role)}});
            }
            return http::json_response(request, http::Status::ok, {{"staff", members}});
        }));

    // The password arrives hashed (`encore staff add` runs Argon2id on the hub machine):
    // it never crosses the network, and hashing never stalls this loop.
    router.add(http::Method::post, "/api/staff",
               guarded(context, [&context](const http::Request& request) {
                   const auto body = json::parse(request.body(), nullptr, false);
                   const auto text = [&body](const char* key) {
                       return body.is_object() && body.contains(key) && body[key].is_string()
                                  ? body[key].get<std::string>()
                                  : std::string();
                   };
                   const auto name = text("name");
                   if (const auto problem = staff::problem_with_name(name)) {
                       return error_response(request, http::Status::bad_request, *problem);
                   }
                   const auto role = staff::parse_role(text("role"));
                   if (!role) {
                       return error_response(request, http::Status::bad_request,
                                             "role must be desk, shipping or admin");
                   }
                   const auto hash = text("password_hash");
                   if (!hash.starts_with("$argon2id$")) {
                       return error_response(
                           request, http::Status::bad_request,
                           "password_hash must be an Argon2id hash ($argon2id$...)");
                   }
                   context.staff.set_member(name, *role, hash);
                   return http::json_response(request, http::Status::ok,
                                              {{"name", name}, {"role", staff::to_string(*role)}});
               }));

    router.add_prefix(
        http::Method::post, "/api/staff/",
        guarded(context, [&context](const http::Request& request) {
            // POST /api/staff/NAME/remove
            std::string rest(http::path_of(request).substr(std::string_view("/api/staff/").size()));
            constexpr std::string_view suffix = "/remove";
            if (!rest.ends_with(suffix)) {
                return error_response(request, http::Status::not_found, "unknown staff action");
            }
            const auto name = rest.substr(0, rest.size() - suffix.size());
            if (!context.staff.remove_member(name)) {
                return error_response(request, http::Status::not_found,
                                      "no staff member named " + name);
            }
            return http::json_response(request, http::Status::ok,
                                       {{"name", name}, {"removed", true}});
        }));

    router.add(http::Method::get, "/api/desk/queue",
               guarded(context, [&context](const http::Request& request) {
                   json queue = json::array();
                   for (const auto& reorder : context.desk.queue()) {
                       queue.push_back(reorder_json(reorder));
                   }
                   return http::json_response(request, http::Status::ok, {{"queue", queue}});
               }));

    router.add(
        http::Method::post, "/api/desk/release",
        guarded_async(
            context,
            [&context](const http::Request& request) -> boost::asio::awaitable<http::Response> {
                const auto body = json::parse(request.body(), nullptr, false);
                if (!body.is_object() || !body.contains("reorder") ||
                    !body["reorder"].is_string()) {
                    co_return error_response(request, http::Status::bad_request,
                                             "send {\"reorder\": ID, \"printer\": QUEUE?}");
                }
                std::optional<std::string> printer;
                if (body.contains("printer") && body["printer"].is_string()) {
                    printer = body["printer"].get<std::string>();
                }
                const auto reorder_id = body["reorder"].get<std::string>();
                // The awaitable first: GCC 12 must not see the argument copies inside
                // the co_await expression.
                auto releasing = context.desk.release(reorder_id, printer);
                const auto result = co_await std::move(releasing);
                if (!result.ok()) {
                    co_return error_response(request, release_status(result.error), result.message);
                }
                co_return http::json_response(request, http::Status::ok,
                                              {{"reorder", reorder_id},
                                               {"message", result.message},
                                               {"items", items_json(context.desk, reorder_id)}});
            }));

    router.add(
        http::Method::post, "/api/desk/reprint",
        guarded_async(
            context,
            [&context](const http::Request& request) -> boost::asio::awaitable<http::Response> {
                const auto body = json::parse(request.body(), nullptr, false);
                if (!body.is_object() || !body.contains("reorder") ||
                    !body["reorder"].is_string() || !body.contains("item") ||
                    !body["item"].is_number_integer() ||
                    (body.contains("copies") && !body["copies"].is_number_integer())) {
                    co_return error_response(
                        request, http::Status::bad_request,
                        "send {\"reorder\": ID, \"item\": N, \"copies\": N?, \"printer\": "
                        "QUEUE?}");
                }
                std::optional<std::string> printer;
                if (body.contains("printer") && body["printer"].is_string()) {
                    printer = body["printer"].get<std::string>();
                }
                const auto reorder_id = body["reorder"].get<std::string>();
                const auto item = body["item"].get<int>();
                const auto copies = body.value("copies", 1);
                auto reprinting = context.desk.reprint(reorder_id, item, copies, printer);
                const auto result = co_await std::move(reprinting);
                if (!result.ok()) {
                    co_return error_response(request, release_status(result.error), result.message);
                }
                co_return http::json_response(request, http::Status::ok,
                                              {{"reorder", reorder_id},
                                               {"message", result.message},
                                               {"items", items_json(context.desk, reorder_id)}});
            }));

    router.add(http::Method::get, "/api/reorders",
               guarded(context, [&context](const http::Request& request) {
                   const auto text = http::query_parameter(request, "state").value_or("");
                   const auto state = settlement::parse_reorder_state(text);
                   if (!state) {
                       return error_response(request, http::Status::bad_request,
                                             "state must be one of unpaid, paid, printing, "
                                             "packed, shipped, cancelled; got \"" +
                                                 text + "\"");
                   }
                   json reorders = json::array();
                   for (const auto& reorder : context.settlement_ledger.reorders_in_state(*state)) {
                       reorders.push_back(reorder_json(reorder));
                   }
                   return http::json_response(request, http::Status::ok, {{"reorders", reorders}});
               }));

    router.add_prefix(
        http::Method::get, "/api/reorders/",
        guarded(context, [&context](const http::Request& request) {
            const std::string id(
                http::path_of(request).substr(std::string_view("/api/reorders/").size()));
            const auto reorder = context.settlement_ledger.find_reorder(id);
            if (!reorder) {
                return error_response(request, http::Status::not_found, "no reorder " + id);
            }
            auto body = reorder_json(*reorder);
            body["items"] = items_json(context.desk, id);
            return http::json_response(request, http::Status::ok, body);
        }));

    router.add(http::Method::get, "/api/shipping/packing-list",
               guarded(context, [&context](const http::Request& request) {
                   json list = json::array();
                   for (const auto& entry : context.shipping.packing_list()) {
                       auto item = reorder_json(entry.reorder);
                       item["printed"] = entry.printed;
                       list.push_back(std::move(item));
                   }
                   return http::json_response(request, http::Status::ok, {{"packing_list", list}});
               }));

    router.add(http::Method::post, "/api/shipping/ship",
               guarded(context, [&context](const http::Request& request) {
                   const auto body = json::parse(request.body(), nullptr, false);
                   const auto text = [&body](const char* key) {
                       return body.is_object() && body.contains(key) && body[key].is_string()
                                  ? body[key].get<std::string>()
                                  : std::string();
                   };
                   const auto result =
                       context.shipping.ship(text("reorder"), text("carrier"), text("tracking"));
                   using shipping::ShipError;
                   switch (result.error) {
                   case ShipError::none:
                       return http::json_response(
                           request, http::Status::ok,
                           {{"reorder", text("reorder")}, {"message", result.message}});
                   case ShipError::unknown_reorder:
                       return error_response(request, http::Status::not_found, result.message);
                   case ShipError::invalid_input:
                       return error_response(request, http::Status::bad_request, result.message);
                   case ShipError::not_released:
                   case ShipError::not_printed:
                   case ShipError::already_shipped:
                   case ShipError::already_packed:
                   case ShipError::pickup:
                       break;
                   }
                   return error_response(request, http::Status::conflict, result.message);
               }));

    router.add(
        http::Method::get, "/api/shipping/slip",
        guarded_async(
            context,
            [&context](const http::Request& request) -> boost::asio::awaitable<http::Response> {
                const auto reorder_id = http::query_parameter(request, "reorder").value_or("");
                if (reorder_id.empty()) {
                    co_return error_response(request, http::Status::bad_request,
                                             "name the reorder: /api/shipping/slip?reorder=ID");
                }
                auto drawing = context.shipping.packing_slip(reorder_id);
                const auto slip = co_await std::move(drawing);
                switch (slip.error) {
                case shipping::SlipError::none:
                    break;
                case shipping::SlipError::unknown_reorder:
                    co_return error_response(request, http::Status::not_found, slip.message);
                case shipping::SlipError::not_released:
                    co_return error_response(request, http::Status::conflict, slip.message);
                case shipping::SlipError::render_failed:
                    co_return error_response(request, http::Status::internal_server_error,
                                             slip.message);
                }
                auto response = http::text_response(
                    request, http::Status::ok,
                    std::string(reinterpret_cast<const char*>(slip.pdf.data()), slip.pdf.size()),
                    "application/pdf");
                response.set(boost::beast::http::field::content_disposition,
                             "inline; filename=\"packing-slip-" + reorder_id + ".pdf\"");
                co_return response;
            }));

    router.add(
        http::Method::post, "/api/shipping/pack",
        guarded(context, [&context](const http::Request& request) {
            const auto body = json::parse(request.body(), nullptr, false);
            if (!body.is_object() || !body.contains("reorder") || !body["reorder"].is_string()) {
                return error_response(request, http::Status::bad_request, "send {\"reorder\": ID}");
            }
            const auto reorder_id = body["reorder"].get<std::string>();
            const auto result = context.shipping.pack(reorder_id);
            if (result.ok()) {
                return http::json_response(
                    request, http::Status::ok,
                    {{"reorder", reorder_id}, {"state", "packed"}, {"message", result.message}});
            }
            return error_response(request,
                                  result.error == shipping::ShipError::unknown_reorder
                                      ? http::Status::not_found
                                      : http::Status::conflict,
                                  result.message);
        }));

    router.add(http::Method::get, "/api/uploads",
               guarded(context, [&context](const http::Request& request) {
                   // Photo uploads the hub holds in part: where each booth resumes.
                   json uploads = json::array();
                   for (const auto& kiosk : context.registry.list()) {
                       for (const auto& partial : context.images.partial_uploads(kiosk.name)) {
                           uploads.push_back({{"kiosk", kiosk.name},
                                              {"sha256", partial.sha256_hex},
                                              {"bytes", partial.offset}});
                       }
                   }
                   return http::json_response(request, http::Status::ok, {{"uploads", uploads}});
               }));

    router.add_prefix(
        http::Method::post, "/api/kiosks/",
        guarded(context, [&context](const http::Request& request) {
            // POST /api/kiosks/NAME/revoke
            std::string rest(
                http::path_of(request).substr(std::string_view("/api/kiosks/").size()));
            constexpr std::string_view suffix = "/revoke";
            if (!rest.ends_with(suffix)) {
                return error_response(request, http::Status::not_found, "unknown kiosk action");
            }
            const auto kiosk = rest.substr(0, rest.size() - suffix.size());
            if (!context.registry.revoke(kiosk)) {
                return error_response(request, http::Status::not_found, "no kiosk named " + kiosk);
            }
            context.intake.disconnect(kiosk);
            return http::json_response(request, http::Status::ok,
                                       {{"kiosk", kiosk}, {"revoked", true}});
        }));

    add_settlement_routes(router, context);
    add_voucher_routes(router, context);
}

} // namespace encore::hub
