# Read by ctest after doctest's discovered tests (see CMakeLists.txt): the camera fault
# drills carry both labels, integration and fault.
foreach(_drill IN LISTS integration-camera-faults_TESTS)
  set_tests_properties("${_drill}" PROPERTIES LABELS "integration;fault")
endforeach()
