#include "sigmoid.h"

// e^−a for 0 ≤ a ≤ 87 (e^−87 is still a normal float): a = n·ln 2 − r with n = round(a·log₂e),
// so e^−a = 2^−n · e^r, |r| ≤ ln 2 / 2, and e^r from its Taylor series to r⁶ (relative error
// below 1.2e-7). ln 2 is split in two (Cody and Waite) so that n·ln 2 − a keeps its low bits.
// Rounding adds and subtracts 1.5·2²³, which SSE2 vectorises (floorf would not be, without SSE4.1).
static inline float exp_negative(float a) {
    const float n = (a * 1.44269504f + 12582912.0f) - 12582912.0f;
    const float r = (n * 0.693359375f - a) + n * -2.12194440e-4f;
    float p = 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    union { int i; float f; } scale = { .i = (127 - (int)n) << 23 };
    return p * scale.f;
}

void qlx_sigmoid(const float *x, float *y, long count) {
    for (long i = 0; i < count; i++) {
        const float v = x[i];
        float a = v < 0 ? -v : v;
        // Past 87, e^−a is below float's resolution next to 1; a NaN stays NaN (the comparison
        // is false for it), so decoding still reports NaN pixels.
        a = a > 87.0f ? 87.0f : a;
        const float e = exp_negative(a);
        // 1 / (1 + e^−x) for x ≥ 0, e^x / (1 + e^x) below: no overflow for large |x|.
        y[i] = (v >= 0 ? 1.0f : e) / (1.0f + e);
    }
}
