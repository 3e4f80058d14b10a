#include "direct_conv.h"

// One portable body, compiled for AVX2 + FMA (picked at run time when the CPU has them) and
// for the baseline, as in packed_gemm.c.
typedef float vec8 __attribute__((vector_size(32), aligned(4)));
#define SPLAT(x) ((vec8){(x), (x), (x), (x), (x), (x), (x), (x)})

// `lanes` vectors of one output row from column ox on: 8 independent accumulators at the
// widest, so the multiply-adds' latency overlaps.
static inline __attribute__((always_inline)) void row_block(const float *padded, long channels, long plane_stride,
                                                            long k, long pw, const float *weights, float *out,
                                                            const int lanes) {
    vec8 acc[8] = {{0}};
    for (long c = 0; c < channels; c++) {
        for (long kh = 0; kh < k; kh++) {
            const float *row = padded + c * plane_stride + kh * pw;
            const float *w = weights + (c * k + kh) * k;
            for (long kw = 0; kw < k; kw++) {
                vec8 v = SPLAT(w[kw]);
                for (int j = 0; j < lanes; j++) acc[j] += v * *(const vec8 *)(row + kw + 8 * j);
            }
        }
    }
    for (int j = 0; j < lanes; j++) *(vec8 *)(out + 8 * j) = acc[j];
}

static inline __attribute__((always_inline)) void plane(const float *padded, long channels, long plane_stride,
                                                        long k, long ho, long wo, const float *weights, float *out) {
    long pw = wo + k - 1;
    for (long oy = 0; oy < ho; oy++) {
        const float *base = padded + oy * pw;
        float *o = out + oy * wo;
        long ox = 0;
        for (; ox + 64 <= wo; ox += 64) row_block(base + ox, channels, plane_stride, k, pw, weights, o + ox, 8);
        for (; ox + 8 <= wo; ox += 8) row_block(base + ox, channels, plane_stride, k, pw, weights, o + ox, 1);
        for (; ox < wo; ox++) {
            float sum = 0;
            for (long c = 0; c < channels; c++)
                for (long kh = 0; kh < k; kh++)
                    for (long kw = 0; kw < k; kw++)
                        sum += weights[(c * k + kh) * k + kw] * base[c * plane_stride + kh * pw + ox + kw];
            o[ox] = sum;
        }
    }
}

static inline __attribute__((always_inline)) void weight_gradient(const float *padded, const float *grad, long k,
                                                                  long ho, long wo, double *sums) {
    long pw = wo + k - 1;
    for (long kh = 0; kh < k; kh++) {
        for (long kw = 0; kw < k; kw++) {
            vec8 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
            float tail = 0;
            for (long oy = 0; oy < ho; oy++) {
                const float *g = grad + oy * wo;
                const float *x = padded + (oy + kh) * pw + kw;
                long ox = 0;
                for (; ox + 32 <= wo; ox += 32) {
                    a0 += *(const vec8 *)(g + ox) * *(const vec8 *)(x + ox);
                    a1 += *(const vec8 *)(g + ox + 8) * *(const vec8 *)(x + ox + 8);
                    a2 += *(const vec8 *)(g + ox + 16) * *(const vec8 *)(x + ox + 16);
                    a3 += *(const vec8 *)(g + ox + 24) * *(const vec8 *)(x + ox + 24);
                }
                for (; ox + 8 <= wo; ox += 8) a0 += *(const vec8 *)(g + ox) * *(const vec8 *)(x + ox);
                for (; ox < wo; ox++) tail += g[ox] * x[ox];
            }
            vec8 a = (a0 + a1) + (a2 + a3);
            double sum = tail;
            for (int j = 0; j < 8; j++) sum += a[j];
            sums[kh * k + kw] += sum;
        }
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void plane_avx2(const float *padded, long channels, long plane_stride,
                                                            long k, long ho, long wo, const float *weights, float *out) {
    plane(padded, channels, plane_stride, k, ho, wo, weights, out);
}
__attribute__((target("avx2,fma"))) static void weight_gradient_avx2(const float *padded, const float *grad, long k,
                                                                      long ho, long wo, double *sums) {
    weight_gradient(padded, grad, k, ho, wo, sums);
}
static int has_avx2 = -1;   // -1 until the first call looks (a benign race: every thread finds the same)

static int use_avx2(void) {
    int found = __atomic_load_n(&has_avx2, __ATOMIC_RELAXED);
    if (found < 0) {
        __builtin_cpu_init();
        found = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        __atomic_store_n(&has_avx2, found, __ATOMIC_RELAXED);
    }
    return found;
}
#endif

void qlx_direct_conv_use_baseline(int baseline) {
#if defined(__x86_64__)
    __atomic_store_n(&has_avx2, baseline ? 0 : -1, __ATOMIC_RELAXED);
#else
    (void)baseline;
#endif
}

void qlx_direct_conv_plane(const float *padded, long channels, long plane_stride, long k,
                           long ho, long wo, const float *weights, float *out) {
#if defined(__x86_64__)
    if (use_avx2()) { plane_avx2(padded, channels, plane_stride, k, ho, wo, weights, out); return; }
#endif
    plane(padded, channels, plane_stride, k, ho, wo, weights, out);
}

void qlx_direct_conv_weight_gradient(const float *padded, const float *grad, long k, long ho, long wo,
                                     double *sums) {
#if defined(__x86_64__)
    if (use_avx2()) { weight_gradient_avx2(padded, grad, k, ho, wo, sums); return; }
#endif
    weight_gradient(padded, grad, k, ho, wo, sums);
}
