# bench_callbacks: ns per delivery-callback body (callback_body) and per signature
# (callback_signature), next to the nlohmann::ordered_json + dump() and one-shot HMAC() they
# replaced (tests/http-frontend/callbacks_reference.hpp), in the same run.
add_executable(bench_callbacks ${CMAKE_CURRENT_SOURCE_DIR}/callbacks_bench.cpp)
target_link_libraries(bench_callbacks PRIVATE bindery_http_frontend benchmark::benchmark
  bindery_warnings)
