# Every third-party library Encore uses comes from Debian packages (see ./run).
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
find_package(Boost 1.81...<1.82 REQUIRED COMPONENTS system CONFIG)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(PkgConfig REQUIRED)
if(ENCORE_BUILD_TESTS)
  find_package(doctest REQUIRED)
  include(${doctest_DIR}/doctest.cmake)
endif()

# Boost.Asio is used with C++20 coroutines throughout; Beast for HTTP.
add_library(encore_boost INTERFACE)
target_link_libraries(encore_boost INTERFACE Boost::headers Boost::system Threads::Threads)
target_compile_definitions(encore_boost INTERFACE BOOST_ASIO_NO_DEPRECATED)
add_library(encore::boost ALIAS encore_boost)
