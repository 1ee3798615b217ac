# Runs test_wide and test_wide_portable with their hidden "[.digest]" test case and fails unless both
# print the same digest of Wide's result bits (the native and the portable 128-bit integer paths of
# detail/uint128.hpp must give the same bits).
# Usage: cmake -DNATIVE=<test_wide> -DPORTABLE=<test_wide_portable> [-DEMULATOR="qemu-aarch64 -L ..."]
#              -P wide_digest.cmake
foreach(var NATIVE PORTABLE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "wide_digest.cmake: -D${var}=<executable> is required")
  endif()
endforeach()

separate_arguments(emulator UNIX_COMMAND "${EMULATOR}")

function(wide_digest program out)
  execute_process(COMMAND ${emulator} "${program}" "[.digest]" RESULT_VARIABLE rc OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${program} \"[.digest]\" failed (${rc}):\n${stdout}${stderr}")
  endif()
  string(REGEX MATCHALL "wide digest: [0-9a-f]+" lines "${stdout}")
  list(LENGTH lines count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "${program} \"[.digest]\" printed ${count} digest lines:\n${stdout}")
  endif()
  set(${out} "${lines}" PARENT_SCOPE)
endfunction()

wide_digest("${NATIVE}" native)
wide_digest("${PORTABLE}" portable)
if(NOT native STREQUAL portable)
  message(FATAL_ERROR "the native and portable 128-bit paths differ: ${native} (native), ${portable} (portable)")
endif()
message(STATUS "native and portable agree: ${native}")
