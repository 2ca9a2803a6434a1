#include "platform/runtime/blocking_worker.hpp"

#include <pthread.h>

namespace encore::platform {

BlockingWorker::BlockingWorker(boost::asio::any_io_executor loop, std::string name)
    : loop_(std::move(loop))
    , name_(std::move(name))
    , keep_running_(boost::asio::make_work_guard(worker_context_))
    , thread_([this] { worker_context_.run(); }) {
    // Linux limits thread names to 15 characters; the name shows in top and gdb.
    pthread_setname_np(thread_.native_handle(), name_.substr(0, 15).c_str());
}

BlockingWorker::~BlockingWorker() {
    keep_running_.reset();
    thread_.join();
}

} // namespace encore::platform
