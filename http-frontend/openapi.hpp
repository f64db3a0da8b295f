#pragma once
// http-frontend/openapi.yaml, embedded at build time (served at GET /openapi.yaml).
#include <string_view>

namespace bindery::http {
std::string_view openapi_document() noexcept;
}  // namespace bindery::http
