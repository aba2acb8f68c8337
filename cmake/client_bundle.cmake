# The socket.io-client bundles that src/socketio/client_bundle.cpp builds into the library, from
# the npm package package.json pins (node_modules, `npm ci`). Without it the library serves none.

set(SIO_CLIENT_PACKAGE ${CMAKE_SOURCE_DIR}/node_modules/socket.io-client)
set(SIO_CLIENT_FILES socket.io.js socket.io.min.js socket.io.msgpack.min.js socket.io.esm.min.js)
if(EXISTS ${SIO_CLIENT_PACKAGE}/package.json)
  file(READ ${SIO_CLIENT_PACKAGE}/package.json SIO_CLIENT_PACKAGE_JSON)
  string(JSON SIO_CLIENT_VERSION GET "${SIO_CLIENT_PACKAGE_JSON}" version)
  set(SIO_CLIENT_DEPENDS)
  foreach(file ${SIO_CLIENT_FILES})
    list(APPEND SIO_CLIENT_DEPENDS ${SIO_CLIENT_PACKAGE}/dist/${file}
                                   ${SIO_CLIENT_PACKAGE}/dist/${file}.map)
  endforeach()
  set_source_files_properties(src/socketio/client_bundle.cpp PROPERTIES
    COMPILE_DEFINITIONS "SIO_CLIENT_DIST=\"${SIO_CLIENT_PACKAGE}/dist\";SIO_CLIENT_VERSION=\"${SIO_CLIENT_VERSION}\""
    OBJECT_DEPENDS "${SIO_CLIENT_DEPENDS}"
    # Its definitions are its own: never part of a unity batch.
    SKIP_UNITY_BUILD_INCLUSION ON)
  message(STATUS "sio: serving socket.io-client ${SIO_CLIENT_VERSION} (serve_client)")
else()
  message(WARNING "sio: no ${SIO_CLIENT_PACKAGE} (run npm ci): the library serves no client bundle")
endif()
