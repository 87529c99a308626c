# Test of the configure-time include check (cmake/stage_includes.cmake), run with
#   cmake -DSOURCE_DIR=<repo> -P tests/cmake/include_check_test.cmake
# against the fixture stage tests/cmake/include_check/bad/, which includes its own header,
# model/ and scan/. Allowed only model, the check must fail and name the scan/ line; allowed
# model and scan, it must pass.
cmake_minimum_required(VERSION 3.25)
set(script "${SOURCE_DIR}/cmake/check_stage_includes.cmake")
set(fixture "${SOURCE_DIR}/tests/cmake/include_check/bad")

execute_process(COMMAND "${CMAKE_COMMAND}" -DSTAGE=bad "-DDIR=${fixture}" -DALLOWED=model -P "${script}"
                RESULT_VARIABLE refused_rc OUTPUT_VARIABLE refused_out ERROR_VARIABLE refused_err)
set(expected "bad/bad.cpp: includes \"scan/scanner.hpp\" but sniprobe_bad does not depend on sniprobe_scan")
if(refused_rc EQUAL 0)
  message(FATAL_ERROR "an undeclared include was accepted:\n${refused_out}${refused_err}")
endif()
string(FIND "${refused_err}" "${expected}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "the refusal does not name the offending line:\n${refused_err}")
endif()
string(FIND "${refused_err}" "model/trial.hpp" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "a declared include was reported:\n${refused_err}")
endif()

execute_process(COMMAND "${CMAKE_COMMAND}" -DSTAGE=bad "-DDIR=${fixture}" -DALLOWED=model,scan -P "${script}"
                RESULT_VARIABLE accepted_rc OUTPUT_VARIABLE accepted_out ERROR_VARIABLE accepted_err)
if(NOT accepted_rc EQUAL 0)
  message(FATAL_ERROR "declared includes were refused:\n${accepted_out}${accepted_err}")
endif()
message(STATUS "include check: refuses the undeclared include, accepts the declared ones")
