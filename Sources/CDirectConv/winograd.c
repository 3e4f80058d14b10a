#include "winograd.h"
#include <string.h>

// The transforms are additions only; the compiler vectorises their loops over tiles, so one
// body serves every CPU (no AVX2 dispatch as in direct_conv.c). Each is applied to rows first
// (along x, for all the tiles of a tile row at once), then along y.
//
// F(2×2, 3×3): Bᵀ takes (d0 − d2, d1 + d2, d2 − d1, d1 − d3) of four inputs; Aᵀ takes
// (m0 + m1 + m2, m1 − m2 − m3) of four products.
// F(2×2, 2×2): Bᵀ takes (d0 − d1, d1, d2 − d1) of three inputs; Aᵀ takes (m0 + m1, m1 + m2).

// The four input rows 2ty − 1 … 2ty + 2 that tile row ty's patches cover (both forms: F(2×2, 3×3)
// reads all four, each F(2×2, 2×2) phase three of them), each at rows[i] with one zero column
// before and after it (width + 2 floats), rows outside the plane all zeros.
static inline void patch_rows(const float *plane, long height, long width, long ty, float *rows) {
    for (long i = 0; i < 4; i++) {
        float *row = rows + i * (width + 2);
        long y = 2 * ty - 1 + i;
        if (y < 0 || y >= height) {
            memset(row, 0, sizeof(float) * (width + 2));
            continue;
        }
        row[0] = 0;
        memcpy(row + 1, plane + y * width, sizeof(float) * width);
        row[width + 1] = 0;
    }
}

void qlx_winograd3_input(const float *image, long channels, long first, long last, long images,
                         long height, long width, long first_row, long last_row, long channel_stride, float *v) {
    const long tiles_x = width / 2, rows_per_image = last_row - first_row;
    const long tiles = images * rows_per_image * tiles_x;
    float padded[4][width + 2];
    float rows[4][4][tiles_x];   // [patch row][element along x][tx]
    for (long c = first; c < last; c++) {
        for (long n = 0; n < images; n++) {
            const float *src = image + c * channel_stride + n * height * width;
            for (long ty = first_row; ty < last_row; ty++) {
                patch_rows(src, height, width, ty, &padded[0][0]);
                for (long i = 0; i < 4; i++) {
                    for (long tx = 0; tx < tiles_x; tx++) {
                        const float *p = padded[i] + 2 * tx;
                        rows[i][0][tx] = p[0] - p[2];
                        rows[i][1][tx] = p[1] + p[2];
                        rows[i][2][tx] = p[2] - p[1];
                        rows[i][3][tx] = p[1] - p[3];
                    }
                }
                const long t0 = (n * rows_per_image + ty - first_row) * tiles_x;
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
                          long height, long width, long first_row, long last_row, long channel_stride, float *out) {
    const long tiles_x = width / 2, rows_per_image = last_row - first_row;
    const long tiles = images * rows_per_image * tiles_x;
    float columns[2][4][tiles_x];   // [output row][element along x][tx], after the transform along y
    for (long c = first; c < last; c++) {
        for (long n = 0; n < images; n++) {
            float *dst = out + c * channel_stride + n * height * width;
            for (long ty = first_row; ty < last_row; ty++) {
                const long t0 = (n * rows_per_image + ty - first_row) * tiles_x;
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
                         long height, long width, long first_row, long last_row, long channel_stride, float *v,
                         long phase_stride) {
    const long tiles_x = width / 2, rows_per_image = last_row - first_row;
    const long tiles = images * rows_per_image * tiles_x;
    float padded[4][width + 2];
    // [patch row 2ty − 1 + i][phase_x][element along x][tx]: phase_y 0 reads rows 0–2, 1 rows 1–3.
    float rows[4][2][3][tiles_x];
    for (long c = first; c < last; c++) {
        for (long n = 0; n < images; n++) {
            const float *src = image + c * channel_stride + n * height * width;
            for (long ty = first_row; ty < last_row; ty++) {
                patch_rows(src, height, width, ty, &padded[0][0]);
                for (long i = 0; i < 4; i++) {
                    // Columns 2tx − 1 … 2tx + 1 for phase_x 0, 2tx … 2tx + 2 for phase_x 1.
                    // Phase 1's element 0 (p[1] − p[2]) is phase 0's element 2 negated: not made.
                    for (long tx = 0; tx < tiles_x; tx++) {
                        const float *p = padded[i] + 2 * tx;
                        rows[i][0][0][tx] = p[0] - p[1];
                        rows[i][0][1][tx] = p[1];
                        rows[i][0][2][tx] = p[2] - p[1];
                        rows[i][1][1][tx] = p[2];
                        rows[i][1][2][tx] = p[3] - p[2];
                    }
                }
                const long t0 = (n * rows_per_image + ty - first_row) * tiles_x;
                for (long py = 0; py < 2; py++) {
                    for (long px = 0; px < 2; px++) {
                        float *phase = v + (py * 2 + px) * phase_stride;
                        for (long j = px; j < 3; j++) {
                            float *v0 = phase + ((0 * 3 + j) * channels + c) * tiles + t0;
                            float *v1 = phase + ((1 * 3 + j) * channels + c) * tiles + t0;
                            float *v2 = phase + ((2 * 3 + j) * channels + c) * tiles + t0;
                            const float *r0 = rows[py][px][j], *r1 = rows[py + 1][px][j], *r2 = rows[py + 2][px][j];
                            if (py == 0) {
                                for (long tx = 0; tx < tiles_x; tx++) {
                                    v0[tx] = r0[tx] - r1[tx];
                                    v1[tx] = r1[tx];
                                    v2[tx] = r2[tx] - r1[tx];
                                }
                            } else {
                                for (long tx = 0; tx < tiles_x; tx++) {
                                    v1[tx] = r1[tx];
                                    v2[tx] = r2[tx] - r1[tx];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

int qlx_winograd2_shared_element(long task, long *source) {
    long phase = task / 9, a = task % 9 / 3, b = task % 3, py = phase / 2, px = phase % 2;
    int sign = 1;
    if (py == 1 && a == 0) { py = 0; a = 2; sign = -sign; }
    if (px == 1 && b == 0) { px = 0; b = 2; sign = -sign; }
    *source = (py * 2 + px) * 9 + a * 3 + b;
    return sign;
}

void qlx_winograd2_output(const float *m, long out_channels, long first, long last, long images,
                          long height, long width, long first_row, long last_row, long channel_stride, float *out,
                          long phase_stride) {
    const long tiles_x = width / 2, rows_per_image = last_row - first_row;
    const long tiles = images * rows_per_image * tiles_x;
    const long out_width = 2 * width;
    float columns[2][2][3][tiles_x];   // [phase_x][output row][element along x][tx]
    for (long c = first; c < last; c++) {
        for (long n = 0; n < images; n++) {
            float *dst = out + c * channel_stride + n * 4 * height * width;
            for (long ty = first_row; ty < last_row; ty++) {
                const long t0 = (n * rows_per_image + ty - first_row) * tiles_x;
                for (long py = 0; py < 2; py++) {
                    for (long px = 0; px < 2; px++) {
                        const float *phase = m + (py * 2 + px) * phase_stride;
                        for (long j = 0; j < 3; j++) {
                            const float *m0 = phase + ((0 * 3 + j) * out_channels + c) * tiles + t0;
                            const float *m1 = phase + ((1 * 3 + j) * out_channels + c) * tiles + t0;
                            const float *m2 = phase + ((2 * 3 + j) * out_channels + c) * tiles + t0;
                            for (long tx = 0; tx < tiles_x; tx++) {
                                columns[px][0][j][tx] = m0[tx] + m1[tx];
                                columns[px][1][j][tx] = m1[tx] + m2[tx];
                            }
                        }
                    }
                    // Output row 2(2ty + i) + py, columns 4tx + 2j + px: both phases of a row
                    // together, so the row is written in order.
                    for (long i = 0; i < 2; i++) {
                        float *row = dst + (2 * (2 * ty + i) + py) * out_width;
                        const float *a0 = columns[0][i][0], *a1 = columns[0][i][1], *a2 = columns[0][i][2];
                        const float *b0 = columns[1][i][0], *b1 = columns[1][i][1], *b2 = columns[1][i][2];
                        for (long tx = 0; tx < tiles_x; tx++) {
                            row[4 * tx] = a0[tx] + a1[tx];
                            row[4 * tx + 1] = b0[tx] + b1[tx];
                            row[4 * tx + 2] = a1[tx] + a2[tx];
                            row[4 * tx + 3] = b1[tx] + b2[tx];
                        }
                    }
                }
            }
        }
    }
}
