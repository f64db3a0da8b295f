# bench_text: choose-encoding + segment rates for GSM 7-bit and UCS-2 texts, receipt parse/build.
add_executable(bench_text ${CMAKE_CURRENT_SOURCE_DIR}/text_bench.cpp)
target_link_libraries(bench_text PRIVATE bindery_smpp_text bindery_smpp_receipt benchmark::benchmark)
