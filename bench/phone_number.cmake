# bench_phone_number: ns per destination for PhoneNumberNormalizer::normalize (the canonical
# +CC... path without libphonenumber's Parse) and for the Parse-based reference, same numbers,
# same run.
add_executable(bench_phone_number ${CMAKE_CURRENT_SOURCE_DIR}/phone_number_bench.cpp)
target_link_libraries(bench_phone_number PRIVATE bindery_router_core benchmark::benchmark
  bindery_warnings)
