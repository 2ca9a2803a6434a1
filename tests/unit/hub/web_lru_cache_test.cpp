#include "hub/web/lru_cache.hpp"

#include <doctest/doctest.h>

#include <string>

using encore::hub::web::LruCache;

TEST_CASE("the cache keeps the most recently used values within its budget") {
    LruCache<std::string, std::string> cache(10);
    cache.put("a", "aaaa", 4);
    cache.put("b", "bbbb", 4);
    REQUIRE(cache.find("a") != nullptr); // "b" is now the least recently used
    cache.put("c", "cccc", 4);
    CHECK(cache.cost() <= 10);
    CHECK(cache.find("b") == nullptr);
    REQUIRE(cache.find("a") != nullptr);
    CHECK(*cache.find("a") == "aaaa");
    REQUIRE(cache.find("c") != nullptr);
    CHECK(cache.size() == 2);

    // Replacing a value counts its new cost only.
    cache.put("a", "aaaaaa", 6);
    CHECK(cache.cost() == 10);
    CHECK(*cache.find("a") == "aaaaaa");
    CHECK(cache.find("c") != nullptr);

    cache.erase("a");
    CHECK(cache.find("a") == nullptr);
    CHECK(cache.cost() == 4);
}

TEST_CASE("a value larger than the whole budget is not kept, and a budget of 0 keeps nothing") {
    LruCache<std::string, int> cache(5);
    cache.put("small", 1, 3);
    CHECK(cache.put("huge", 2, 6) == nullptr);
    CHECK(cache.find("huge") == nullptr);
    CHECK(cache.find("small") != nullptr);
    CHECK(cache.cost() == 3);

    LruCache<std::string, int> nothing(0);
    CHECK(nothing.put("one", 1) == nullptr);
    CHECK(nothing.find("one") == nullptr);
    CHECK(nothing.size() == 0);
}

TEST_CASE("whatever is put in, the costs never exceed the budget") {
    LruCache<int, int> cache(100);
    for (int index = 0; index < 1000; ++index) {
        const auto cost = static_cast<std::size_t>((index * 37) % 60 + 1);
        cache.put(index % 50, index, cost);
        CHECK(cache.cost() <= 100);
        if (index % 7 == 0) {
            cache.find((index * 13) % 50);
        }
    }
    std::size_t sum = 0;
    for (int key = 0; key < 50; ++key) {
        if (cache.find(key) != nullptr) {
            ++sum;
        }
    }
    CHECK(sum == cache.size());
}
