// What `qlx --version` says about how this binary was built.
#ifndef QLX_BUILD_INFO_H
#define QLX_BUILD_INFO_H

/* The release stamp: empty in a source build; in a release, "commit <id>, release build",
   written into the shipped copy by scripts/package. */
const char *qlx_build_stamp(void);

/* The stamp's size in bytes, terminating zero included: what scripts/package writes. */
#define QLX_BUILD_STAMP_SIZE 128

#endif
