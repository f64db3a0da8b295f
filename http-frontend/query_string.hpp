#pragma once
// application/x-www-form-urlencoded query strings: "a=1&b=x%20y" -> [(a,1),(b,x y)].

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http-frontend/api_error.hpp"
#include "smpp/base/expected.hpp"

namespace bindery::http {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Percent-decodes names and values ('+' is a space). A repeated name or a bad escape is a 400.
Expected<QueryParams, ApiError> parse_query(std::string_view query);
Expected<std::string, ApiError> percent_decode(std::string_view s, bool plus_is_space);

}  // namespace bindery::http
