#pragma once

// Produces capture pictures off the network thread. Rendering and encoding a
// 24-megapixel JPEG takes a noticeable fraction of a second, so the pipeline
// renders the next capture ahead of time on its own worker thread; a
// capture then mostly costs writing the file to the save directory.

#include "byte_buffer.hpp"
#include "jpeg_factory.hpp"
#include "simulator_config.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace encore::peers {

class CapturePipeline {
public:
    // nullptr if turbojpeg cannot give a compressor. Starts rendering
    // capture 1 at once.
    static std::unique_ptr<CapturePipeline> create(const SimulatorConfig& config);
    ~CapturePipeline();
    CapturePipeline(const CapturePipeline&) = delete;
    CapturePipeline& operator=(const CapturePipeline&) = delete;

    // The JPEG of capture `serial`, already written to the save directory
    // when there is one. Runs on the worker; the awaiting coroutine resumes
    // on its own executor. Throws if the picture cannot be produced.
    boost::asio::awaitable<std::shared_ptr<const Bytes>> take(std::uint32_t serial);

private:
    CapturePipeline(const SimulatorConfig& config, std::unique_ptr<JpegFactory> factory);

    // Both run on the worker thread only, which owns everything below.
    std::shared_ptr<const Bytes> produce(std::uint32_t serial);
    void prefetch(std::uint32_t serial);

    std::uint32_t seed_;
    int width_;
    int height_;
    std::string save_dir_;
    bool verbose_;
    std::unique_ptr<JpegFactory> factory_;
    std::uint32_t prefetched_serial_ = 0;
    std::shared_ptr<const Bytes> prefetched_;
    boost::asio::thread_pool worker_{1};
};

} // namespace encore::peers
