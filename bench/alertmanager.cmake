# bench_alertmanager: Alertmanager webhook POST -> submit_sm at the (in-process) simulator, p50/p99
# for a 50-person group, through the whole `bindery serve` object graph. A plain main.
if(TARGET bindery_smsc_sim_core)
  add_executable(bench_alertmanager ${CMAKE_CURRENT_SOURCE_DIR}/alertmanager_bench.cpp)
  target_link_libraries(bench_alertmanager PRIVATE bindery_app bindery_smsc_sim_core bindery_warnings)
endif()
