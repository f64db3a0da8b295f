# bench_store: accepted-and-committed messages/s of the SQLite store for N concurrent acceptors and
# batches of 1 and 100, and RSS with 1,000,000 queued messages. A plain main printing figures.
add_executable(bench_store ${CMAKE_CURRENT_SOURCE_DIR}/store_bench.cpp)
target_link_libraries(bench_store PRIVATE bindery_router_store Threads::Threads bindery_warnings)
