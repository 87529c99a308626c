# Which stages a set of files includes, and the check that a stage includes only the
# headers of stages it depends on. Plain functions with no targets, so the check also
# runs in script mode (cmake -P cmake/check_stage_includes.cmake), which its test uses.

# sniprobe_included_stages(OUT files...): the sorted stage names X of every
# `#include "X/..."` line in the files.
function(sniprobe_included_stages out)
  set(stages "")
  foreach(file ${ARGN})
    file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"[A-Za-z0-9_]+/")
    foreach(line ${lines})
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([A-Za-z0-9_]+)/.*" "\\1" stage "${line}")
      list(APPEND stages "${stage}")
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES stages)
  list(SORT stages)
  set(${out} "${stages}" PARENT_SCOPE)
endfunction()

# sniprobe_check_stage_includes(STAGE DIR ALLOWED OUT): every `#include "X/..."` in DIR's
# .cpp/.hpp files where X is neither STAGE nor in the list ALLOWED, one
# "file: includes \"X/...\"" entry per offending line, in OUT (empty when all is well).
function(sniprobe_check_stage_includes stage dir allowed out)
  file(GLOB_RECURSE files "${dir}/*.cpp" "${dir}/*.hpp")
  list(SORT files)
  set(problems "")
  foreach(file ${files})
    file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"[A-Za-z0-9_]+/")
    foreach(line ${lines})
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([A-Za-z0-9_]+)/([^\"]*)\".*" "\\1;\\2" parts "${line}")
      list(GET parts 0 included)
      list(GET parts 1 header)
      if(included STREQUAL stage OR included IN_LIST allowed)
        continue()
      endif()
      file(RELATIVE_PATH shown "${dir}/.." "${file}")
      list(APPEND problems "${shown}: includes \"${included}/${header}\" but sniprobe_${stage} does not depend on sniprobe_${included}")
    endforeach()
  endforeach()
  set(${out} "${problems}" PARENT_SCOPE)
endfunction()
