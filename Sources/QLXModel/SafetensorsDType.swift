import QLXCore

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
