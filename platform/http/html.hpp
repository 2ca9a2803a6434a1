#pragma once

#include <string>
#include <string_view>

namespace encore::platform::http {

// Escapes text for HTML element content and for attribute values in double or single
// quotes: & < > " ' become character references. Every value that reaches a page
// (event names, codes, translations, URLs) goes through this.
std::string html_escape(std::string_view text);

} // namespace encore::platform::http
