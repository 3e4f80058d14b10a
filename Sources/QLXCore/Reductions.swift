/// Sums over contiguous floats with eight independent accumulators. A plain `for` loop that
/// adds into one `Float` runs one addition at a time, because the compiler may not reorder
/// floating-point additions; instance norm's statistics then cost a tenth of a decode.
public enum Reduce {
    /// Σ p[i].
    @inline(__always)
    public static func sum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        lanes(count: count, { load(p, $0) }, { p[$0] })
    }

    /// Σ (p[i] − center)².
    @inline(__always)
    public static func squaredDeviations(_ p: UnsafePointer<Float>, count: Int, around center: Float) -> Float {
        let c = SIMD8<Float>(repeating: center)
        return lanes(count: count, { let d = load(p, $0) - c; return d * d }, { let d = p[$0] - center; return d * d })
    }

    /// Σ a[i]·b[i].
    @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        lanes(count: count, { load(a, $0) * load(b, $0) }, { a[$0] * b[$0] })
    }

    /// (Σ b[i], Σ a[i]·b[i]) in one pass over both arrays.
    @inline(__always)
    public static func sumAndDot(_ b: UnsafePointer<Float>, _ a: UnsafePointer<Float>, count: Int) -> (sum: Float, dot: Float) {
        var sums = SIMD8<Float>(repeating: 0), dots = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= count {
            let vb = load(b, i)
            sums += vb
            dots += vb * load(a, i)
            i += 8
        }
        var (sum, dot) = (sums.sum(), dots.sum())
        while i < count { sum += b[i]; dot += b[i] * a[i]; i += 1 }
        return (sum, dot)
    }

    /// Σ over i of term(i): `vector(i)` gives the terms i…i+7 as one SIMD8, `scalar(i)` one
    /// term, for the tail of fewer than eight.
    @inline(__always)
    private static func lanes(count: Int, _ vector: (Int) -> SIMD8<Float>, _ scalar: (Int) -> Float) -> Float {
        var lanes = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= count {
            lanes += vector(i)
            i += 8
        }
        var total = lanes.sum()
        while i < count { total += scalar(i); i += 1 }
        return total
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
    }
}
