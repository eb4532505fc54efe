# Helpers shared by every room of the tree.

# Warnings are errors on our own code only; generated code gets the defaults.
set(TETHER_WARNINGS -Wall -Wextra -Wpedantic -Werror -Wno-missing-field-initializers)

# tether_room(NAME DIR DEPS...): a static library from DIR/*.cc. Sources are
# globbed so adding a file needs no CMake edit.
function(tether_room name dir)
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/${dir}/*.cc)
  list(FILTER srcs EXCLUDE REGEX "(_test|/main)\\.cc$")
  if(NOT srcs)
    # A room with headers only (so far).
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${CMAKE_SOURCE_DIR})
    target_link_libraries(${name} INTERFACE ${ARGN})
    return()
  endif()
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${TETHER_WARNINGS} ${TETHER_SANITIZE_OWN_CODE})
  target_link_libraries(${name} PUBLIC ${ARGN})
endfunction()

# tether_tests(NAME DIR DEPS...): one GoogleTest binary from test/DIR/*_test.cc,
# each test registered with ctest.
include(GoogleTest)
function(tether_tests name dir)
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/test/${dir}/*_test.cc)
  if(NOT srcs)
    return()
  endif()
  add_executable(${name} ${srcs})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/test)
  target_compile_options(${name} PRIVATE ${TETHER_WARNINGS} ${TETHER_SANITIZE_OWN_CODE})
  target_compile_definitions(${name} PRIVATE TETHER_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  target_link_libraries(${name} PRIVATE ${ARGN} GTest::gtest GTest::gmock GTest::gtest_main)
  # LABELS: `ctest -L xds_test` picks one binary's tests (the thread-sanitizer run, Makefile).
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120 LABELS ${name})
endfunction()
