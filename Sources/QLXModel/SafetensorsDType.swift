/// The element types qlx reads from safetensors files. Everything becomes Float32 in memory;
/// qlx always writes F32.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case f32 = "F32"
    case f16 = "F16"
    case bf16 = "BF16"

    /// Bytes per element on disk.
    public var byteSize: Int {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        }
    }

    /// Decodes `count` little-endian elements starting at `offset` of `bytes`.
    /// The caller has checked that the range lies inside `bytes`.
    func decode(_ bytes: UnsafeRawBufferPointer, offset: Int, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            switch self {
            case .f32:
                for i in 0..<count {
                    let bits = bytes.loadUnaligned(fromByteOffset: offset + 4 * i, as: UInt32.self)
                    out[i] = Float(bitPattern: UInt32(littleEndian: bits))
                }
            case .f16:
                for i in 0..<count {
                    let bits = bytes.loadUnaligned(fromByteOffset: offset + 2 * i, as: UInt16.self)
                    out[i] = halfToFloat(UInt16(littleEndian: bits))
                }
            case .bf16:
                for i in 0..<count {
                    let bits = bytes.loadUnaligned(fromByteOffset: offset + 2 * i, as: UInt16.self)
                    out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: bits)) << 16)
                }
            }
            initialized = count
        }
    }
}

/// IEEE 754 binary16 → binary32, exact for every input (subnormals, ±Inf and NaN included).
/// Written out by hand because Swift's Float16 is missing on some platforms (macOS on Intel).
func halfToFloat(_ half: UInt16) -> Float {
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
