# Warning and sanitizer flags shared by every l2node target (STYLE.md §2.14).
add_library(l2_options INTERFACE)
target_compile_options(l2_options INTERFACE
    -Wall -Wextra -Wshadow -Wconversion -Wsign-conversion -Wno-missing-field-initializers)
if(L2_WERROR)
    target_compile_options(l2_options INTERFACE -Werror)
endif()
# GCC 12 at -O3 reports false -Wrestrict positives inside libstdc++'s string appends.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(l2_options INTERFACE -Wno-restrict)
endif()

if(L2_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                        -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
endif()

if(L2_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "L2_FUZZ needs clang (CXX=clang++)")
    endif()
    add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
endif()

# l2_library(name SOURCES...): one library target per top-level folder, `l2_<folder>`.
function(l2_library name)
    add_library(${name} ${ARGN})
    target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} PRIVATE l2_options)
endfunction()

# A placeholder target for a folder whose code has not landed yet.
function(l2_placeholder name)
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR})
endfunction()
