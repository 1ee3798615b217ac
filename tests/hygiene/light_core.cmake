# The light core: the Gaussian value type, the schedules, the kernels and the continuous processes
# compile without the vectorised engine (detail/simd.hpp and <immintrin.h>, about 0.5 s with g++),
# Gaussian::sample(rng) without <diffuse/normal.hpp> stops with a message that names it, and the noise
# contract's element path (noise_element.hpp) includes nothing a device compiler would choke on.
# Run with -DCXX=<compiler> -DINCLUDES=<dir;dir> -DSCRATCH=<dir>.
set(flags -std=c++17)
foreach(dir IN LISTS INCLUDES)
  list(APPEND flags "-I${dir}")
endforeach()
file(MAKE_DIRECTORY "${SCRATCH}")

foreach(header gaussian kernels schedule process continuous time_coordinates sigma_schedules spacing presets draws)
  file(WRITE "${SCRATCH}/${header}.cpp" "#include <diffuse/${header}.hpp>\n")
  execute_process(COMMAND "${CXX}" ${flags} -E "${SCRATCH}/${header}.cpp"
                  RESULT_VARIABLE result OUTPUT_VARIABLE preprocessed ERROR_VARIABLE error)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "<diffuse/${header}.hpp> does not preprocess: ${error}")
  endif()
  foreach(heavy "diffuse/detail/simd.hpp" "diffuse/detail/noise_simd.hpp" "immintrin.h")
    string(FIND "${preprocessed}" "${heavy}" where)
    if(NOT where EQUAL -1)
      message(FATAL_ERROR "<diffuse/${header}.hpp> includes ${heavy}: only batch.hpp, normal.hpp and noise.hpp may")
    endif()
  endforeach()
endforeach()

# The element path (noise_element.hpp) is for device code too: nothing of Eigen, of exceptions or of
# strings may reach it.
file(WRITE "${SCRATCH}/noise_element.cpp" "#include <diffuse/noise_element.hpp>\n")
execute_process(COMMAND "${CXX}" ${flags} -E "${SCRATCH}/noise_element.cpp"
                RESULT_VARIABLE result OUTPUT_VARIABLE preprocessed ERROR_VARIABLE error)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "<diffuse/noise_element.hpp> does not preprocess: ${error}")
endif()
foreach(heavy "Eigen/" "immintrin.h" "arm_neon.h" "stdexcept" "/string\"" "diffuse/detail/error.hpp")
  string(FIND "${preprocessed}" "${heavy}" where)
  if(NOT where EQUAL -1)
    message(FATAL_ERROR "<diffuse/noise_element.hpp> includes ${heavy}: the element path must stay plain enough for device code")
  endif()
endforeach()

file(WRITE "${SCRATCH}/sample_without_normal.cpp" "#include <diffuse/kernels.hpp>
#include <random>
int main() {
  std::mt19937 rng(1);
  const Eigen::VectorXd x0 = Eigen::VectorXd::Ones(3);
  return static_cast<int>(diffuse::marginal(diffuse::Schedule<double>::linear(10), 5, x0).sample(rng)(0));
}
")
execute_process(COMMAND "${CXX}" ${flags} -fsyntax-only "${SCRATCH}/sample_without_normal.cpp"
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE error)
string(FIND "${error}" "#include <diffuse/normal.hpp>" where)
if(result EQUAL 0 OR where EQUAL -1)
  message(FATAL_ERROR "Gaussian::sample(rng) without normal.hpp should fail naming <diffuse/normal.hpp>; got exit ${result}: ${error}")
endif()
