// giflib's encoder, used for animated GIF output (Debian: libgif-dev).
#include <gif_lib.h>
