import CPackedGemm

/// A matrix A (M×K, a layer's weights) packed once into the panels that
/// `multiply(_:n:into:)` reads in order, for products C = A·B with B the layer's input.
///
/// OpenBLAS packs both operands on every call. Decoding at batch 1 multiplies megabytes of
/// weights by inputs only 16–64 columns wide, and there the per-call re-packing of the weights
/// (and the zeroing of C before it is accumulated) took a third of the time, as long as
/// the multiply-adds (callgrind and perf, image + style_image at batch 1). Weights change only
/// when the parameters do, so decoding packs them once (`DecoderConstants`), and the kernel
/// (CPackedGemm: 6×16 blocks, AVX2 + FMA when the CPU has them) writes C directly.
public struct PackedMatrix: Sendable {
    public let rows: Int
    public let columns: Int
    private let storage: [Float]

    /// Packs the rows×columns matrix whose element (i, j) is at a[i·rowStride + j·columnStride]
    /// (row-major: rowStride = columns, columnStride = 1; its transpose: the other way round).
    public init(_ a: UnsafePointer<Float>, rows: Int, columns: Int, rowStride: Int, columnStride: Int) {
        precondition(rows > 0 && columns > 0)
        self.rows = rows
        self.columns = columns
        let count = qlx_packed_gemm_size(rows, columns)
        storage = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            qlx_packed_gemm_pack(a, rowStride, columnStride, rows, columns, buffer.baseAddress!)
            initialized = count
        }
    }

    /// Packs a row-major rows×columns matrix.
    public init(rowMajor a: [Float], rows: Int, columns: Int) {
        precondition(a.count == rows * columns)
        self = a.withUnsafeBufferPointer { PackedMatrix($0.baseAddress!, rows: rows, columns: columns, rowStride: columns, columnStride: 1) }
    }

    /// Runs the portable kernel instead of the AVX2 + FMA one while `body` runs, so tests check
    /// it on machines that would never pick it. Not for concurrent use with other products.
    public static func withBaselineKernel<T>(_ body: () throws -> T) rethrows -> T {
        qlx_packed_gemm_use_baseline(1)
        defer { qlx_packed_gemm_use_baseline(0) }
        return try body()
    }

    /// Rows per panel: work is split between cores in whole panels.
    public static let panelRows = Int(QLX_PACKED_GEMM_PANEL_ROWS)
    public var panelCount: Int { (rows + PackedMatrix.panelRows - 1) / PackedMatrix.panelRows }

    /// C[rows × n] = A · B, B row-major columns×n (leading dimension ldb), C's rows ldc apart.
    /// C is overwritten (not read). Splits the rows across the cores (`Parallel.forEachTask`)
    /// when the product is large enough to pay for the hand-off.
    public func multiply(_ b: UnsafePointer<Float>, ldb: Int? = nil, n: Int,
                         into c: UnsafeMutablePointer<Float>, ldc: Int? = nil, parallel: Bool = true) {
        let (ldb, ldc) = (ldb ?? n, ldc ?? n)
        let tasks = parallel ? taskCount(n: n) : 1
        if tasks <= 1 {
            qlx_packed_gemm_run(storage, rows, columns, 0, panelCount, b, ldb, n, c, ldc)
            return
        }
        storage.withUnsafeBufferPointer { a in
            let a = a.baseAddress!
            if n >= 4 * rows {
                // Wide and short: split the columns (each task packs only its own part of B).
                let units = (n + 15) / 16
                Parallel.forEachTask(count: tasks) { task in
                    let low = units * task / tasks * 16, high = min(units * (task + 1) / tasks * 16, n)
                    qlx_packed_gemm_run(a, rows, columns, 0, panelCount, b + low, ldb, high - low, c + low, ldc)
                }
            } else {
                let panels = panelCount
                Parallel.forEachTask(count: tasks) { task in
                    qlx_packed_gemm_run(a, rows, columns, panels * task / tasks, panels * (task + 1) / tasks, b, ldb, n, c, ldc)
                }
            }
        }
    }

    /// Tasks for an M×K×n product: one per ~1M multiply-adds (about 15 µs of one core, several
    /// thread hand-offs' worth), at most two per core so that a core held up by other work
    /// takes fewer of them.
    private func taskCount(n: Int) -> Int {
        let threads = Parallel.availableThreads
        guard threads > 1 else { return 1 }
        let work = rows * columns * n
        return max(1, min(2 * threads, work / (1 << 20), panelCount))
    }
}
