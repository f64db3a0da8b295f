# bench_smpp_concat: concatenated SMPP parts/s through ConcatAssembler on the SQLite part store
# (each part committed before its answer), with a router that accepts everything. A plain main.
add_executable(bench_smpp_concat ${CMAKE_CURRENT_SOURCE_DIR}/smpp_concat_bench.cpp)
target_link_libraries(bench_smpp_concat PRIVATE bindery_app bindery_warnings)
