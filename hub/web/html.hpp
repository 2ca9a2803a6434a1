#pragma once

#include "platform/http/html.hpp"

namespace encore::hub::web {

using platform::http::html_escape;

} // namespace encore::hub::web
