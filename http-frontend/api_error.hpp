#pragma once
// The one error shape of the HTTP API:
//   {"error":{"code":"invalid_destination","message":"...","field":"to[2]"}}
// `status` is the HTTP status the error is answered with.

#include <chrono>
#include <optional>
#include <string>

namespace bindery::http {

struct ApiError {
    unsigned status = 400;
    std::string code;     // stable snake_case identifier clients switch on
    std::string message;  // human readable
    std::string field;    // JSON path of the offending field ("to[2]"), empty when none
    std::optional<std::chrono::seconds> retry_after;  // 429/503: becomes Retry-After
};

ApiError bad_request(std::string code, std::string message, std::string field = {});
ApiError unprocessable(std::string code, std::string message, std::string field = {});

// The JSON text {"error":{...}} ("field" omitted when empty).
std::string to_json_body(const ApiError& e);

}  // namespace bindery::http
