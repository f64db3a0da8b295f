# bench_kavenegar: messages/s through KavenegarProvider -> the Kavenegar mock over HTTPS (verified
# self-signed certificate, keep-alive), one message per call vs sendarray batches. A plain main.
if(TARGET bindery_kavenegar_mock_core)
  add_executable(bench_kavenegar ${CMAKE_CURRENT_SOURCE_DIR}/kavenegar_bench.cpp)
  target_link_libraries(bench_kavenegar PRIVATE bindery_router_providers bindery_kavenegar_mock_core
    bindery_warnings)
endif()
