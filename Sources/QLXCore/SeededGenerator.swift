#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A small, fast, seedable generator (SplitMix64) so that a fixed seed gives the same
/// weights, batches and samples on every machine; Swift's SystemRandomNumberGenerator
/// cannot be seeded.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 24 bits of precision.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Standard normal by Box–Muller.
    public mutating func nextNormal() -> Float {
        let u1 = max(Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0), 1e-300)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}

/// Uniform in 0..<bound from the high half of a 64×64-bit product (bias below 2^-40 for any
/// bound qlx draws from): every seeded random choice (samples, shuffles, random codes) goes
/// through this one range reduction, so a seed means the same draw everywhere.
@inline(__always)
public func uniformIndex(below bound: Int, using generator: inout SeededGenerator) -> Int {
    Int(generator.next().multipliedFullWidth(by: UInt64(bound)).high)
}
