# Cross-build for 32-bit ARM booth boards (Raspberry Pi 2/3 on a 32-bit OS) against a
# sysroot: Debian 12 armhf packages unpacked into a folder by ./run (see
# ensure_armhf_sysroot there), so no :armhf package is installed on the host.
# Tests run under qemu-arm with the sysroot as the root of its library paths.
#
# Where the files come from: Debian's cross compiler (g++-arm-linux-gnueabihf) keeps
# its own C library and libstdc++ (headers, crt*.o, libc.so, libstdc++.so under
# /usr/arm-linux-gnueabihf) and searches them before the sysroot even with --sysroot,
# so those always come from the compiler, as a matched pair. Everything else (Boost,
# OpenSSL, SQLite, libgphoto2, libcups...) comes from the sysroot only: headers,
# libraries, the libraries those need (the linker follows their DT_NEEDED in the
# sysroot's multiarch folders, no -rpath-link needed), CMake package files and
# pkg-config files. The sysroot's own libc6/libstdc++6 are what qemu runs the programs
# with: the same glibc 2.36 and GCC 12 as the compiler's, same or newer point release.
#
# The sysroot: -DENCORE_SYSROOT=<folder> (./run passes it) or the environment.
if(NOT ENCORE_SYSROOT AND DEFINED ENV{ENCORE_SYSROOT})
  set(ENCORE_SYSROOT "$ENV{ENCORE_SYSROOT}")
endif()
if(NOT ENCORE_SYSROOT OR NOT EXISTS "${ENCORE_SYSROOT}/usr/lib/arm-linux-gnueabihf")
  message(FATAL_ERROR "ENCORE_SYSROOT='${ENCORE_SYSROOT}' is not an armhf sysroot; "
                      "./run build --arch armhf makes one")
endif()
set(ENCORE_SYSROOT "${ENCORE_SYSROOT}" CACHE PATH "armhf sysroot (made by ./run build --arch armhf)")
# try_compile projects read this file again, without the cache: hand the folder over.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ENCORE_SYSROOT)

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-linux-gnueabihf-gcc)
set(CMAKE_CXX_COMPILER arm-linux-gnueabihf-g++)
set(CMAKE_LIBRARY_ARCHITECTURE arm-linux-gnueabihf)
set(CMAKE_SYSROOT "${ENCORE_SYSROOT}")
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm -L "${ENCORE_SYSROOT}")

# GCC 12 for 32-bit ARM: -Wpsabi notes on an ABI change of GCC 7.1 (irrelevant: one
# compiler builds everything) flood the log, and -Wmismatched-new-delete misfires on
# Boost.Asio's coroutine frames once their allocator is inlined (awaitable_frame_base's
# class operator new and delete do match; a known GCC false positive, cf. GCC bug
# 109224), which -Werror makes fatal. An explicit -Wno-... holds against the -Wall
# that follows. Set on the first configure only (it seeds CMAKE_CXX_FLAGS).
set(CMAKE_CXX_FLAGS_INIT "-Wno-psabi -Wno-mismatched-new-delete")

# pkg-config: the host's, reading only the sysroot's .pc files and prefixing the
# paths in them with the sysroot.
set(PKG_CONFIG_EXECUTABLE pkg-config CACHE FILEPATH "pkg-config for the target")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${ENCORE_SYSROOT}")
set(ENV{PKG_CONFIG_LIBDIR} "${ENCORE_SYSROOT}/usr/lib/arm-linux-gnueabihf/pkgconfig:${ENCORE_SYSROOT}/usr/lib/pkgconfig:${ENCORE_SYSROOT}/usr/share/pkgconfig")
unset(ENV{PKG_CONFIG_PATH})

# Headers, libraries and CMake packages from the sysroot only (never the host's
# /usr/include); programs (pkg-config, code generators) from the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
