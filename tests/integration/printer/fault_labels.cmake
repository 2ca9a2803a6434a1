# Read by ctest after doctest's discovered tests (see CMakeLists.txt): the fault drills
# carry both labels, integration and fault.
foreach(_drill IN LISTS integration-printer-faults_TESTS)
  set_tests_properties("${_drill}" PROPERTIES LABELS "integration;fault")
endforeach()
