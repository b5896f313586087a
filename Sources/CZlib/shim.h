#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 / deflateInit2 are macros, which Swift cannot call. */
static inline int czlib_inflate_init2(z_stream *s, int window_bits) {
    return inflateInit2(s, window_bits);
}
static inline int czlib_deflate_init2(z_stream *s, int level, int window_bits) {
    return deflateInit2(s, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
}
#endif
