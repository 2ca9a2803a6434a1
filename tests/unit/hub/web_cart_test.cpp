#include "hub/web/session_store.hpp"
#include "hub/web/strings.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

using namespace encore::hub::web;
using namespace std::chrono_literals;

TEST_CASE("a cart belongs to its session, adds up copies and ends with the session") {
    encore::testing::TempDir dir;
    SessionStore store(dir / "sessions.db", 24h);
    const auto mine = store.create("order-1");
    const auto theirs = store.create("order-2");
    const std::string photo(64, 'a');
    store.add_to_cart(mine.id, {photo, "5x7", 2});
    store.add_to_cart(mine.id, {photo, "4x6", 1});
    store.add_to_cart(mine.id, {photo, "5x7", 3});
    auto cart = store.cart(mine.id);
    REQUIRE(cart.size() == 2);
    CHECK(cart[0].product_id == "5x7");
    CHECK(cart[0].quantity == 5);
    CHECK(cart[1].product_id == "4x6");
    CHECK(store.cart(theirs.id).empty());
    // Never more than the most copies of one line.
    store.add_to_cart(mine.id, {photo, "5x7", 98});
    CHECK(store.cart(mine.id)[0].quantity == max_cart_quantity);
    store.remove_from_cart(mine.id, photo, "5x7");
    cart = store.cart(mine.id);
    REQUIRE(cart.size() == 1);
    CHECK(cart[0].product_id == "4x6");
    store.clear_cart(mine.id);
    CHECK(store.cart(mine.id).empty());
    store.add_to_cart(theirs.id, {photo, "8x10", 1});
    store.remove(theirs.id);
    CHECK(store.cart(theirs.id).empty());
}

TEST_CASE("prices are written the way each language writes money") {
    CHECK(format_money(Language::en, 350, "EUR") == "€3.50");
    CHECK(format_money(Language::de, 350, "EUR") == "3,50\u00a0€");
    CHECK(format_money(Language::fr, 1205, "EUR") == "12,05\u00a0€");
    CHECK(format_money(Language::es, 7, "EUR") == "0,07\u00a0€");
    CHECK(format_money(Language::ja, 500, "JPY") == "￥500");
    CHECK(format_money(Language::en, 500, "JPY") == "¥500");
    CHECK(format_money(Language::en, 1999, "USD") == "$19.99");
    CHECK(format_money(Language::en, 350, "CHF") == "3.50\u00a0CHF");
}
