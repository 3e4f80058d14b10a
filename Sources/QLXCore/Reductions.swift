/// Sums over contiguous floats with eight independent accumulators. A plain `for` loop that
/// adds into one `Float` runs one addition at a time, because the compiler may not reorder
/// floating-point additions; instance norm's statistics then cost a tenth of a decode.
public enum Reduce {
    /// Σ p[i].
    @inline(__always)
    public static func sum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        let raw = UnsafeRawPointer(p)
        var lanes = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= count {
            lanes += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        var total = lanes.sum()
        while i < count { total += p[i]; i += 1 }
        return total
    }

    /// Σ (p[i] − center)².
    @inline(__always)
    public static func squaredDeviations(_ p: UnsafePointer<Float>, count: Int, around center: Float) -> Float {
        let raw = UnsafeRawPointer(p)
        let c = SIMD8<Float>(repeating: center)
        var lanes = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= count {
            let d = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - c
            lanes += d * d
            i += 8
        }
        var total = lanes.sum()
        while i < count { let d = p[i] - center; total += d * d; i += 1 }
        return total
    }

    /// (Σ b[i], Σ a[i]·b[i]) in one pass.
    @inline(__always)
    public static func sumAndDot(_ b: UnsafePointer<Float>, _ a: UnsafePointer<Float>, count: Int) -> (sum: Float, dot: Float) {
        let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b)
        var sums = SIMD8<Float>(repeating: 0), dots = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= count {
            let vb = rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            sums += vb
            dots += vb * rawA.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        var (sum, dot) = (sums.sum(), dots.sum())
        while i < count { sum += b[i]; dot += b[i] * a[i]; i += 1 }
        return (sum, dot)
    }

    /// Σ a[i]·b[i].
    @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b)
        var lanes = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= count {
            lanes += rawA.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        var total = lanes.sum()
        while i < count { total += a[i] * b[i]; i += 1 }
        return total
    }
}
