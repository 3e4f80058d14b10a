import CDirectConv
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Element-wise activations, in place on flat buffers (any layout). Backward passes use the
/// forward *output*, which determines the slope for (leaky) ReLU and sigmoid.
public enum Activation {
    public static let leakySlope: Float = 0.2

    /// x ← max(x, slope·x) (for 0 < slope < 1).
    public static func leakyReLU(_ x: inout [Float], slope: Float = leakySlope) {
        x.withUnsafeMutableBufferPointer { p in
            Parallel.forRanges(count: p.count) { range in
                // Branch-free so that the loop vectorises.
                for i in range {
                    let v = p[i]
                    p[i] = v * (v > 0 ? 1 : slope)
                }
            }
        }
    }

    /// dOutput ← dInput, using the forward output's sign.
    public static func leakyReLUBackward(output: [Float], gradient: inout [Float], slope: Float = leakySlope) {
        precondition(output.count == gradient.count)
        output.withUnsafeBufferPointer { y in
            gradient.withUnsafeMutableBufferPointer { g in
                Parallel.forRanges(count: g.count) { range in
                    for i in range { g[i] *= (y[i] > 0 ? 1 : slope) }
                }
            }
        }
    }

    public static func relu(_ x: inout [Float]) {
        x.withUnsafeMutableBufferPointer { p in
            for i in p.indices where !(p[i] > 0) { p[i] = 0 }
        }
    }

    public static func reluBackward(output: [Float], gradient: inout [Float]) {
        precondition(output.count == gradient.count)
        output.withUnsafeBufferPointer { y in
            gradient.withUnsafeMutableBufferPointer { g in
                for i in g.indices where !(y[i] > 0) { g[i] = 0 }
            }
        }
    }

    /// 1 / (1 + e^−x) for x ≥ 0, e^x / (1 + e^x) below: no overflow for large |x|. Written
    /// with a select instead of a branch, which images' logits of either sign mispredict.
    @inline(__always)
    public static func sigmoid(_ x: Float) -> Float {
        let e = expf(-abs(x))
        return (x >= 0 ? 1 : e) / (1 + e)
    }

    /// Element-wise sigmoid through CDirectConv's vectorised kernel (within 3e-7 of
    /// `sigmoid(_: Float)`).
    public static func sigmoid(_ x: [Float]) -> [Float] {
        [Float](unsafeUninitializedCapacity: x.count) { out, n in
            x.withUnsafeBufferPointer { src in
                Parallel.forRanges(count: src.count, minimumPerThread: 1 << 13) { range in
                    guard !range.isEmpty else { return }
                    qlx_sigmoid(src.baseAddress! + range.lowerBound, out.baseAddress! + range.lowerBound, range.count)
                }
            }
            n = x.count
        }
    }
}
