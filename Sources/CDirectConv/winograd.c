#include "winograd.h"
#include <string.h>

// The transforms are additions only; the compiler vectorises their loops over tiles, so one
// body serves every CPU (no AVX2 dispatch as in direct_conv.c). Each is applied to rows first
// (along x, for all the tiles of a tile row at once), then along y.
//
// F(2×2, 3×3): Bᵀ takes (d0 − d2, d1 + d2, d2 − d1, d1 − d3) of four inputs; Aᵀ takes
// (m0 + m1 + m2, m1 − m2 − m3) of four products.
// F(2×2, 2×2): Bᵀ takes (d0 − d1, d1, d2 − d1) of three inputs; Aᵀ takes (m0 + m1, m1 + m2).

// Row y of a plane into padded[1 …], zeros at padded[0] and past the row (pad ≥ 1 floats).
static inline void padded_row(const float *plane, long height, long width, long y, float *padded, long pad) {
    if (y < 0 || y >= height) {
        memset(padded, 0, sizeof(float) * (width + 1 + pad));
        return;
    }
    padded[0] = 0;
    memcpy(padded + 1, plane + y * width, sizeof(float) * width);
    memset(padded + 1 + width, 0, sizeof(float) * pad);
}

void qlx_winograd3_input(const float *image, long channels, long first, long last, long images,
                         long height, long width, long channel_stride, float *v) {
    const long tiles_y = height / 2, tiles_x = width / 2;
    const long tiles = images * tiles_y * tiles_x;
    float padded[width + 2];
    float rows[4][4][tiles_x];   // [patch row][element along x][tx]
    for (long c = first; c < last; c++) {
        for (long n = 0; n < images; n++) {
            const float *src = image + c * channel_stride + n * height * width;
            for (long ty = 0; ty < tiles_y; ty++) {
                for (long i = 0; i < 4; i++) {
                    padded_row(src, height, width, 2 * ty - 1 + i, padded, 1);
                    for (long tx = 0; tx < tiles_x; tx++) {
                        const float *p = padded + 2 * tx;
                        rows[i][0][tx] = p[0] - p[2];
                        rows[i][1][tx] = p[1] + p[2];
                        rows[i][2][tx] = p[2] - p[1];
                        rows[i][3][tx] = p[1] - p[3];
                    }
                }
                const long t0 = (n * tiles_y + ty) * tiles_x;
                for (long j = 0; j < 4; j++) {
                    float *v0 = v + ((0 * 4 + j) * channels + c) * tiles + t0;
                    float *v1 = v + ((1 * 4 + j) * channels + c) * tiles + t0;
                    float *v2 = v + ((2 * 4 + j) * channels + c) * tiles + t0;
                    float *v3 = v + ((3 * 4 + j) * channels + c) * tiles + t0;
                    const float *r0 = rows[0][j], *r1 = rows[1][j], *r2 = rows[2][j], *r3 = rows[3][j];
                    for (long tx = 0; tx < tiles_x; tx++) {
                        v0[tx] = r0[tx] - r2[tx];
                        v1[tx] = r1[tx] + r2[tx];
                        v2[tx] = r2[tx] - r1[tx];
                        v3[tx] = r1[tx] - r3[tx];
                    }
                }
            }
        }
    }
}

void qlx_winograd3_output(const float *m, long out_channels, long first, long last, long images,
                          long height, long width, long channel_stride, float *out) {
    const long tiles_y = height / 2, tiles_x = width / 2;
    const long tiles = images * tiles_y * tiles_x;
    float columns[2][4][tiles_x];   // [output row][element along x][tx], after the transform along y
    for (long c = first; c < last; c++) {
        for (long n = 0; n < images; n++) {
            float *dst = out + c * channel_stride + n * height * width;
            for (long ty = 0; ty < tiles_y; ty++) {
                const long t0 = (n * tiles_y + ty) * tiles_x;
                for (long j = 0; j < 4; j++) {
                    const float *m0 = m + ((0 * 4 + j) * out_channels + c) * tiles + t0;
                    const float *m1 = m + ((1 * 4 + j) * out_channels + c) * tiles + t0;
                    const float *m2 = m + ((2 * 4 + j) * out_channels + c) * tiles + t0;
                    const float *m3 = m + ((3 * 4 + j) * out_channels + c) * tiles + t0;
                    for (long tx = 0; tx < tiles_x; tx++) {
                        columns[0][j][tx] = m0[tx] + m1[tx] + m2[tx];
                        columns[1][j][tx] = m1[tx] - m2[tx] - m3[tx];
                    }
                }
                for (long i = 0; i < 2; i++) {
                    float *row = dst + (2 * ty + i) * width;
                    const float *s0 = columns[i][0], *s1 = columns[i][1], *s2 = columns[i][2], *s3 = columns[i][3];
                    for (long tx = 0; tx < tiles_x; tx++) {
                        row[2 * tx] = s0[tx] + s1[tx] + s2[tx];
                        row[2 * tx + 1] = s1[tx] - s2[tx] - s3[tx];
                    }
                }
            }
        }
    }
}

void qlx_winograd2_input(const float *image, long channels, long first, long last, long images,
                         long height, long width, long channel_stride, long row_offset,
                         long column_offset, float *v) {
    const long tiles_y = height / 2, tiles_x = width / 2;
    const long tiles = images * tiles_y * tiles_x;
    float padded[width + 3];
    float rows[3][3][tiles_x];   // [patch row][element along x][tx]
    for (long c = first; c < last; c++) {
        for (long n = 0; n < images; n++) {
            const float *src = image + c * channel_stride + n * height * width;
            for (long ty = 0; ty < tiles_y; ty++) {
                for (long i = 0; i < 3; i++) {
                    padded_row(src, height, width, 2 * ty + row_offset + i, padded, 2);
                    for (long tx = 0; tx < tiles_x; tx++) {
                        const float *p = padded + 1 + 2 * tx + column_offset;
                        rows[i][0][tx] = p[0] - p[1];
                        rows[i][1][tx] = p[1];
                        rows[i][2][tx] = p[2] - p[1];
                    }
                }
                const long t0 = (n * tiles_y + ty) * tiles_x;
                for (long j = 0; j < 3; j++) {
                    float *v0 = v + ((0 * 3 + j) * channels + c) * tiles + t0;
                    float *v1 = v + ((1 * 3 + j) * channels + c) * tiles + t0;
                    float *v2 = v + ((2 * 3 + j) * channels + c) * tiles + t0;
                    const float *r0 = rows[0][j], *r1 = rows[1][j], *r2 = rows[2][j];
                    for (long tx = 0; tx < tiles_x; tx++) {
                        v0[tx] = r0[tx] - r1[tx];
                        v1[tx] = r1[tx];
                        v2[tx] = r2[tx] - r1[tx];
                    }
                }
            }
        }
    }
}

void qlx_winograd2_output(const float *m, long out_channels, long first, long last, long images,
                          long height, long width, long phase_y, long phase_x, long channel_stride,
                          float *out) {
    const long tiles_y = height / 2, tiles_x = width / 2;
    const long tiles = images * tiles_y * tiles_x;
    const long out_width = 2 * width;
    float columns[2][3][tiles_x];
    for (long c = first; c < last; c++) {
        for (long n = 0; n < images; n++) {
            float *dst = out + c * channel_stride + n * 4 * height * width;
            for (long ty = 0; ty < tiles_y; ty++) {
                const long t0 = (n * tiles_y + ty) * tiles_x;
                for (long j = 0; j < 3; j++) {
                    const float *m0 = m + ((0 * 3 + j) * out_channels + c) * tiles + t0;
                    const float *m1 = m + ((1 * 3 + j) * out_channels + c) * tiles + t0;
                    const float *m2 = m + ((2 * 3 + j) * out_channels + c) * tiles + t0;
                    for (long tx = 0; tx < tiles_x; tx++) {
                        columns[0][j][tx] = m0[tx] + m1[tx];
                        columns[1][j][tx] = m1[tx] + m2[tx];
                    }
                }
                for (long i = 0; i < 2; i++) {
                    float *row = dst + (2 * (2 * ty + i) + phase_y) * out_width + phase_x;
                    const float *s0 = columns[i][0], *s1 = columns[i][1], *s2 = columns[i][2];
                    for (long tx = 0; tx < tiles_x; tx++) {
                        row[4 * tx] = s0[tx] + s1[tx];
                        row[4 * tx + 2] = s1[tx] + s2[tx];
                    }
                }
            }
        }
    }
}
