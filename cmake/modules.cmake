# sniprobe_module(NAME DEPS ...): a static library from every .cpp in src/NAME/.
# A stage with no .cpp yet is an INTERFACE library, so headers-only stages link too.
# Sources are globbed (CONFIGURE_DEPENDS) so adding a file needs no CMake edit.
function(sniprobe_module name)
  cmake_parse_arguments(M "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/src/${name}/*.cpp")
  set(target sniprobe_${name})
  if(srcs)
    add_library(${target} STATIC ${srcs})
    target_include_directories(${target} PUBLIC "${PROJECT_SOURCE_DIR}/src")
    target_link_libraries(${target} PUBLIC ${M_DEPS})
    target_compile_options(${target} PRIVATE ${SNIPROBE_WARNINGS})
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE "${PROJECT_SOURCE_DIR}/src")
    target_link_libraries(${target} INTERFACE ${M_DEPS})
  endif()
endfunction()
