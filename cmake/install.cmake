# `cmake --install build [--prefix P]`: what a C++ project needs to build against sio, and
# sio-server with the files it serves.
#
#   P/include/sio/{reactor,http,engineio,socketio,adapter}/*.hpp   #include <sio/socketio/server.hpp>
#   P/lib/libsio*.a                                                  static libraries
#   P/lib/cmake/sio/                 find_package(sio) → sio::sio (Socket.IO server), sio::redis
#   P/lib/pkgconfig/sio.pc, sio-redis.pc
#   P/bin/sio-server, P/share/sio/   and the demo page it serves
#
# The headers include each other from the include root of the tree ("engineio/options.hpp"), so
# the package puts P/include/sio on the include path beside P/include.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set_target_properties(sio_http PROPERTIES EXPORT_NAME http)
set_target_properties(sio_engineio PROPERTIES EXPORT_NAME engineio)
set_target_properties(sio PROPERTIES EXPORT_NAME sio)
set_target_properties(sio_redis PROPERTIES EXPORT_NAME redis)

install(TARGETS sio_http sio_engineio sio sio_redis EXPORT sioTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT sioTargets NAMESPACE sio:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/sio)

foreach(layer reactor http engineio socketio adapter)
  install(DIRECTORY src/${layer}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sio/${layer}
          FILES_MATCHING PATTERN "*.hpp")
endforeach()

configure_package_config_file(cmake/sioConfig.cmake.in ${CMAKE_BINARY_DIR}/sioConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/sio)
# 0.x: a minor version may change the API.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/sioConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/sioConfig.cmake ${CMAKE_BINARY_DIR}/sioConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/sio)

# pkg-config files hold the prefix given at install time (`cmake --install --prefix P`), not
# the one configured: the first pass fills in the rest and keeps @PC_PREFIX@ for the second.
set(PC_PREFIX "@PC_PREFIX@")
foreach(pc sio sio-redis)
  configure_file(cmake/${pc}.pc.in ${CMAKE_BINARY_DIR}/${pc}.pc.in @ONLY)
  install(CODE "
    set(PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
    configure_file(${CMAKE_BINARY_DIR}/${pc}.pc.in ${CMAKE_BINARY_DIR}/${pc}.pc @ONLY)
    file(INSTALL ${CMAKE_BINARY_DIR}/${pc}.pc
         DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig\")")
endforeach()

install(TARGETS sio-server RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY web/ DESTINATION ${CMAKE_INSTALL_DATADIR}/sio/web)
