// Winograd transforms for the decoders' transposed convolutions, 2×2 output tiles:
// F(2×2, 3×3) for 3×3 stride-1 layers (padding 1): a tile from a 4×4 input patch in 16
// multiply-adds per channel pair instead of 36; F(2×2, 2×2) for each stride phase of 4×4
// stride-2 layers (padding 1, each phase a 2×2 convolution of the input): a tile from a 3×3
// patch in 9 instead of 16. The products between the transforms (one per transform element)
// are matrix products, run by the caller; see ConvTranspose2d+Winograd.swift.
//
// Layouts: input planes (channel c, image n) at image + c·channel_stride + n·height·width,
// zero outside; transformed inputs v[(e·channels + c)·tiles + t] for element e, with tiles =
// images·(height/2)·(width/2) and t = (n·(height/2) + ty)·(width/2) + tx; products m likewise
// with out_channels. Every function handles channels [first, last).
#ifndef QLX_WINOGRAD_H
#define QLX_WINOGRAD_H

#ifdef __cplusplus
extern "C" {
#endif

/// F(2×2, 3×3) input transform: 16 elements per tile, patch rows 2ty − 1 … 2ty + 2.
void qlx_winograd3_input(const float *image, long channels, long first, long last, long images,
                         long height, long width, long channel_stride, float *v);

/// F(2×2, 3×3) output transform into out[c·channel_stride + n·height·width + y·width + x].
void qlx_winograd3_output(const float *m, long out_channels, long first, long last, long images,
                          long height, long width, long channel_stride, float *out);

/// F(2×2, 2×2) input transform: 9 elements per tile, patch rows 2ty + row_offset + {0, 1, 2},
/// columns 2tx + column_offset + {0, 1, 2}.
void qlx_winograd2_input(const float *image, long channels, long first, long last, long images,
                         long height, long width, long channel_stride, long row_offset,
                         long column_offset, float *v);

/// F(2×2, 2×2) output transform of stride phase (phase_y, phase_x) of a stride-2 layer: tile
/// element (i, j) goes to output row 2(2ty + i) + phase_y, column 2(2tx + j) + phase_x of the
/// (2·height) × (2·width) planes at out + c·channel_stride + n·4·height·width.
void qlx_winograd2_output(const float *m, long out_channels, long first, long last, long images,
                          long height, long width, long phase_y, long phase_x, long channel_stride,
                          float *out);

#ifdef __cplusplus
}
#endif
#endif
