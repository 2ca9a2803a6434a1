#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <string>
#include <thread>
#include <type_traits>
#include <utility>

namespace encore::platform {

// A thread of its own for a blocking C library (libgphoto2, libcups). Calls run one at
// a time, in order, on the worker; each result is posted back to the caller's
// executor, so the state of the event loop never leaves the loop's thread.
//
//   worker.run([&] { return printer.submit(job); },
//              [this](SubmitResult result) { on_submitted(result); });
//   auto result = co_await worker.run(fn, boost::asio::use_awaitable);
class BlockingWorker {
public:
    BlockingWorker(boost::asio::any_io_executor loop, std::string name);
    BlockingWorker(const BlockingWorker&) = delete;
    BlockingWorker& operator=(const BlockingWorker&) = delete;
    // Finishes the calls already queued, then joins the thread.
    ~BlockingWorker();

    // Runs `work` (which must return a value) on the worker and completes `token`
    // with that value on the loop (or the handler's associated executor).
    template <typename Work, typename CompletionToken>
    auto run(Work work, CompletionToken&& token) {
        using Result = std::invoke_result_t<Work&>;
        static_assert(!std::is_void_v<Result>, "return a value (an error_code at least)");
        return boost::asio::async_initiate<CompletionToken, void(Result)>(
            [this](auto handler, Work work_to_run) {
                auto loop_work = boost::asio::make_work_guard(
                    boost::asio::get_associated_executor(handler, loop_));
                boost::asio::post(worker_context_, [work_to_run = std::move(work_to_run),
                                                    handler = std::move(handler),
                                                    loop_work = std::move(loop_work)]() mutable {
                    Result result = work_to_run();
                    auto executor = loop_work.get_executor();
                    boost::asio::post(executor, [handler = std::move(handler),
                                                 result = std::move(result)]() mutable {
                        std::move(handler)(std::move(result));
                    });
                    loop_work.reset();
                });
            },
            token, std::move(work));
    }

    const std::string& name() const { return name_; }

private:
    boost::asio::any_io_executor loop_;
    std::string name_;
    boost::asio::io_context worker_context_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> keep_running_;
    std::thread thread_;
};

} // namespace encore::platform
