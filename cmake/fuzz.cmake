# libFuzzer harnesses (fuzz/<name>.cpp) with ASan + UBSan: the `fuzz` preset (clang only).
# Included from the top-level CMakeLists.txt when SIO_FUZZ is on, instead of everything else: it
# compiles only the codecs the harnesses reach, so the build stays small and fast.

if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "SIO_FUZZ needs clang (libFuzzer); configure with the fuzz preset")
endif()

# The preset defines NDEBUG, as the release and asan builds do, so that what is fuzzed is what
# ships; Beast 1.81's chunked-body parser also asserts wrongly on a final chunk that arrives a
# byte at a time (fixed upstream in boostorg/beast#2861, harmless without the assertion).
find_package(Boost 1.81.0 EXACT REQUIRED CONFIG)
find_package(nlohmann_json REQUIRED)

set(SIO_FUZZ_SANITIZERS -fsanitize=address,undefined -fno-sanitize-recover=all
                        -fno-omit-frame-pointer)
add_compile_options(-Wall -Wextra)
if(SIO_WERROR)
  add_compile_options(-Werror)
endif()
add_compile_definitions(BOOST_ASIO_NO_DEPRECATED)

# Boost.URL compiled from its sources into the harnesses, so that its parser is instrumented
# (coverage and sanitizers) like our own code; the installed library is not.
set(SIO_FUZZ_BOOST_URL ${CMAKE_BINARY_DIR}/boost_url_src.cpp)
file(CONFIGURE OUTPUT ${SIO_FUZZ_BOOST_URL} CONTENT "#include <boost/url/src.hpp>\n")

# Everything a harness reaches, instrumented for coverage but without libFuzzer's main().
add_library(sio_fuzz_codecs STATIC
  src/adapter/redis_resp.cpp
  src/adapter/redis_stream_reply.cpp
  src/engineio/base64.cpp
  src/engineio/deflate.cpp
  src/http/cors.cpp
  src/engineio/frame.cpp
  src/http/http_request.cpp
  src/engineio/packet.cpp
  src/engineio/payload_v3.cpp
  src/engineio/utf8.cpp
  src/engineio/websocket_reader.cpp
  src/socketio/decoder.cpp
  src/socketio/json_cursor.cpp
  src/socketio/json_parse.cpp
  src/socketio/msgpack.cpp
  src/socketio/msgpack_cursor.cpp
  src/socketio/msgpack_packet.cpp
  src/socketio/packet.cpp
  ${SIO_FUZZ_BOOST_URL}
)
target_include_directories(sio_fuzz_codecs PUBLIC src)
find_package(ZLIB REQUIRED)
# hiredis (the RESP reader the push reader is checked against) as installed: not instrumented.
find_package(PkgConfig REQUIRED)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
target_link_libraries(sio_fuzz_codecs PUBLIC Boost::headers nlohmann_json::nlohmann_json ZLIB::ZLIB
                      PkgConfig::HIREDIS)
target_compile_options(sio_fuzz_codecs PUBLIC ${SIO_FUZZ_SANITIZERS} -fsanitize=fuzzer-no-link)
target_link_options(sio_fuzz_codecs PUBLIC -fsanitize=address,undefined)

enable_testing()
find_program(SIO_FUZZ_SHELL bash REQUIRED)

# One harness per fuzz/<name>.cpp, built as bin/fuzz-<name> and run by ctest for a bounded time
# on a scratch copy of fuzz/corpus/<name>/ (fuzz/run.sh).
file(GLOB SIO_FUZZ_HARNESSES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fuzz/*.cpp)
set(SIO_FUZZ_SECONDS 20 CACHE STRING "seconds each harness runs under ctest")
foreach(harness ${SIO_FUZZ_HARNESSES})
  get_filename_component(name ${harness} NAME_WE)
  add_executable(fuzz-${name} ${harness})
  target_link_libraries(fuzz-${name} PRIVATE sio_fuzz_codecs)
  target_link_options(fuzz-${name} PRIVATE -fsanitize=fuzzer)
  add_test(NAME fuzz/${name}
           COMMAND ${SIO_FUZZ_SHELL} ${CMAKE_SOURCE_DIR}/fuzz/run.sh ${SIO_FUZZ_SECONDS} ${name}
           WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
  set_tests_properties(fuzz/${name} PROPERTIES
    ENVIRONMENT "SIO_FUZZ_BIN_DIR=${CMAKE_BINARY_DIR}/bin;SIO_FUZZ_ARTIFACTS=${CMAKE_BINARY_DIR}/artifacts"
    TIMEOUT 180)
endforeach()
