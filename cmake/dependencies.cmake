# Every third-party dependency, found once, from Debian packages.
# See STYLE.md "Known traps on this toolchain" for why each is found this way.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(tomlplusplus CONFIG REQUIRED)
find_package(RocksDB CONFIG REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)  # prometheus-cpp::core (metrics)
if(ROBUST_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
find_package(wslay CONFIG REQUIRED)  # imported target: wslay
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)

# Standalone asio 1.22 ships no CMake package.
add_library(asio INTERFACE)
add_library(third_party::asio ALIAS asio)
# ASIO_DISABLE_STD_ALIGNED_ALLOC: asio 1.22 picks its allocation functions
# by which header a file includes first, so files could allocate and free
# with mismatched functions (ASan: alloc-dealloc-mismatch). One choice for all.
target_compile_definitions(asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED
  ASIO_DISABLE_STD_ALIGNED_ALLOC)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  target_compile_definitions(asio INTERFACE ASIO_HAS_CO_AWAIT=1)
endif()
target_link_libraries(asio INTERFACE Threads::Threads)

# Kafka record batches: CRC32C (ISA-L's crc32_iscsi, hardware accelerated)
# and the four compression codecs Kafka producers use.
pkg_check_modules(ISAL REQUIRED IMPORTED_TARGET libisal)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
find_package(zstd CONFIG REQUIRED)    # zstd::libzstd_shared
find_package(Snappy CONFIG REQUIRED)  # Snappy::snappy
find_package(ZLIB REQUIRED)           # ZLIB::ZLIB (gzip)
