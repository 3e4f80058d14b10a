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
        if m == 1 {
            // One row (a linear layer at batch 1): a matrix-vector product. sgemm would copy
            // all of B into its packed panels first, which costs more than the product.
            if beta == 0 { c.initialize(repeating: 0, count: n) }   // sgemv scales C by beta; C may be uninitialised
            cblas_sgemv(CblasRowMajor, transposeB ? CblasNoTrans : CblasTrans,
                        blasint(transposeB ? n : k), blasint(transposeB ? k : n), alpha, b, blasint(leadingB),
                        a, blasint(transposeA ? leadingA : 1), beta, c, 1)
            return
        }
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha,
                    a, blasint(leadingA), b, blasint(leadingB), beta,
                    c, blasint(ldc ?? n))
    }

    /// `multiply` without transposes (beta 0) as `blocks` products the cores take in turn, each
    /// on one BLAS thread (see `withSingleThread`): split along C's rows when C is narrower than
    /// tall (each block re-packs its rows of A and all of B, the smaller operand), else
    /// along its columns.
    public static func multiplyInBlocks(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                        into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int,
                                        lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil, blocks: Int = 4) {
        let (lda, ldb, ldc) = (lda ?? k, ldb ?? n, ldc ?? n)
        let alongRows = n < m
        // Column blocks in multiples of 16 floats, the width of OpenBLAS's packed panels.
        let unit = alongRows ? 1 : 16
        let units = ((alongRows ? m : n) + unit - 1) / unit
        let count = Parallel.availableThreads > 1 ? min(blocks, units) : 1   // one core: one product
        guard count > 1 else {
            multiply(a, b, into: c, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
            return
        }
        withSingleThread {
            Parallel.forEachTask(count: count) { block in
                let low = units * block / count * unit
                let high = min(units * (block + 1) / count * unit, alongRows ? m : n)
                if alongRows {
                    multiply(a + low * lda, b, into: c + low * ldc, m: high - low, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
                } else {
                    multiply(a, b + low, into: c + low, m: m, n: high - low, k: k, lda: lda, ldb: ldb, ldc: ldc)
                }
            }
        }
    }

    /// Sets the number of OpenBLAS threads (qlx uses one per core).
    public static func setThreadCount(_ count: Int) {
        singleThreadLock.lock()
        defer { singleThreadLock.unlock() }
        configuredThreads = count
        if singleThreadScopes == 0 { openblas_set_num_threads(Int32(count)) }
    }

    /// Runs `body` with OpenBLAS on one thread, for callers that split work into tasks across
    /// the cores themselves: OpenBLAS's own split of a thin product costs more in hand-offs and
    /// spinning workers than it saves, and its static halves wait for the slower core when the
    /// machine is shared, while tasks taken in turn do not. Scopes may overlap (several threads);
    /// the configured count returns when the last one ends. Other BLAS calls made meanwhile
    /// also run on one thread (slower, never wrong).
    public static func withSingleThread<R>(_ body: () throws -> R) rethrows -> R {
        singleThreadLock.lock()
        if singleThreadScopes == 0 { configuredThreads = threadCount }
        singleThreadScopes += 1
        if singleThreadScopes == 1 && configuredThreads > 1 { openblas_set_num_threads(1) }
        singleThreadLock.unlock()
        defer {
            singleThreadLock.lock()
            singleThreadScopes -= 1
            if singleThreadScopes == 0 && configuredThreads > 1 { openblas_set_num_threads(Int32(configuredThreads)) }
            singleThreadLock.unlock()
        }
        return try body()
    }

    private static let singleThreadLock = NSLock()
    nonisolated(unsafe) private static var singleThreadScopes = 0
    nonisolated(unsafe) private static var configuredThreads = 1

    public static var threadCount: Int { Int(openblas_get_num_threads()) }
}
