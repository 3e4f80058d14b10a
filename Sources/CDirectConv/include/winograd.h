// Winograd transforms for the decoders' transposed convolutions, 2×2 output tiles:
// F(2×2, 3×3) for 3×3 stride-1 layers (padding 1): a tile from a 4×4 input patch in 16
// multiply-adds per channel pair instead of 36; F(2×2, 2×2) for each stride phase of 4×4
// stride-2 layers (padding 1, each phase a 2×2 convolution of the input): a tile from a 3×3
// patch in 9 instead of 16. The products between the transforms (one per transform element)
// are matrix products, run by the caller; see ConvTranspose2d+Winograd.swift.
//
// Layouts: input planes (channel c, image n) at image + c·channel_stride + n·height·width,
// zero outside. Every function handles channels [first, last) and, in each image, the tile rows
// ty in [first_row, last_row) (so that a large image can be transformed, multiplied and
// transformed back a block of rows at a time, in cache): transformed inputs
// v[(e·channels + c)·tiles + t] for element e, with tiles = images·(last_row − first_row)·(width/2)
// and t = (n·(last_row − first_row) + ty − first_row)·(width/2) + tx; products m likewise with
// out_channels.
#ifndef QLX_WINOGRAD_H
#define QLX_WINOGRAD_H

#ifdef __cplusplus
extern "C" {
#endif

/// F(2×2, 3×3) input transform: 16 elements per tile, patch rows 2ty − 1 … 2ty + 2.
void qlx_winograd3_input(const float *image, long channels, long first, long last, long images,
                         long height, long width, long first_row, long last_row, long channel_stride, float *v);

/// F(2×2, 3×3) output transform into out[c·channel_stride + n·height·width + y·width + x].
void qlx_winograd3_output(const float *m, long out_channels, long first, long last, long images,
                          long height, long width, long first_row, long last_row, long channel_stride, float *out);

/// F(2×2, 2×2) input transform of all four stride phases of a 4×4 stride-2 layer (padding 1):
/// 9 elements per tile, phase (py, px) at v + (2·py + px)·phase_stride, its patches at rows
/// 2ty + py − 1 + {0, 1, 2} and columns 2tx + px − 1 + {0, 1, 2}. Of the 36 elements, 11 are
/// those of another phase negated (the Bᵀ row (d0 − d1) of phase 1 is −(d2 − d1) of phase 0,
/// one row further on, along y and along x) and are not written: element (a, b) of phase
/// (1, px) with a = 0 is element (2, b) of phase (0, px) times −1, and likewise along x
/// (`qlx_winograd2_shared_element`).
void qlx_winograd2_input(const float *image, long channels, long first, long last, long images,
                         long height, long width, long first_row, long last_row, long channel_stride, float *v,
                         long phase_stride);

/// Where element e = 3a + b of phase (py, px) (task = 9·(2·py + px) + e) is found: writes the
/// task holding it to *source and returns its sign (1 for itself or ±1 for another phase's).
int qlx_winograd2_shared_element(long task, long *source);

/// F(2×2, 2×2) output transform of all four phases (products of phase (py, px) at
/// m + (2·py + px)·phase_stride): tile element (i, j) of phase (py, px) goes to output row
/// 2(2ty + i) + py, column 2(2tx + j) + px of the (2·height) × (2·width) planes at
/// out + c·channel_stride + n·4·height·width.
void qlx_winograd2_output(const float *m, long out_channels, long first, long last, long images,
                          long height, long width, long first_row, long last_row, long channel_stride, float *out,
                          long phase_stride);

#ifdef __cplusplus
}
#endif
#endif
