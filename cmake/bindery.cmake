# Shared build settings and helpers for Bindery's targets.

add_library(bindery_warnings INTERFACE)
target_compile_options(bindery_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  -Wnon-virtual-dtor -Wcast-align -Wconversion -Wsign-conversion -Wnull-dereference
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(BINDERY_WERROR)
  target_compile_options(bindery_warnings INTERFACE -Werror)
endif()

if(BINDERY_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
endif()

if(BINDERY_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "BINDERY_FUZZ needs clang (configure with CXX=clang++-14)")
endif()

# The long-running executables (the gateway, the simulator, the load generator) link jemalloc
# (Debian's libjemalloc-dev) unless sanitizing, when ASan's allocator must stay: glibc's malloc
# took 13% of the gateway's CPU at 15,000 messages/s with callbacks (free lists, consolidation
# under several threads), and jemalloc's per-thread caches cut the gateway's CPU per message by
# 8% and raised its throughput by 5% there, with RSS within 10% of glibc's (docs/bench.md).
# -DBINDERY_ALLOCATOR=system keeps glibc's.
set(BINDERY_ALLOCATOR jemalloc CACHE STRING "Allocator of the executables: jemalloc or system")
set_property(CACHE BINDERY_ALLOCATOR PROPERTY STRINGS jemalloc system)
if(BINDERY_ALLOCATOR STREQUAL "jemalloc" AND NOT BINDERY_SANITIZE AND NOT BINDERY_FUZZ)
  find_library(JEMALLOC_LIB jemalloc REQUIRED)
  set(BINDERY_ALLOCATOR_LIB ${JEMALLOC_LIB})
elseif(NOT BINDERY_ALLOCATOR MATCHES "^(jemalloc|system)$")
  message(FATAL_ERROR "BINDERY_ALLOCATOR must be jemalloc or system, not '${BINDERY_ALLOCATOR}'")
endif()

# bindery_use_allocator(TARGET): links the chosen allocator into an executable (nothing for the
# system allocator or a sanitized build).
function(bindery_use_allocator target)
  if(BINDERY_ALLOCATOR_LIB)
    target_link_libraries(${target} PRIVATE ${BINDERY_ALLOCATOR_LIB})
  endif()
endfunction()

# bindery_library(NAME DIR [DEPS ...]): a static library of every .cpp directly under DIR
# (an INTERFACE library while DIR has headers only). Includes are rooted at the repository.
function(bindery_library name dir)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${dir}/*.cpp)
  if(sources)
    add_library(${name} STATIC ${sources})
    target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE bindery_warnings ${ARG_PRIVATE_DEPS})
    if(BINDERY_FUZZ)
      # Coverage for the fuzzers that link this library; the sanitizer runtimes provide the hooks
      # in ordinary binaries.
      target_compile_options(${name} PRIVATE -fsanitize=fuzzer-no-link)
    endif()
  else()
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} INTERFACE ${ARG_DEPS} ${ARG_PRIVATE_DEPS})
  endif()
endfunction()

# bindery_test(NAME DIR [DEPS ...]): one GoogleTest executable from every *_test.cpp under DIR
# (that folder only), registered test by test with ctest.
include(GoogleTest)
function(bindery_test name dir)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${dir}/*_test.cpp)
  if(NOT sources)
    return()
  endif()
  add_executable(${name} ${sources})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main
    bindery_warnings)
  target_compile_definitions(${name} PRIVATE
    BINDERY_SOURCE_DIR="${PROJECT_SOURCE_DIR}" BINDERY_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
