# Operations kit tests (tests/ops/): the Prometheus rules and configuration (promtool, amtool),
# rule unit tests, metric names used by rules and dashboards, a real Prometheus scrape, the
# systemd unit and `make install`. Each fails when its tool is not installed: tools/install-deps,
# which `make test` runs first, installs them all.
set(OPS ${CMAKE_CURRENT_LIST_DIR})
set(MON ${PROJECT_SOURCE_DIR}/conf/monitoring)
find_package(Python3 COMPONENTS Interpreter)

function(bindery_ops_test name)
  add_test(NAME ${name} COMMAND ${ARGN})
  set_tests_properties(${name} PROPERTIES LABELS ops
    ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1;BINDERY=$<TARGET_FILE:bindery>;BINDERY_SIM=$<TARGET_FILE:bindery-smsc-sim>;BINDERY_SOURCE=${PROJECT_SOURCE_DIR};BINDERY_ARTIFACTS=${CMAKE_BINARY_DIR}/artifacts")
endfunction()

# A test that runs one tool of tools/install-deps' list.
function(bindery_ops_tool_test name tool)
  bindery_ops_test(${name} bash ${OPS}/run_tool.sh ${tool} ${ARGN})
endfunction()

bindery_ops_tool_test(ops_promtool_check_rules promtool check rules
  ${MON}/rules/bindery-alerts.yml ${MON}/rules/bindery-slo.yml)
bindery_ops_tool_test(ops_promtool_check_config promtool check config ${MON}/prometheus.yml)
bindery_ops_tool_test(ops_amtool_check_config amtool check-config ${MON}/alertmanager.yml)
bindery_ops_tool_test(ops_promtool_test_rules promtool test rules
  ${MON}/tests/alerts_test.yml ${MON}/tests/slo_test.yml)
bindery_ops_test(ops_systemd_unit bash ${OPS}/systemd_unit_test.sh)
bindery_ops_test(ops_make_install bash ${OPS}/make_install_test.sh)
# Every tracked C++ source is clang-formatted (.clang-format; make format fixes it).
bindery_ops_test(ops_format_check bash ${OPS}/format_check.sh)
if(Python3_Interpreter_FOUND)
  bindery_ops_test(ops_runbooks ${Python3_EXECUTABLE} ${OPS}/runbook_test.py)
  bindery_ops_test(ops_metric_names ${Python3_EXECUTABLE} ${OPS}/metric_names_test.py)
  bindery_ops_test(ops_prometheus_scrape ${Python3_EXECUTABLE} ${OPS}/prometheus_scrape_test.py)
  bindery_ops_test(ops_cli ${Python3_EXECUTABLE} ${OPS}/cli_test.py)
  bindery_ops_test(ops_ui_chromium ${Python3_EXECUTABLE} ${OPS}/ui_test.py)
  bindery_ops_test(ops_readme_quickstart ${Python3_EXECUTABLE} ${OPS}/readme_quickstart_test.py)
  set_tests_properties(ops_prometheus_scrape ops_cli ops_ui_chromium PROPERTIES TIMEOUT 300)
endif()
