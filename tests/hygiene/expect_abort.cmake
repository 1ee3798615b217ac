# Runs PROGRAM with --break-a-rule and requires a failing exit and EXPECTED in its error output.
execute_process(COMMAND "${PROGRAM}" --break-a-rule RESULT_VARIABLE result ERROR_VARIABLE error OUTPUT_VARIABLE output)
if(result EQUAL 0 OR output MATCHES "not reached")
  message(FATAL_ERROR "expected an abort, got exit ${result}: ${output}")
endif()
string(FIND "${error}" "${EXPECTED}" where)
if(where EQUAL -1)
  message(FATAL_ERROR "expected '${EXPECTED}' on stderr, got: ${error}")
endif()
