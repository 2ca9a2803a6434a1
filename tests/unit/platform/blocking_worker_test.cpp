#include "platform/runtime/blocking_worker.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <thread>
#include <vector>

using encore::platform::BlockingWorker;

TEST_CASE("blocking work runs off the loop thread and its result comes back on it") {
    boost::asio::io_context loop;
    BlockingWorker worker(loop.get_executor(), "camera");
    const auto loop_thread = std::this_thread::get_id();
    std::thread::id work_thread;
    std::thread::id completion_thread;
    int result = 0;
    worker.run(
        [&] {
            work_thread = std::this_thread::get_id();
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            return 42;
        },
        [&](int value) {
            completion_thread = std::this_thread::get_id();
            result = value;
        });
    loop.run(); // Returns once the completion ran: the pending work kept the loop alive.
    CHECK(result == 42);
    CHECK(work_thread != loop_thread);
    CHECK(completion_thread == loop_thread);
}

TEST_CASE("calls run one at a time, in the order they were made") {
    boost::asio::io_context loop;
    BlockingWorker worker(loop.get_executor(), "printer");
    std::vector<int> order;
    std::atomic<int> running = 0;
    std::atomic<int> overlap = 0;
    for (int i = 0; i < 20; ++i) {
        worker.run(
            [&, i] {
                if (running.fetch_add(1) != 0) {
                    ++overlap;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                running.fetch_sub(1);
                return i;
            },
            [&](int value) { order.push_back(value); });
    }
    loop.run();
    CHECK(overlap == 0);
    REQUIRE(order.size() == 20);
    for (int i = 0; i < 20; ++i) {
        CHECK(order[static_cast<std::size_t>(i)] == i);
    }
}

TEST_CASE("a coroutine can co_await blocking work") {
    boost::asio::io_context loop;
    BlockingWorker worker(loop.get_executor(), "worker");
    std::string answer;
    boost::asio::co_spawn(
        loop,
        [&]() -> boost::asio::awaitable<void> {
            answer = co_await worker.run([] { return std::string("captured"); },
                                         boost::asio::use_awaitable);
        },
        boost::asio::detached);
    loop.run();
    CHECK(answer == "captured");
}
