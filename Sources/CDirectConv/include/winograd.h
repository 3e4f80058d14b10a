// Winograd F(2×2, 3×3) transforms for 3×3 stride-1 convolutions with padding 1 (the decoders'
// stride-1 transposed convolutions): a 2×2 output tile from a 4×4 input patch in 16
// multiply-adds per channel pair instead of 36. The 16 products between transforms are
// matrix products, run by the caller; see ConvTranspose2d+Winograd.swift.
#ifndef QLX_WINOGRAD_H
#define QLX_WINOGRAD_H

#ifdef __cplusplus
extern "C" {
#endif

/// Input transform of channels [first, last) of an (images × height × width) stack, height and
/// width even, channel c at image + c·channel_stride, image n at + n·height·width, zero outside
/// the planes. Writes v[(e·channels + c)·tiles + t] for the 16 transform elements e, with tiles
/// = images·(height/2)·(width/2) and t = (n·(height/2) + ty)·(width/2) + tx.
void qlx_winograd_input(const float *image, long channels, long first, long last, long images,
                        long height, long width, long channel_stride, float *v);

/// Output transform: from m[(e·out_channels + c)·tiles + t] (the 16 products) to the output
/// stack out[(c·images + n)·height·width + y·width + x], channels [first, last).
void qlx_winograd_output(const float *m, long out_channels, long first, long last, long images,
                         long height, long width, float *out);

#ifdef __cplusplus
}
#endif
#endif
