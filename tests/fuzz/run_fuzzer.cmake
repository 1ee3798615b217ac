# Runs one fuzz target for SECONDS from an empty scratch corpus plus the committed seed corpus
# CORPUS; new inputs and any crash go under SCRATCH (the build tree), never into the repository.
# cmake -DFUZZER=<program> -DCORPUS=<seed dir> -DSCRATCH=<dir> -DSECONDS=<n> -P run_fuzzer.cmake
file(REMOVE_RECURSE "${SCRATCH}")
file(MAKE_DIRECTORY "${SCRATCH}/corpus" "${SCRATCH}/artifacts")
execute_process(
  COMMAND "${FUZZER}" -max_total_time=${SECONDS} -seed=1 -timeout=10 -rss_limit_mb=2048
          -print_final_stats=1 "-artifact_prefix=${SCRATCH}/artifacts/" "${SCRATCH}/corpus" "${CORPUS}"
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  file(GLOB found "${SCRATCH}/artifacts/*")
  message(FATAL_ERROR "${FUZZER} failed (${result}); the input: ${found}; reproduce with: ${FUZZER} <that file>")
endif()
