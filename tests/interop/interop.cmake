# Interop with node-smpp 0.5.1 (the npm package `smpp`), label `interop`. tools/install-deps
# installs the package into tools/node/node_modules (pinned by tools/node/package-lock.json); the
# setup test checks it is there, and the two cases depend on it as a fixture, so a missing package
# reports them as not run (= failed).
if(TARGET bindery-smsc-sim AND TARGET bindery-smpp-load)
  set(_interop ${CMAKE_CURRENT_SOURCE_DIR}/interop/run.sh)
  add_test(NAME interop.node_smpp_present COMMAND ${_interop} setup ${CMAKE_BINARY_DIR})
  set_tests_properties(interop.node_smpp_present PROPERTIES
    FIXTURES_SETUP node_smpp LABELS interop TIMEOUT 30)
  # node-smpp ESME -> Bindery's SMSC side (SmppServer in bindery-smsc-sim): submit, receipt back.
  add_test(NAME interop.node_client_to_bindery_server COMMAND ${_interop} client ${CMAKE_BINARY_DIR})
  # Bindery's carrier binds (BindPool/ClientBind in bindery-smpp-load) -> node-smpp SMSC.
  add_test(NAME interop.bindery_binds_to_node_server COMMAND ${_interop} server ${CMAKE_BINARY_DIR})
  set_tests_properties(interop.node_client_to_bindery_server interop.bindery_binds_to_node_server
    PROPERTIES FIXTURES_REQUIRED node_smpp LABELS interop TIMEOUT 120)
endif()
