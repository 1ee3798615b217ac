# Cross-compile for 64-bit Arm Linux with Debian's g++-aarch64-linux-gnu, and run the programs
# (ctest, catch_discover_tests) under qemu-user (Debian qemu-user), as CI's aarch64 stage does:
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# -L: the aarch64 dynamic loader and shared libraries (libc6-arm64-cross, libstdc++6-arm64-cross).
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)

# Packages come from the host's Debian /usr, where the ones the tests use are architecture-
# independent headers: Eigen (/usr/share/eigen3/cmake, /usr/include/eigen3), Catch2 2.13
# (/usr/lib/cmake/Catch2, /usr/include/catch2), nlohmann_json. The prefixes /usr/local and /opt are
# left out (CMake 3.23+): what is installed there is built for the host, e.g. a Catch2 v3 (always a
# compiled library), which tests/CMakeLists.txt would prefer to Debian's 2.13 and fail to link.
list(APPEND CMAKE_IGNORE_PREFIX_PATH /usr/local /opt)

# Include directories. Catch2 2.13's imported target Catch2::Catch2 names /usr/include itself. That
# is safe here and needs no shim directory: Debian's cross g++ already searches /usr/include, *last*,
# after its own /usr/aarch64-linux-gnu/include (`aarch64-linux-gnu-g++ -xc++ -E -v /dev/null`), so
# CMake counts /usr/include among the compiler's implicit include directories and leaves it off the
# command line. (An explicit -isystem /usr/include would move the x86-64 glibc headers ahead of the
# aarch64 ones.) Eigen's /usr/include/eigen3 is passed as -isystem, as natively. The tests link
# Catch2::Catch2 and their own main, never the x86-64 /usr/lib/libCatch2WithMain.a. Other headers
# found in /usr/include by __has_include (Random123) are architecture-independent too. OpenMP, when
# found, is the cross compiler's own -fopenmp with the aarch64 libgomp.
