# bench_router_store: the Router on SqliteStore. Paged recovery of a large QUEUED backlog (peak RSS,
# drain rate) and end to end with SmppCarrierProvider against the SMSC simulator on loopback
# (accepted-and-committed, delivered messages/s). A plain main printing figures.
if(TARGET bindery_smsc_sim_core AND TARGET bindery_router_providers)
  add_executable(bench_router_store ${CMAKE_CURRENT_SOURCE_DIR}/router_store_bench.cpp)
  target_link_libraries(bench_router_store PRIVATE bindery_router_store bindery_router_providers
                        bindery_smsc_sim_core Threads::Threads bindery_warnings)
endif()
# bench_router_backlog: the backlog part alone (no SMPP), for a quick RSS / drain-rate figure.
add_executable(bench_router_backlog ${CMAKE_CURRENT_SOURCE_DIR}/router_store_bench.cpp)
target_compile_definitions(bench_router_backlog PRIVATE BINDERY_BENCH_BACKLOG_ONLY=1)
target_link_libraries(bench_router_backlog PRIVATE bindery_router_store Threads::Threads bindery_warnings)
