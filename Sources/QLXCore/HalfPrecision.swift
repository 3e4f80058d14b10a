import Foundation

/// IEEE 754 binary16 → binary32, exact for every input (subnormals, ±Inf and NaN included): the one
/// conversion for safetensors F16 tensors and .npy float16 arrays.
/// Written out by hand because Swift's Float16 is missing on some platforms (macOS on Intel).
public func halfToFloat(_ half: UInt16) -> Float {
    let sign = UInt32(half >> 15) << 31
    let exponent = UInt32(half >> 10) & 0x1F
    let mantissa = UInt32(half) & 0x3FF
    switch exponent {
    case 0:
        // Zero or subnormal: mantissa · 2^-24, exact in Float.
        let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
        return sign == 0 ? magnitude : -magnitude
    case 0x1F:
        // Inf or NaN (keep the payload's top bits so NaN stays NaN).
        return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    default:
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }
}
