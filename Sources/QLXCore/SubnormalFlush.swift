import CFloatEnv

/// Runs code with subnormal floats (magnitude below 1.2e-38) flushed to zero.
///
/// Why: on x86 every arithmetic operation that reads or produces a subnormal takes a
/// microcode assist of ~100 cycles. Under weight decay many weights' gradients shrink
/// until Adam's second moments go subnormal: 24% of them in the bundled model's
/// 9,000-step optimizer state, which made the optimizer update a tenth of each training
/// step. XLA and TensorFlow flush subnormals on CPU for the same reason. Values that
/// small carry nothing a model can use, so flushing them changes no result that matters.
///
/// The mode belongs to a thread: `Parallel` hands the caller's mode to its workers.
public enum SubnormalFlush {
    /// Calls `body` with flushing on for this thread, then restores the previous mode.
    @inline(__always)
    public static func enabled<Result>(_ body: () throws -> Result) rethrows -> Result {
        try withControlWord(qlx_fp_control_get() | qlx_fp_flush_subnormal_bits(), body)
    }

    /// Whether this thread flushes subnormals now.
    public static var isEnabled: Bool {
        let bits = qlx_fp_flush_subnormal_bits()
        return bits != 0 && qlx_fp_control_get() & bits == bits
    }

    /// The calling thread's floating-point control word, to hand to worker threads.
    @inline(__always)
    static var currentControlWord: UInt64 { qlx_fp_control_get() }

    /// Calls `body` with `controlWord` as this thread's mode, then restores the previous one.
    @inline(__always)
    static func withControlWord<Result>(_ controlWord: UInt64, _ body: () throws -> Result) rethrows -> Result {
        let saved = qlx_fp_control_get()
        if saved == controlWord { return try body() }
        qlx_fp_control_set(controlWord)
        defer { qlx_fp_control_set(saved) }
        return try body()
    }
}
