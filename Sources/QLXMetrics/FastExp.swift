/// e^x for x ≤ 0 with relative error below 1e-14, written so that loops over it vectorise:
/// x = k·ln 2 + r with |r| ≤ ln 2 / 2, e^r by its degree-12 Taylor polynomial, 2^k built in
/// the exponent bits. Softmax probabilities need hundreds of thousands of these per function
/// evaluation of a regression, where the library `exp` was half of the time.
/// Results below e^−708 (≈ 3e−308) are returned as that value instead of underflowing,
/// which a softmax sum ≥ 1 cannot tell apart from 0.
@inline(__always)
func expNonPositive(_ x: Double) -> Double {
    let x = max(x, -708.0)
    // Adding 1.5·2^52 rounds x·log2(e) to an integer held in the low mantissa bits.
    let shifter = 6_755_399_441_055_744.0
    let t = x * 1.442_695_040_888_963_4 + shifter
    let k = t - shifter
    let r = (x - k * 0.693_147_180_369_123_816_49) - k * 1.908_214_929_270_587_7e-10
    var p = 1.0 / 479_001_600.0
    p = p * r + 1.0 / 39_916_800.0
    p = p * r + 1.0 / 3_628_800.0
    p = p * r + 1.0 / 362_880.0
    p = p * r + 1.0 / 40_320.0
    p = p * r + 1.0 / 5_040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    let scale = Double(bitPattern: (t.bitPattern &+ 1023) << 52)
    return p * scale
}

/// `expNonPositive` for tests (tests build in release mode without @testable).
public func expNonPositiveForTesting(_ x: Double) -> Double { expNonPositive(x) }
