# Embeds text files into C++ so the binary reads nothing from the source tree at run time.
#
# tb_embed_files(OUT <cpp> FUNCTION <qualified::name> FILES <f>...)
#   generates `std::vector<tb::EmbeddedFile> name()` with each file's base name and text.
function(tb_embed_files)
  cmake_parse_arguments(E "" "OUT;FUNCTION" "FILES" ${ARGN})
  add_custom_command(
    OUTPUT ${E_OUT}
    COMMAND ${CMAKE_COMMAND} -DOUT=${E_OUT} -DFUNCTION=${E_FUNCTION} "-DFILES=${E_FILES}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_run.cmake
    DEPENDS ${E_FILES} ${PROJECT_SOURCE_DIR}/cmake/embed_run.cmake
    COMMENT "Embedding ${E_FUNCTION}"
    VERBATIM)
endfunction()
