#include "build_info.h"

/* A section of its own, so the release stamp is written into the finished binary
   (objcopy --update-section .qlx_build_stamp=FILE, FILE exactly QLX_BUILD_STAMP_SIZE bytes)
   instead of being compiled in: passing the commit as a compiler define would change every C
   target's flags and rebuild the whole package for each commit. Volatile: the compiler must
   read the bytes at run time, not fold the empty string it sees here. */
__attribute__((section(".qlx_build_stamp"), used))
const volatile char qlx_build_stamp_bytes[QLX_BUILD_STAMP_SIZE] = "";

const char *qlx_build_stamp(void) {
    return (const char *)qlx_build_stamp_bytes;
}
