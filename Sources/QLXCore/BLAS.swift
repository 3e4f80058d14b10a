import CBLAS
import Foundation

/// Thin, row-major wrappers around OpenBLAS so that call sites read as the matrix product
/// they compute. Every matrix product in qlx goes through `Gemm.multiply`.
public enum Gemm {
    /// C[M×N] = alpha · op(A) · op(B) + beta · C, all row-major.
    /// `A` is M×K (or K×M when `transposeA`), `B` is K×N (or N×K when `transposeB`).
    @inline(__always)
    public static func multiply(
        _ a: UnsafePointer<Float>, transposeA: Bool = false,
        _ b: UnsafePointer<Float>, transposeB: Bool = false,
        into c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0,
        lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            // BLAS leaves C untouched for alpha·0; honour beta ourselves.
            for i in 0..<(m * (ldc ?? n)) { c[i] *= beta }
            return
        }
        let leadingA = lda ?? (transposeA ? m : k)
        let leadingB = ldb ?? (transposeB ? k : n)
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha,
                    a, blasint(leadingA), b, blasint(leadingB), beta,
                    c, blasint(ldc ?? n))
    }

    /// Sets the number of OpenBLAS threads (qlx uses one per core).
    public static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(count))
    }

    public static var threadCount: Int { Int(openblas_get_num_threads()) }
}
