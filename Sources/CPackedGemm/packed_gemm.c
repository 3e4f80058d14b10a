#include "packed_gemm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// One portable body, compiled twice on x86-64: for AVX2 + FMA (chosen at run time when the CPU
// has them) and for the baseline. 8-float vectors; the compiler lowers them to what the target
// has (one AVX register, or two SSE/NEON ones).
typedef float vec8 __attribute__((vector_size(32), aligned(4)));

enum { MR = QLX_PACKED_GEMM_PANEL_ROWS, NR = 16, KC = 256, NC = 512, MC_PANELS = 16 };

long qlx_packed_gemm_size(long m, long k) { return (m + MR - 1) / MR * MR * k; }

void qlx_packed_gemm_pack(const float *a, long row_stride, long column_stride, long m, long k,
                          float *packed) {
    for (long panel = 0; panel < (m + MR - 1) / MR; panel++) {
        float *out = packed + panel * MR * k;
        for (long l = 0; l < k; l++) {
            for (long r = 0; r < MR; r++) {
                long i = panel * MR + r;
                out[l * MR + r] = i < m ? a[i * row_stride + l * column_stride] : 0.0f;
            }
        }
    }
}

#define SPLAT(x) ((vec8){(x), (x), (x), (x), (x), (x), (x), (x)})

// A 6×16 block of C over kc steps: a holds 6 floats per step, b 16 (packed). Results go to
// `tile` (row stride NR) when the block is partial, else straight to c; `accumulate` adds to
// what is there (every K block after the first).
static inline __attribute__((always_inline)) void kernel_6x16(const float *a, const float *b, long kc,
                                                               float *c, long ldc, int accumulate) {
    vec8 c00 = {0}, c01 = {0}, c10 = {0}, c11 = {0}, c20 = {0}, c21 = {0};
    vec8 c30 = {0}, c31 = {0}, c40 = {0}, c41 = {0}, c50 = {0}, c51 = {0};
    for (long l = 0; l < kc; l++) {
        vec8 b0 = *(const vec8 *)(b), b1 = *(const vec8 *)(b + 8);
        vec8 a0 = SPLAT(a[0]), a1 = SPLAT(a[1]), a2 = SPLAT(a[2]);
        c00 += a0 * b0; c01 += a0 * b1;
        c10 += a1 * b0; c11 += a1 * b1;
        c20 += a2 * b0; c21 += a2 * b1;
        vec8 a3 = SPLAT(a[3]), a4 = SPLAT(a[4]), a5 = SPLAT(a[5]);
        c30 += a3 * b0; c31 += a3 * b1;
        c40 += a4 * b0; c41 += a4 * b1;
        c50 += a5 * b0; c51 += a5 * b1;
        a += MR;
        b += NR;
    }
    vec8 *row;
#define QLX_STORE(r, lo, hi)                                         \
    row = (vec8 *)(c + (r) * ldc);                                   \
    if (accumulate) { row[0] += lo; *(vec8 *)(c + (r) * ldc + 8) += hi; } \
    else { row[0] = lo; *(vec8 *)(c + (r) * ldc + 8) = hi; }
    QLX_STORE(0, c00, c01) QLX_STORE(1, c10, c11) QLX_STORE(2, c20, c21)
    QLX_STORE(3, c30, c31) QLX_STORE(4, c40, c41) QLX_STORE(5, c50, c51)
#undef QLX_STORE
}

// Packs B's k0..<k0+kc × j0..<j0+nc block into 16-column panels (kc × 16 each, zero-padded
// past n), reading B row by row.
static inline __attribute__((always_inline)) void pack_b(const float *b, long ldb, long k0, long kc, long j0,
                                                          long nc, float *out) {
    for (long l = 0; l < kc; l++) {
        const float *src = b + (k0 + l) * ldb + j0;
        for (long jp = 0; jp < nc; jp += NR) {
            float *dst = out + jp * kc + l * NR;
            long cols = nc - jp < NR ? nc - jp : NR;
            if (cols == NR) {
                memcpy(dst, src + jp, NR * sizeof(float));
            } else {
                memcpy(dst, src + jp, (size_t)cols * sizeof(float));
                memset(dst + cols, 0, (size_t)(NR - cols) * sizeof(float));
            }
        }
    }
}

// Loop order (Goto's): columns of C in blocks of NC, K in blocks of KC (B's block packed once,
// L2-sized), rows of C in blocks of MC panels, then each 16-column panel of B (L1-resident)
// against each row panel of A.
static inline __attribute__((always_inline)) void run(const float *packed, long m, long k, long first_panel,
                                                       long end_panel, const float *b, long ldb, long n,
                                                       float *c, long ldc, float *bpack) {
    float tile[MR * NR] __attribute__((aligned(32)));
    for (long j0 = 0; j0 < n; j0 += NC) {
        long nc = n - j0 < NC ? n - j0 : NC;
        for (long k0 = 0; k0 < k; k0 += KC) {
            long kc = k - k0 < KC ? k - k0 : KC;
            pack_b(b, ldb, k0, kc, j0, nc, bpack);
            for (long p0 = first_panel; p0 < end_panel; p0 += MC_PANELS) {
                long p1 = p0 + MC_PANELS < end_panel ? p0 + MC_PANELS : end_panel;
                for (long jp = 0; jp < nc; jp += NR) {
                    long cols = nc - jp < NR ? nc - jp : NR;
                    const float *bp = bpack + jp * kc;
                    for (long panel = p0; panel < p1; panel++) {
                        const float *a = packed + panel * MR * k + k0 * MR;
                        long rows = m - panel * MR < MR ? m - panel * MR : MR;
                        float *out = c + panel * MR * ldc + j0 + jp;
                        if (rows == MR && cols == NR) {
                            kernel_6x16(a, bp, kc, out, ldc, k0 > 0);
                            continue;
                        }
                        kernel_6x16(a, bp, kc, tile, NR, 0);
                        for (long r = 0; r < rows; r++) {
                            for (long j = 0; j < cols; j++) {
                                if (k0 > 0) out[r * ldc + j] += tile[r * NR + j];
                                else out[r * ldc + j] = tile[r * NR + j];
                            }
                        }
                    }
                }
            }
        }
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void run_avx2(const float *packed, long m, long k, long first_panel,
                                                          long end_panel, const float *b, long ldb, long n,
                                                          float *c, long ldc, float *bpack) {
    run(packed, m, k, first_panel, end_panel, b, ldb, n, c, ldc, bpack);
}
#endif

static void run_baseline(const float *packed, long m, long k, long first_panel, long end_panel,
                         const float *b, long ldb, long n, float *c, long ldc, float *bpack) {
    run(packed, m, k, first_panel, end_panel, b, ldb, n, c, ldc, bpack);
}

#if defined(__x86_64__)
static int has_avx2 = -1;   // -1 until the first call looks (a benign race: every thread finds the same)
#endif

void qlx_packed_gemm_use_baseline(int baseline) {
#if defined(__x86_64__)
    __atomic_store_n(&has_avx2, baseline ? 0 : -1, __ATOMIC_RELAXED);
#else
    (void)baseline;
#endif
}

void qlx_packed_gemm_run(const float *packed, long m, long k, long first_panel, long end_panel,
                         const float *b, long ldb, long n, float *c, long ldc) {
    if (first_panel >= end_panel || n <= 0) return;
    if (k <= 0) {
        long last = end_panel * MR < m ? end_panel * MR : m;
        for (long i = first_panel * MR; i < last; i++) memset(c + i * ldc, 0, (size_t)n * sizeof(float));
        return;
    }
    // B's packed block: KC rows of up to NC columns, rounded up to whole 16-column panels.
    long widest = (n < NC ? n : NC) + NR - 1;
    float *bpack = aligned_alloc(64, (size_t)KC * (size_t)(widest / NR * NR) * sizeof(float));
    if (!bpack) {
        // At most a few MB (KC × NC floats); failing here means the process is out of memory,
        // as Swift's own allocations would trap: say so instead of dereferencing null.
        fputs("qlx: out of memory for a packed matrix product's buffer\n", stderr);
        abort();
    }
#if defined(__x86_64__)
    int found = __atomic_load_n(&has_avx2, __ATOMIC_RELAXED);
    if (found < 0) {
        __builtin_cpu_init();
        found = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        __atomic_store_n(&has_avx2, found, __ATOMIC_RELAXED);
    }
    if (found) {
        run_avx2(packed, m, k, first_panel, end_panel, b, ldb, n, c, ldc, bpack);
    } else
#endif
        run_baseline(packed, m, k, first_panel, end_panel, b, ldb, n, c, ldc, bpack);
    free(bpack);
}
