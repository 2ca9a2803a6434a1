#include "hub/web/cookies.hpp"
#include "hub/web/html.hpp"
#include "hub/web/strings.hpp"

#include <boost/beast/http/field.hpp>
#include <doctest/doctest.h>

using namespace encore::hub::web;
namespace http = encore::platform::http;

TEST_CASE("the session cookie carries every attribute a __Host- cookie needs") {
    const auto cookie = set_cookie_value(session_cookie_name, "abc", SameSite::lax);
    CHECK(cookie == "__Host-encore_order=abc; Path=/; Secure; HttpOnly; SameSite=Lax");
    CHECK(cookie.find("Domain") == std::string::npos);
    CHECK(cookie.find("Max-Age") == std::string::npos);
    CHECK(set_cookie_value(csrf_cookie_name, "x", SameSite::strict, std::chrono::seconds(60)) ==
          "__Host-encore_csrf=x; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=60");
    CHECK(clear_cookie_value(session_cookie_name).find("Max-Age=0") != std::string::npos);
}

TEST_CASE("cookies are found among others, across Cookie headers") {
    http::Request request;
    request.insert(boost::beast::http::field::cookie, "theme=dark;__Host-encore_orderx=no");
    request.insert(boost::beast::http::field::cookie, " a=1 ;  __Host-encore_order = s3cr3t ; b=2");
    CHECK(cookie_value(request, session_cookie_name) == "s3cr3t");
    CHECK(cookie_value(request, "theme") == "dark");
    CHECK_FALSE(cookie_value(request, csrf_cookie_name));
    http::Request none;
    CHECK_FALSE(cookie_value(none, session_cookie_name));
}

TEST_CASE("form fields are decoded") {
    CHECK(form_field("csrf=abc&code=k7q+x4m", "code") == "k7q x4m");
    CHECK(form_field("code=K7Q%2DX4M", "code") == "K7Q-X4M");
    CHECK(form_field("code=", "code") == "");
    CHECK_FALSE(form_field("codex=1", "code"));
    CHECK_FALSE(form_field("code=%zz", "code"));
    http::Request request;
    request.set(boost::beast::http::field::content_type,
                "application/x-www-form-urlencoded; charset=UTF-8");
    CHECK(is_form_post(request));
    request.set(boost::beast::http::field::content_type, "multipart/form-data; boundary=x");
    CHECK_FALSE(is_form_post(request));
}

TEST_CASE("CSRF tokens must both be there, be long enough and be equal") {
    const std::string token = "h2pAn8hmOKXm3KYxk1S56Q";
    CHECK(csrf_tokens_match(token, token));
    CHECK_FALSE(csrf_tokens_match(token, std::string("h2pAn8hmOKXm3KYxk1S56R")));
    CHECK_FALSE(csrf_tokens_match(token, std::nullopt));
    CHECK_FALSE(csrf_tokens_match(std::nullopt, token));
    CHECK_FALSE(csrf_tokens_match(std::string(), std::string()));
    CHECK_FALSE(csrf_tokens_match(std::string("short"), std::string("short")));
}

TEST_CASE("HTML escaping leaves no markup and no way out of an attribute") {
    CHECK(html_escape("<script>alert('x')</script>") ==
          "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    CHECK(html_escape("\" onmouseover=\"x") == "&quot; onmouseover=&quot;x");
    CHECK(html_escape("Tom & Jerry's Hochzeit") == "Tom &amp; Jerry&#39;s Hochzeit");
    CHECK(html_escape("日本語") == "日本語");
}

TEST_CASE("the language comes from ?lang=, else the best Accept-Language entry, else English") {
    CHECK(choose_language(std::nullopt, "de-DE,de;q=0.9,en;q=0.8") == Language::de);
    CHECK(choose_language(std::nullopt, "zh-CN, ja;q=0.5, fr;q=0.9") == Language::fr);
    CHECK(choose_language(std::nullopt, "zh-CN,ko") == Language::en);
    CHECK(choose_language(std::nullopt, "") == Language::en);
    CHECK(choose_language(std::nullopt, "es;q=0, ja;q=0.1") == Language::ja);
    CHECK(choose_language("es", "de") == Language::es);
    CHECK(choose_language("xx", "ja-JP") == Language::ja);
    CHECK(choose_language(std::nullopt, "FR-ca") == Language::fr);
}

TEST_CASE("every text has a translation in every language") {
    for (int key = 0; key < static_cast<int>(Text::count_); ++key) {
        for (const auto language : all_languages) {
            CAPTURE(key);
            CAPTURE(language_tag(language));
            CHECK_FALSE(text(language, static_cast<Text>(key)).empty());
        }
    }
    CHECK(text(Language::de, Text::landing_heading) != text(Language::en, Text::landing_heading));
}
