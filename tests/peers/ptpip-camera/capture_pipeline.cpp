#include "capture_pipeline.hpp"

#include "log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <utility>

namespace encore::peers {

namespace asio = boost::asio;

std::unique_ptr<CapturePipeline> CapturePipeline::create(const SimulatorConfig& config) {
    auto factory = JpegFactory::create(config.jpeg_quality);
    if (!factory) {
        return nullptr;
    }
    std::unique_ptr<CapturePipeline> pipeline(new CapturePipeline(config, std::move(factory)));
    auto* raw = pipeline.get();
    asio::post(raw->worker_, [raw] { raw->prefetch(1); });
    return pipeline;
}

CapturePipeline::CapturePipeline(const SimulatorConfig& config,
                                 std::unique_ptr<JpegFactory> factory)
    : seed_(config.seed)
    , width_(config.width)
    , height_(config.height)
    , save_dir_(config.save_dir)
    , verbose_(config.verbose)
    , factory_(std::move(factory)) {}

CapturePipeline::~CapturePipeline() {
    // Let a render in progress finish rather than pull the factory from
    // under it; queued prefetches are dropped.
    worker_.stop();
    worker_.join();
}

asio::awaitable<std::shared_ptr<const Bytes>> CapturePipeline::take(std::uint32_t serial) {
    auto job = [this, serial]() -> asio::awaitable<std::shared_ptr<const Bytes>> {
        co_return produce(serial);
    };
    auto jpeg =
        co_await asio::co_spawn(worker_.get_executor(), std::move(job), asio::use_awaitable);
    // Queued only now: posted from inside the job, the render would run
    // before the job's completion reaches this coroutine and delay every
    // capture by a whole render.
    asio::post(worker_, [this, serial] { prefetch(serial + 1); });
    co_return jpeg;
}

std::shared_ptr<const Bytes> CapturePipeline::produce(std::uint32_t serial) {
    const auto started = std::chrono::steady_clock::now();
    const bool was_prefetched = prefetched_ && prefetched_serial_ == serial;
    std::shared_ptr<const Bytes> jpeg;
    if (was_prefetched) {
        jpeg = std::move(prefetched_);
        prefetched_.reset();
    } else {
        jpeg =
            std::make_shared<const Bytes>(factory_->render_capture(seed_, serial, width_, height_));
    }
    if (!save_dir_.empty()) {
        char name[32];
        std::snprintf(name, sizeof name, "/capture-%04u.jpg", serial);
        const auto path = save_dir_ + name;
        std::ofstream file(path, std::ios::binary | std::ios::trunc);
        file.write(reinterpret_cast<const char*>(jpeg->data()),
                   static_cast<std::streamsize>(jpeg->size()));
        file.close();
        if (!file) {
            throw std::runtime_error("cannot write " + path);
        }
    }
    if (verbose_) {
        const auto elapsed = std::chrono::steady_clock::now() - started;
        log_line("capture",
                 "capture " + std::to_string(serial) + " ready in " +
                     std::to_string(
                         std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()) +
                     " ms (" + (was_prefetched ? "rendered ahead" : "rendered now") + ")");
    }
    return jpeg;
}

void CapturePipeline::prefetch(std::uint32_t serial) {
    if (prefetched_ && prefetched_serial_ == serial) {
        return;
    }
    prefetched_ =
        std::make_shared<const Bytes>(factory_->render_capture(seed_, serial, width_, height_));
    prefetched_serial_ = serial;
}

} // namespace encore::peers
