#include "winograd.h"
#include <string.h>

// Both transforms are additions only; the compiler vectorises their loops over tiles, so one
// body serves every CPU (no AVX2 dispatch needed as in direct_conv.c).
//
// With d a 4×4 input patch, the input transform is Bᵀ d B, where Bᵀ's rows take
// (d0 − d2, d1 + d2, d2 − d1, d1 − d3) of a column of four; the output transform is Aᵀ m A,
// whose rows take (m0 + m1 + m2, m1 − m2 − m3).

void qlx_winograd_input(const float *image, long channels, long first, long last, long images,
                        long height, long width, long channel_stride, float *v) {
    const long tiles_y = height / 2, tiles_x = width / 2;
    const long tiles = images * tiles_y * tiles_x;
    const long plane = height * width;
    float padded[width + 2];
    float rows[4][4][tiles_x];   // [patch row][column transform element][tx]
    padded[0] = 0;
    padded[width + 1] = 0;
    for (long c = first; c < last; c++) {
        for (long n = 0; n < images; n++) {
            const float *src = image + c * channel_stride + n * plane;
            for (long ty = 0; ty < tiles_y; ty++) {
                // The patch's four rows 2ty − 1 … 2ty + 2, each transformed along its columns.
                for (long i = 0; i < 4; i++) {
                    long y = 2 * ty - 1 + i;
                    if (y < 0 || y >= height) {
                        for (long j = 0; j < 4; j++) memset(rows[i][j], 0, sizeof(float) * tiles_x);
                        continue;
                    }
                    memcpy(padded + 1, src + y * width, sizeof(float) * width);
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

void qlx_winograd_output(const float *m, long out_channels, long first, long last, long images,
                         long height, long width, float *out) {
    const long tiles_y = height / 2, tiles_x = width / 2;
    const long tiles = images * tiles_y * tiles_x;
    float columns[2][4][tiles_x];   // [output row][element column][tx], after the row transform
    for (long c = first; c < last; c++) {
        for (long n = 0; n < images; n++) {
            float *dst = out + (c * images + n) * height * width;
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
