# bench_router_core: E.164 normalization rate, DRR scheduler push+pop rate, and the Router's
# accept -> dispatch -> send result -> receipt pipeline over InMemoryStore. A plain main.
add_executable(bench_router_core ${CMAKE_CURRENT_SOURCE_DIR}/router_core_bench.cpp)
target_link_libraries(bench_router_core PRIVATE bindery_router_core bindery_warnings)
