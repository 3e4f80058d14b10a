// libsixel (Debian: libsixel-dev), for sixel images in terminals that have them (xterm -ti
// vt340, foot, WezTerm, mlterm). The encoder's output arrives through a write callback; the
// helpers below collect it in one growing buffer so Swift needs no C function pointer.
#ifndef QLX_CSIXEL_SHIM_H
#define QLX_CSIXEL_SHIM_H
#include <stdlib.h>
#include <string.h>
#include <sixel.h>

typedef struct { char *data; int size; int capacity; int failed; } qlx_sixel_buffer;

static int qlx_sixel_append(char *data, int size, void *priv) {
    qlx_sixel_buffer *buffer = (qlx_sixel_buffer *)priv;
    if (buffer->failed) return -1;
    if (buffer->size + size > buffer->capacity) {
        int capacity = buffer->capacity ? buffer->capacity : 4096;
        while (capacity < buffer->size + size) capacity *= 2;
        char *grown = (char *)realloc(buffer->data, (size_t)capacity);
        if (!grown) { buffer->failed = 1; return -1; }
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->size, data, (size_t)size);
    buffer->size += size;
    return 0;
}

/* The output (appending to `out`) and the dither of `ncolors` entries that both encoders start
   from; on failure nothing is left allocated. */
static inline SIXELSTATUS qlx_sixel_begin(qlx_sixel_buffer *out, int ncolors,
                                          sixel_output_t **output, sixel_dither_t **dither) {
    SIXELSTATUS status = sixel_output_new(output, qlx_sixel_append, out, NULL);
    if (SIXEL_FAILED(status)) return status;
    status = sixel_dither_new(dither, ncolors, NULL);
    if (SIXEL_FAILED(status)) { sixel_output_unref(*output); *output = NULL; }
    return status;
}

/* Encodes width x height RGB888 pixels as one DCS sixel sequence into `out` (free out->data
   with free()). With `palette` (ncolors RGB888 entries) every pixel takes its nearest entry
   without diffusion, so an image whose colours are all in the palette comes back exactly;
   without one, libsixel chooses up to `ncolors` colours (median cut) and diffuses the error.
   Returns libsixel's status (SIXEL_OK is 0). */
static inline int qlx_sixel_encode_rgb(unsigned char *pixels, int width, int height,
                                       unsigned char *palette, int ncolors, qlx_sixel_buffer *out) {
    sixel_output_t *output = NULL;
    sixel_dither_t *dither = NULL;
    SIXELSTATUS status = qlx_sixel_begin(out, ncolors, &output, &dither);
    if (SIXEL_FAILED(status)) return (int)status;
    if (palette) {
        sixel_dither_set_palette(dither, palette);
        sixel_dither_set_diffusion_type(dither, SIXEL_DIFFUSE_NONE);
    } else {
        status = sixel_dither_initialize(dither, pixels, width, height, SIXEL_PIXELFORMAT_RGB888,
                                         SIXEL_LARGE_AUTO, SIXEL_REP_AUTO, SIXEL_QUALITY_AUTO);
        if (SIXEL_FAILED(status)) { sixel_dither_unref(dither); sixel_output_unref(output); return (int)status; }
    }
    sixel_dither_set_pixelformat(dither, SIXEL_PIXELFORMAT_RGB888);
    status = sixel_encode(pixels, width, height, 8, dither, output);
    sixel_dither_unref(dither);
    sixel_output_unref(output);
    if (out->failed) return -1;
    return (int)status;
}

/* Chooses up to `ncolors` colours for width x height RGB888 pixels (libsixel's median cut)
   into `palette` (3 * ncolors bytes); returns how many it chose, or a negative status.
   `high`: libsixel's high-quality histogram (every shade counts; slower), else its fast one. */
static inline int qlx_sixel_palette(unsigned char *pixels, int width, int height, int ncolors,
                                    unsigned char *palette, int high) {
    sixel_dither_t *dither = NULL;
    SIXELSTATUS status = sixel_dither_new(&dither, ncolors, NULL);
    if (SIXEL_FAILED(status)) return -1;
    status = sixel_dither_initialize(dither, pixels, width, height, SIXEL_PIXELFORMAT_RGB888,
                                     SIXEL_LARGE_AUTO, SIXEL_REP_AUTO, high ? SIXEL_QUALITY_HIGH : SIXEL_QUALITY_AUTO);
    if (SIXEL_FAILED(status)) { sixel_dither_unref(dither); return -1; }
    int chosen = sixel_dither_get_num_of_palette_colors(dither);
    if (chosen > ncolors) chosen = ncolors;
    memcpy(palette, sixel_dither_get_palette(dither), (size_t)chosen * 3);
    sixel_dither_unref(dither);
    return chosen;
}

/* Each of `count` RGB888 pixels as the index of its nearest `palette` entry (squared distance). */
static inline void qlx_sixel_nearest(const unsigned char *pixels, int count, const unsigned char *palette,
                                     int ncolors, unsigned char *indices) {
    for (int i = 0; i < count; i++) {
        const unsigned char *p = pixels + 3 * i;
        int best = 0, bestDistance = 1 << 30;
        for (int k = 0; k < ncolors && bestDistance > 0; k++) {
            int dr = p[0] - palette[3 * k], dg = p[1] - palette[3 * k + 1], db = p[2] - palette[3 * k + 2];
            int d = dr * dr + dg * dg + db * db;
            if (d < bestDistance) { bestDistance = d; best = k; }
        }
        indices[i] = (unsigned char)best;
    }
}

/* Encodes width x height palette indices (one byte each; `palette` has ncolors RGB888 entries)
   as one DCS sixel sequence into `out`: no quantising left for libsixel to do. */
static inline int qlx_sixel_encode_indexed(unsigned char *indices, int width, int height,
                                           unsigned char *palette, int ncolors, qlx_sixel_buffer *out) {
    sixel_output_t *output = NULL;
    sixel_dither_t *dither = NULL;
    SIXELSTATUS status = qlx_sixel_begin(out, ncolors, &output, &dither);
    if (SIXEL_FAILED(status)) return (int)status;
    sixel_dither_set_palette(dither, palette);
    sixel_dither_set_pixelformat(dither, SIXEL_PIXELFORMAT_PAL8);
    status = sixel_encode(indices, width, height, 8, dither, output);
    sixel_dither_unref(dither);
    sixel_output_unref(output);
    if (out->failed) return -1;
    return (int)status;
}

/* Decodes one sixel sequence to indexed pixels and an RGB palette (3 bytes per entry); the
   tests check the encoder with it. Free *pixels and *palette with free(). */
static inline int qlx_sixel_decode(unsigned char *bytes, int size, unsigned char **pixels, int *width,
                                   int *height, unsigned char **palette, int *ncolors) {
    return (int)sixel_decode_raw(bytes, size, pixels, width, height, palette, ncolors, NULL);
}
#endif
