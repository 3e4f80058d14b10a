// zlib's deflate and crc32, used for PNG output (Debian: zlib1g-dev).
#include <zlib.h>
