# Builds and runs tests/package/consumer.cpp against diffuse in one of three ways (MODE):
# find_package (an install into a scratch prefix), add_subdirectory, or pkg-config.
# Inputs: MODE, SOURCE_DIR (diffuse's sources), BUILD_DIR (diffuse's build tree), SCRATCH, CXX, and
# IO (ON when diffuse::io exists in that build: the consumer must then find and use it too).
cmake_minimum_required(VERSION 3.14)

function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    string(REPLACE ";" " " command "${ARGV}")
    message(FATAL_ERROR "failed (${result}): ${command}")
  endif()
endfunction()

file(REMOVE_RECURSE "${SCRATCH}")
set(prefix "${SCRATCH}/prefix")
set(consumer "${SOURCE_DIR}/tests/package")

if(MODE STREQUAL "find_package")
  run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
  run(${CMAKE_COMMAND} -S "${consumer}/find_package" -B "${SCRATCH}/build"
      "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_CXX_COMPILER=${CXX}" "-DIO_REQUIRED=${IO}")
  run(${CMAKE_COMMAND} --build "${SCRATCH}/build")
  run("${SCRATCH}/build/consumer")
  if(IO)
    run("${SCRATCH}/build/io_consumer")
  endif()
elseif(MODE STREQUAL "add_subdirectory")
  run(${CMAKE_COMMAND} -S "${consumer}/add_subdirectory" -B "${SCRATCH}/build"
      "-DDIFFUSE_SOURCE_DIR=${SOURCE_DIR}" "-DCMAKE_CXX_COMPILER=${CXX}" "-DIO_REQUIRED=${IO}")
  run(${CMAKE_COMMAND} --build "${SCRATCH}/build")
  run("${SCRATCH}/build/consumer")
  if(IO)
    run("${SCRATCH}/build/io_consumer")
  endif()
elseif(MODE STREQUAL "pkg-config")
  run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
  set(ENV{PKG_CONFIG_PATH} "${prefix}/share/pkgconfig")
  execute_process(COMMAND pkg-config --cflags diffuse OUTPUT_VARIABLE cflags RESULT_VARIABLE result
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "pkg-config --cflags diffuse failed")
  endif()
  # The flags never choose the standard (a consumer's own -std must win); the variable tells it.
  if(cflags MATCHES "-std=")
    message(FATAL_ERROR "pkg-config --cflags diffuse forces a standard: ${cflags}")
  endif()
  execute_process(COMMAND pkg-config --variable=cxx_standard diffuse OUTPUT_VARIABLE standard
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT standard STREQUAL "17")
    message(FATAL_ERROR "pkg-config --variable=cxx_standard diffuse gave '${standard}', not 17")
  endif()
  separate_arguments(cflags UNIX_COMMAND "${cflags}")
  foreach(std c++17 c++20)
    run(${CXX} -std=${std} ${cflags} "${consumer}/consumer.cpp" -o "${SCRATCH}/consumer")
    run("${SCRATCH}/consumer")
  endforeach()
else()
  message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()
