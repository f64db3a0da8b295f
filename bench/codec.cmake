# bench_codec: decode/encode rates of submit_sm and deliver_sm, next to libsmpp34's unpack/pack
# on the same octets, with heap allocations per operation as counters.
add_executable(bench_codec ${CMAKE_CURRENT_SOURCE_DIR}/codec_bench.cpp)
target_link_libraries(bench_codec PRIVATE bindery_smpp_codec benchmark::benchmark)
if(TARGET PkgConfig::SMPP34)
  target_link_libraries(bench_codec PRIVATE PkgConfig::SMPP34)
  target_compile_definitions(bench_codec PRIVATE BINDERY_HAVE_LIBSMPP34=1)
endif()
