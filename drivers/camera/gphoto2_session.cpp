#include "drivers/camera/gphoto2_session.hpp"

#include "drivers/camera/gphoto2_errors.hpp"
#include "platform/log/logger.hpp"

#include <gphoto2/gphoto2.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace encore::drivers::camera {
namespace {

const platform::Logger log("camera-host");

std::optional<int> leading_number(const std::string& text) {
    const auto* begin = text.data();
    while (begin != text.data() + text.size() && (*begin == ' ' || *begin == '\t')) {
        ++begin;
    }
    int value = 0;
    const auto [end, error] = std::from_chars(begin, text.data() + text.size(), value);
    if (error != std::errc() || end == begin) {
        return std::nullopt;
    }
    return value;
}

bool looks_like_jpeg(const std::vector<std::uint8_t>& bytes) {
    return bytes.size() >= 4 && bytes[0] == 0xFF && bytes[1] == 0xD8;
}

// Owns one CameraFile.
class FileHandle {
public:
    FileHandle() { gp_file_new(&file_); }
    ~FileHandle() {
        if (file_ != nullptr) {
            gp_file_unref(file_);
        }
    }
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;

    CameraFile* get() const { return file_; }

    std::vector<std::uint8_t> bytes() const {
        const char* data = nullptr;
        unsigned long size = 0;
        if (file_ == nullptr || gp_file_get_data_and_size(file_, &data, &size) < GP_OK ||
            data == nullptr) {
            return {};
        }
        const auto* first = reinterpret_cast<const std::uint8_t*>(data);
        return {first, first + size};
    }

private:
    CameraFile* file_ = nullptr;
};

} // namespace

struct Gphoto2Session::Impl {
    GPContext* context = nullptr;
    CameraAbilitiesList* abilities = nullptr;
    ::Camera* camera = nullptr;
    std::string port;
    std::string model;
    // What libgphoto2 reported through the context during the current call.
    std::string said;

    Impl() {
        context = gp_context_new();
        gp_context_set_error_func(context, &Impl::on_context_error, this);
    }

    ~Impl() {
        close();
        if (abilities != nullptr) {
            gp_abilities_list_free(abilities);
        }
        gp_context_unref(context);
    }

    static void on_context_error(GPContext* /*context*/, const char* text, void* data) {
        auto* self = static_cast<Impl*>(data);
        if (text == nullptr) {
            return;
        }
        if (!self->said.empty()) {
            self->said += "; ";
        }
        self->said += text;
        log.debug("libgphoto2 says: ", text);
    }

    void begin_call() { said.clear(); }

    Error failure(int code, Operation operation, bool connection_lost = false) const {
        log.debug("libgphoto2 ", code, " (", gp_result_as_string(code), ") trying to ",
                  to_string(operation), said.empty() ? "" : ": ", said);
        Gphoto2Failure failure;
        failure.code = code;
        failure.context_message = said;
        failure.operation = operation;
        failure.port = port;
        failure.connection_lost = connection_lost;
        return map_gphoto2_error(failure);
    }

    // After an unexplained failure (a plain GP_ERROR), asks the camera something cheap.
    // When that fails too, the session is unusable: a PTP/IP camera that closed its
    // connection fails the first request after with a plain GP_ERROR and only the second
    // with GP_ERROR_IO, and a camera that cannot list its storages is in no state to
    // take pictures either. Either way the cure is to open it again.
    bool connection_lost() {
        if (camera == nullptr) {
            return true;
        }
        const auto keep = said;
        CameraStorageInformation* storages = nullptr;
        int count = 0;
        const int result = gp_camera_get_storageinfo(camera, &storages, &count, context);
        std::free(storages);
        said = keep;
        log.debug("connection probe after a failure: ", result);
        return result < GP_OK && result != GP_ERROR_NOT_SUPPORTED;
    }

    // The Error for a failed call on an open camera; closes the session when the camera
    // is gone, so that the next call has to open it afresh.
    Error call_failed(int code, Operation operation) {
        const auto plain = failure(code, operation);
        bool lost = false;
        if (is(plain, Errc::camera_failed) && code == GP_ERROR) {
            lost = connection_lost();
        }
        auto error = lost ? failure(code, operation, true) : plain;
        if (is(error, Errc::disconnected)) {
            close();
        }
        return error;
    }

    Result<std::vector<DetectedCamera>> list() {
        begin_call();
        CameraList* found = nullptr;
        gp_list_new(&found);
        const int result = gp_camera_autodetect(found, context);
        if (result < GP_OK) {
            gp_list_free(found);
            return failure(result, Operation::list);
        }
        std::vector<DetectedCamera> cameras;
        for (int i = 0; i < gp_list_count(found); ++i) {
            const char* name = nullptr;
            const char* value = nullptr;
            gp_list_get_name(found, i, &name);
            gp_list_get_value(found, i, &value);
            cameras.push_back({name != nullptr ? name : "", value != nullptr ? value : ""});
        }
        gp_list_free(found);
        return cameras;
    }

    Result<CameraInfo> open(const CameraSelector& selector) {
        close();
        begin_call();
        std::string wanted_port = selector.port;
        std::string wanted_model = selector.model;
        port = selector.is_auto() ? std::string() : selector.port;
        if (selector.is_auto() || wanted_model.empty()) {
            auto cameras = list();
            if (!cameras) {
                return cameras.error();
            }
            const DetectedCamera* chosen = nullptr;
            for (const auto& camera_seen : *cameras) {
                const bool port_matches = selector.is_auto() || camera_seen.port == wanted_port;
                const bool model_matches =
                    wanted_model.empty() || camera_seen.model == wanted_model;
                if (port_matches && model_matches) {
                    chosen = &camera_seen;
                    break;
                }
            }
            if (chosen == nullptr) {
                return failure(GP_ERROR_MODEL_NOT_FOUND, Operation::open);
            }
            wanted_port = chosen->port;
            wanted_model = chosen->model;
        }
        port = wanted_port;
        model = wanted_model;

        if (abilities == nullptr) {
            gp_abilities_list_new(&abilities);
            const int loaded = gp_abilities_list_load(abilities, context);
            if (loaded < GP_OK) {
                gp_abilities_list_free(abilities);
                abilities = nullptr;
                return failure(loaded, Operation::open);
            }
        }
        const int model_index = gp_abilities_list_lookup_model(abilities, model.c_str());
        if (model_index < GP_OK) {
            return make_error(Errc::no_camera, "libgphoto2 knows no camera model '" + model +
                                                   "': `encore camera list` shows the names of "
                                                   "the cameras attached");
        }
        CameraAbilities camera_abilities;
        gp_abilities_list_get_abilities(abilities, model_index, &camera_abilities);

        // The port list is read afresh: USB ports appear and vanish with the cameras.
        GPPortInfoList* ports = nullptr;
        gp_port_info_list_new(&ports);
        int result = gp_port_info_list_load(ports);
        int port_index =
            result < GP_OK ? result : gp_port_info_list_lookup_path(ports, port.c_str());
        if (port_index < GP_OK) {
            gp_port_info_list_free(ports);
            return failure(GP_ERROR_UNKNOWN_PORT, Operation::open);
        }
        GPPortInfo port_info;
        gp_port_info_list_get_info(ports, port_index, &port_info);

        ::Camera* opened = nullptr;
        gp_camera_new(&opened);
        gp_camera_set_abilities(opened, camera_abilities);
        gp_camera_set_port_info(opened, port_info);
        gp_port_info_list_free(ports);
        result = gp_camera_init(opened, context);
        if (result < GP_OK) {
            const auto error = failure(result, Operation::open);
            gp_camera_unref(opened);
            return error;
        }
        camera = opened;
        log.info("opened '", model, "' at ", port);
        auto opened_info = info();
        if (!opened_info) {
            close();
        }
        return opened_info;
    }

    std::optional<std::string> text_setting(const char* name) {
        CameraWidget* widget = nullptr;
        if (gp_camera_get_single_config(camera, name, &widget, context) < GP_OK) {
            return std::nullopt;
        }
        std::optional<std::string> text;
        CameraWidgetType type;
        if (gp_widget_get_type(widget, &type) == GP_OK &&
            (type == GP_WIDGET_TEXT || type == GP_WIDGET_RADIO || type == GP_WIDGET_MENU)) {
            const char* value = nullptr;
            if (gp_widget_get_value(widget, &value) == GP_OK && value != nullptr) {
                text = value;
            }
        }
        gp_widget_free(widget);
        return text;
    }

    Result<CameraInfo> info() {
        if (camera == nullptr) {
            return make_error(Errc::not_open, "the camera is not open");
        }
        begin_call();
        CameraStorageInformation* storages = nullptr;
        int count = 0;
        const int result = gp_camera_get_storageinfo(camera, &storages, &count, context);
        if (result < GP_OK) {
            std::free(storages);
            return call_failed(result, Operation::info);
        }
        CameraInfo camera_info;
        for (int i = 0; i < count; ++i) {
            const auto& storage = storages[i];
            if ((storage.fields & GP_STORAGEINFO_FREESPACEKBYTES) != 0) {
                camera_info.free_bytes =
                    camera_info.free_bytes.value_or(0) + std::uint64_t{storage.freekbytes} * 1024;
            }
            if ((storage.fields & GP_STORAGEINFO_FREESPACEIMAGES) != 0) {
                camera_info.free_images =
                    camera_info.free_images.value_or(0) + std::uint64_t{storage.freeimages};
            }
        }
        std::free(storages);
        // Settings a camera lacks stay empty; they do not fail the call.
        camera_info.manufacturer = text_setting("manufacturer").value_or("");
        camera_info.model = text_setting("cameramodel").value_or(model);
        camera_info.serial = text_setting("serialnumber").value_or("");
        if (const auto battery = text_setting("batterylevel")) {
            camera_info.battery_percent = leading_number(*battery);
        }
        camera_info.port = port;
        return camera_info;
    }

    Result<CapturedPhoto> capture() {
        if (camera == nullptr) {
            return make_error(Errc::not_open, "the camera is not open");
        }
        begin_call();
        const auto started = std::chrono::steady_clock::now();
        CameraFilePath path;
        std::memset(&path, 0, sizeof path);
        int result = gp_camera_capture(camera, GP_CAPTURE_IMAGE, &path, context);
        if (result < GP_OK) {
            return call_failed(result, Operation::capture);
        }
        CapturedPhoto photo;
        photo.captured_at = std::chrono::system_clock::now();
        photo.file_name = path.name;
        FileHandle file;
        result = gp_camera_file_get(camera, path.folder, path.name, GP_FILE_TYPE_NORMAL, file.get(),
                                    context);
        if (result < GP_OK) {
            return call_failed(result, Operation::download);
        }
        photo.jpeg = file.bytes();
        photo.took = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started);
        // The booth keeps its own copy; the card would only fill up. Cameras that
        // capture to their internal memory may have nothing to delete.
        begin_call();
        if (const int deleted = gp_camera_file_delete(camera, path.folder, path.name, context);
            deleted < GP_OK) {
            log.debug("could not delete ", path.folder, "/", path.name,
                      " from the camera: ", gp_result_as_string(deleted));
        }
        if (!looks_like_jpeg(photo.jpeg)) {
            return make_error(Errc::not_jpeg, "the camera delivered '" + photo.file_name +
                                                  "', which is not a JPEG: set the camera's "
                                                  "image quality to JPEG (not RAW)");
        }
        return photo;
    }

    Result<LiveViewFrame> preview() {
        if (camera == nullptr) {
            return make_error(Errc::not_open, "the camera is not open");
        }
        begin_call();
        FileHandle file;
        const int result = gp_camera_capture_preview(camera, file.get(), context);
        if (result < GP_OK) {
            return call_failed(result, Operation::preview);
        }
        LiveViewFrame frame;
        frame.jpeg = file.bytes();
        return frame;
    }

    Result<void> stop_live_view() {
        if (camera == nullptr) {
            return make_error(Errc::not_open, "the camera is not open");
        }
        begin_call();
        // Nikon, Canon EOS and Panasonic bodies end live view through the "viewfinder"
        // toggle; the next preview starts it again.
        CameraWidget* widget = nullptr;
        if (gp_camera_get_single_config(camera, "viewfinder", &widget, context) == GP_OK) {
            int on = 0;
            gp_widget_get_value(widget, &on);
            int result = GP_OK;
            if (on != 0) {
                int off = 0;
                gp_widget_set_value(widget, &off);
                result = gp_camera_set_single_config(camera, "viewfinder", widget, context);
            }
            gp_widget_free(widget);
            if (result < GP_OK) {
                return call_failed(result, Operation::stop_live_view);
            }
            return {};
        }
        // Others: leave the session and start a new one, which ends live view too.
        begin_call();
        gp_camera_exit(camera, context);
        const int result = gp_camera_init(camera, context);
        if (result < GP_OK) {
            const auto error = failure(result, Operation::stop_live_view, true);
            close();
            return error;
        }
        return {};
    }

    void close() {
        if (camera == nullptr) {
            return;
        }
        begin_call();
        gp_camera_exit(camera, context);
        gp_camera_unref(camera);
        camera = nullptr;
        log.debug("closed '", model, "' at ", port);
    }
};

Gphoto2Session::Gphoto2Session()
    : impl_(std::make_unique<Impl>()) {}

Gphoto2Session::~Gphoto2Session() = default;

Result<std::vector<DetectedCamera>> Gphoto2Session::list() {
    return impl_->list();
}

Result<CameraInfo> Gphoto2Session::open(const CameraSelector& selector) {
    return impl_->open(selector);
}

Result<CapturedPhoto> Gphoto2Session::capture() {
    return impl_->capture();
}

Result<LiveViewFrame> Gphoto2Session::preview() {
    return impl_->preview();
}

Result<void> Gphoto2Session::stop_live_view() {
    return impl_->stop_live_view();
}

Result<CameraInfo> Gphoto2Session::info() {
    return impl_->info();
}

void Gphoto2Session::close() {
    impl_->close();
}

bool Gphoto2Session::is_open() const {
    return impl_->camera != nullptr;
}

} // namespace encore::drivers::camera
