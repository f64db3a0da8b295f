#include "http-frontend/api_error.hpp"

#include <nlohmann/json.hpp>

namespace bindery::http {

ApiError bad_request(std::string code, std::string message, std::string field) {
    return ApiError{400, std::move(code), std::move(message), std::move(field), std::nullopt};
}

ApiError unprocessable(std::string code, std::string message, std::string field) {
    return ApiError{422, std::move(code), std::move(message), std::move(field), std::nullopt};
}

std::string to_json_body(const ApiError& e) {
    nlohmann::json err = {{"code", e.code}, {"message", e.message}};
    if (!e.field.empty()) err["field"] = e.field;
    return nlohmann::json{{"error", std::move(err)}}.dump(-1, ' ', false,
                                                          nlohmann::json::error_handler_t::replace);
}

}  // namespace bindery::http
