# The Redis adapter (src/adapter/redis_*), its cluster test server and its tests.
# Included from the top-level CMakeLists.txt.

find_package(PkgConfig REQUIRED)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)

add_library(sio_redis STATIC
  src/adapter/cluster_adapter.cpp
  src/adapter/cluster_messages.cpp
  src/adapter/redis_adapter.cpp
  src/adapter/redis_adapter_answers.cpp
  src/adapter/redis_client.cpp
  src/adapter/redis_cluster_client.cpp
  src/adapter/redis_cluster_slots.cpp
  src/adapter/redis_connection.cpp
  src/adapter/redis_handlers.cpp
  src/adapter/redis_messages.cpp
  src/adapter/redis_resp.cpp
  src/adapter/redis_stream_reader.cpp
  src/adapter/redis_stream_reply.cpp
  src/adapter/redis_streams_adapter.cpp
  src/adapter/redis_url.cpp
  src/adapter/sharded_redis_adapter.cpp
)
target_link_libraries(sio_redis PUBLIC sio PRIVATE PkgConfig::HIREDIS spdlog::spdlog)

# Two or more of these share one Redis in tests/js/cluster.
add_executable(sio-cluster-server tests/fixtures/sio_cluster_server.cpp)
target_link_libraries(sio-cluster-server PRIVATE sio_redis CLI11::CLI11 spdlog::spdlog)

# tests/unit/redis_*_test.cpp are globbed into sio-unit-tests by the top-level file.
target_link_libraries(sio-unit-tests PRIVATE sio_redis PkgConfig::HIREDIS)

# The cluster suites (tests/js/cluster). The top-level glob of tests/js registers them already
# (as js/cluster/<name>); they are added here only when it does not.
file(GLOB SIO_CLUSTER_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/js/cluster/*.test.mjs)
foreach(test_file ${SIO_CLUSTER_TESTS})
  get_filename_component(test_name ${test_file} NAME)
  string(REGEX REPLACE "\\.test\\.mjs$" "" test_name ${test_name})
  if(TEST js/cluster/${test_name})
    continue()
  endif()
  add_test(NAME cluster/${test_name} COMMAND node --test ${test_file}
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(cluster/${test_name} PROPERTIES
    ENVIRONMENT "SIO_BIN_DIR=${CMAKE_BINARY_DIR}/bin"
    TIMEOUT 300)
endforeach()
