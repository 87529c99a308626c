# sniprobe_module(NAME DEPS ...): a static library from every .cpp in src/NAME/.
# A stage with no .cpp yet is an INTERFACE library, so headers-only stages link too.
# Sources are globbed (CONFIGURE_DEPENDS) so adding a file needs no CMake edit.
#
# A stage exposes only its own headers: its include directory (in the build tree) holds
# one link, NAME -> src/NAME, so `#include "NAME/x.hpp"` resolves and another stage's
# header resolves only through a library linked as a dependency. At configure time every
# `#include "X/..."` in src/NAME/ is checked against the stage's declared dependencies
# (transitively): an undeclared one fails the configure with the file and the line.
include("${CMAKE_CURRENT_LIST_DIR}/stage_includes.cmake")

# sniprobe_stage_closure(OUT stages...): the stages and everything they depend on.
function(sniprobe_stage_closure out)
  set(result "")
  set(todo ${ARGN})
  while(todo)
    list(POP_FRONT todo stage)
    if(stage IN_LIST result)
      continue()
    endif()
    list(APPEND result "${stage}")
    get_property(deps GLOBAL PROPERTY SNIPROBE_STAGE_DEPS_${stage})
    list(APPEND todo ${deps})
  endwhile()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

function(sniprobe_module name)
  cmake_parse_arguments(M "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/src/${name}/*.cpp")
  set(target sniprobe_${name})

  # The stages among the dependencies, recorded for the stages that depend on this one.
  set(stage_deps "")
  foreach(dep ${M_DEPS})
    if(dep MATCHES "^sniprobe_(.+)$")
      if(NOT TARGET ${dep})
        message(FATAL_ERROR "${target}: dependency ${dep} must be declared before it")
      endif()
      list(APPEND stage_deps "${CMAKE_MATCH_1}")
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY SNIPROBE_STAGE_DEPS_${name} "${stage_deps}")
  sniprobe_stage_closure(allowed ${stage_deps})
  sniprobe_check_stage_includes("${name}" "${PROJECT_SOURCE_DIR}/src/${name}" "${allowed}" problems)
  if(problems)
    list(JOIN problems "\n  " text)
    message(FATAL_ERROR "undeclared include across stages (declare the dependency in src/CMakeLists.txt):\n  ${text}")
  endif()

  set(include_dir "${PROJECT_BINARY_DIR}/stage_include/${name}")
  if(NOT IS_SYMLINK "${include_dir}/${name}")
    file(MAKE_DIRECTORY "${include_dir}")
    file(CREATE_LINK "${PROJECT_SOURCE_DIR}/src/${name}" "${include_dir}/${name}" SYMBOLIC)
  endif()
  if(srcs)
    add_library(${target} STATIC ${srcs})
    target_include_directories(${target} PUBLIC "${include_dir}")
    if(M_DEPS)
      target_link_libraries(${target} PUBLIC ${M_DEPS})
    endif()
    target_compile_options(${target} PRIVATE ${SNIPROBE_WARNINGS})
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE "${include_dir}")
    if(M_DEPS)
      target_link_libraries(${target} INTERFACE ${M_DEPS})
    endif()
  endif()
endfunction()

# sniprobe_link_included_stages(TARGET files...): links TARGET (privately) with the stage
# library of every stage the files include, for tests and fuzz targets.
function(sniprobe_link_included_stages target)
  sniprobe_included_stages(stages ${ARGN})
  foreach(stage ${stages})
    if(stage STREQUAL "support")
      continue()  # tests/unit/support/: the tests' own library, linked by tests/CMakeLists.txt
    endif()
    if(NOT TARGET sniprobe_${stage})
      message(FATAL_ERROR "${target} includes \"${stage}/...\" but there is no stage ${stage}")
    endif()
    target_link_libraries(${target} PRIVATE sniprobe_${stage})
  endforeach()
endfunction()
