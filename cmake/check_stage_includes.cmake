# Script mode of the include check (cmake/stage_includes.cmake), for its test:
#   cmake -DSTAGE=name -DDIR=path/to/stage -DALLOWED=a,b -P cmake/check_stage_includes.cmake
# Fails with the offending lines when DIR includes a stage not in ALLOWED.
cmake_minimum_required(VERSION 3.25)
include("${CMAKE_CURRENT_LIST_DIR}/stage_includes.cmake")
if(NOT DEFINED STAGE OR NOT DEFINED DIR)
  message(FATAL_ERROR "usage: cmake -DSTAGE=name -DDIR=dir [-DALLOWED=a,b] -P check_stage_includes.cmake")
endif()
string(REPLACE "," ";" allowed "${ALLOWED}")
sniprobe_check_stage_includes("${STAGE}" "${DIR}" "${allowed}" problems)
if(problems)
  list(JOIN problems "\n  " text)
  message(FATAL_ERROR "undeclared include across stages:\n  ${text}")
endif()
message(STATUS "sniprobe_${STAGE}: every include is its own or a dependency's")
