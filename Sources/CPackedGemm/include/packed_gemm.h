// Matrix products C = A·B whose A (a layer's weights) is packed once, ahead of time, into
// panels the kernel reads in order. OpenBLAS packs both operands on every call; for a decoder
// at batch 1 that re-packing of weights (megabytes per layer, for products only 16–64 columns
// wide) cost as much time as the multiply-adds themselves. See PackedGemm.swift.
#ifndef QLX_PACKED_GEMM_H
#define QLX_PACKED_GEMM_H

#ifdef __cplusplus
extern "C" {
#endif

/// Rows of A per packed panel.
#define QLX_PACKED_GEMM_PANEL_ROWS 6

/// Floats needed to pack an m×k A (panels of 6 rows, the last padded with zeros).
long qlx_packed_gemm_size(long m, long k);

/// Packs A (m×k, element (i, j) at a[i·row_stride + j·column_stride]) into `packed`.
void qlx_packed_gemm_pack(const float *a, long row_stride, long column_stride, long m, long k,
                          float *packed);

/// C[i, j] = Σ_l A[i, l]·B[l, j] for the rows of A's panels first_panel..<end_panel (row i of C
/// at c + i·ldc), all n columns; B is k×n row-major with leading dimension ldb. C is written,
/// never read first (no zeroing needed).
void qlx_packed_gemm_run(const float *packed, long m, long k, long first_panel, long end_panel,
                         const float *b, long ldb, long n, float *c, long ldc);

/// Runs the baseline kernel from now on (nonzero), or the best the CPU has (0, the default):
/// so the baseline, which a machine with AVX2 never picks, is checked there too.
void qlx_packed_gemm_use_baseline(int baseline);

#ifdef __cplusplus
}
#endif
#endif
