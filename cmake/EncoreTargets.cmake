# Helpers that give every Encore target the same warnings, sanitizers and naming.

function(encore_apply_flags target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
                                           -Wformat=2 -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 (seen on aarch64) reports Asio's coroutine frame allocator as a
    # mismatched new/delete pair: a known false positive for C++20 coroutines.
    target_compile_options(${target} PRIVATE -Wno-mismatched-new-delete)
  endif()
  if(ENCORE_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(ENCORE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# encore_library(NAME ALIAS encore::x SOURCES ... [PUBLIC_LIBS ...] [PRIVATE_LIBS ...])
# One static library per component, with a namespaced alias; C libraries belong in PRIVATE_LIBS.
function(encore_library name)
  cmake_parse_arguments(ARG "" "ALIAS" "SOURCES;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  add_library(${ARG_ALIAS} ALIAS ${name})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_LIBS} PRIVATE ${ARG_PRIVATE_LIBS})
  encore_apply_flags(${name})
endfunction()

# encore_program(NAME SOURCES ... LIBS ...): an executable in build/bin.
function(encore_program name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS})
  encore_apply_flags(${name})
endfunction()

# encore_test(NAME SOURCES ... LIBS ... [LABELS ...]): a doctest binary whose cases
# ctest discovers one by one (under qemu when cross-compiling).
function(encore_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} encore::test_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  encore_apply_flags(${name})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  # ctest splits a test name at ';': such a case would be listed as two tests that match
  # nothing and "pass" without running. Refuse the name instead.
  foreach(source IN LISTS ARG_SOURCES)
    file(READ ${CMAKE_CURRENT_SOURCE_DIR}/${source} text)
    string(REGEX MATCH "TEST_CASE\\(\"[^\"]*;[^\"]*\"" bad_name "${text}")
    if(bad_name)
      message(FATAL_ERROR "${source}: ${bad_name}: ctest cannot run a test whose name has a ';'")
    endif()
  endforeach()
  doctest_discover_tests(${name} TEST_PREFIX "${name}: " DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${ARG_LABELS}" ENVIRONMENT "ENCORE_BIN_DIR=${CMAKE_BINARY_DIR}/bin")
endfunction()
