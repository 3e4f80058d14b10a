// Stride-1 convolutions of few output channels (the decoders' last conv to 1–3 image channels)
// as shifted multiply-adds over zero-padded planes, vectorised along image rows. Swift's own
// loops there compile to 4-wide SSE without fused multiply-adds, and their dot products to
// scalar code; see Conv2d+Direct.swift.
#ifndef QLX_DIRECT_CONV_H
#define QLX_DIRECT_CONV_H

#ifdef __cplusplus
extern "C" {
#endif

/// out[oy·wo + ox] = Σ_c Σ_kh Σ_kw weights[(c·k + kh)·k + kw] · padded[c·plane_stride + (oy + kh)·(wo + k − 1) + ox + kw]
/// for oy < ho, ox < wo: one output plane from `channels` planes already padded to
/// (ho + k − 1) × (wo + k − 1).
void qlx_direct_conv_plane(const float *padded, long channels, long plane_stride, long k,
                           long ho, long wo, const float *weights, float *out);

/// sums[kh·k + kw] += Σ_oy Σ_ox grad[oy·wo + ox] · padded[(oy + kh)·(wo + k − 1) + ox + kw]:
/// one (output plane, input plane) pair's share of a weight gradient.
void qlx_direct_conv_weight_gradient(const float *padded, const float *grad, long k, long ho, long wo,
                                     double *sums);

/// Runs the baseline kernels from now on (nonzero), or the best the CPU has (0, the default).
void qlx_direct_conv_use_baseline(int baseline);

#ifdef __cplusplus
}
#endif
#endif
