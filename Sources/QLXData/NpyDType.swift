import QLXCore

/// The element types qlx reads from .npy files (and from HDF5 datasets, by their numpy
/// descriptor), from a descriptor such as "<i4" or "|b1".
struct NpyDType {
    enum Kind { case signed, unsigned, float, bool }

    let kind: Kind
    let size: Int
    let bigEndian: Bool
    let descriptor: String

    init(descriptor: String, path: String) throws {
        self.descriptor = descriptor
        guard descriptor.count >= 2 else { throw DataError.npyUnsupportedDType(path: path, dtype: descriptor) }
        var rest = Substring(descriptor)
        var order: Character = "="
        if let first = rest.first, "<>|=".contains(first) {
            order = first
            rest = rest.dropFirst()
        }
        guard let code = rest.first else { throw DataError.npyUnsupportedDType(path: path, dtype: descriptor) }
        if code == "O" { throw DataError.npyObjectArray(path: path) }
        guard let size = Int(rest.dropFirst()) else { throw DataError.npyUnsupportedDType(path: path, dtype: descriptor) }
        switch (code, size) {
        case ("i", 1), ("i", 2), ("i", 4), ("i", 8): kind = .signed
        case ("u", 1), ("u", 2), ("u", 4), ("u", 8): kind = .unsigned
        case ("f", 2), ("f", 4), ("f", 8): kind = .float
        case ("b", 1): kind = .bool
        default: throw DataError.npyUnsupportedDType(path: path, dtype: descriptor)
        }
        self.size = size
        // '=' is native order; every platform Swift runs qlx on is little-endian.
        bigEndian = order == ">"
    }

    /// `count` elements from `bytes[offset...]`, widened to Int64 or Double.
    func decode(_ bytes: [UInt8], offset: Int, count: Int, path: String) throws -> NpyValues {
        try bytes.withUnsafeBytes { buffer in
            let base = buffer.baseAddress! + offset
            if kind == .float { return .float64((0..<count).map { floatValue(bits(base, $0)) }) }
            var values = [Int64](repeating: 0, count: count)
            for i in 0..<count {
                guard let value = integer(bits(base, i)) else {
                    throw DataError.npyValueOutOfRange(path: path, index: i, dtype: descriptor)
                }
                values[i] = value
            }
            return .int64(values)
        }
    }

    // The one per-element reader: `decode` (whole arrays in memory) and `MappedNpy` (elements
    // of a memory-mapped file, one at a time) both read elements through these.

    /// Element `i` of an array of this dtype starting at `base`, any kind, as Double
    /// (integers beyond 2⁵³ rounded).
    @inline(__always)
    func double(_ base: UnsafeRawPointer, _ i: Int) -> Double {
        let raw = bits(base, i)
        switch kind {
        case .float: return floatValue(raw)
        case .unsigned: return Double(raw)
        case .bool, .signed: return Double(integer(raw)!)
        }
    }

    /// An integer or bool element's value: a bool is 0 or 1 whatever nonzero byte stores it
    /// (numpy reads any nonzero byte as True); nil for an unsigned value above Int64.max.
    @inline(__always)
    func integer(_ bits: UInt64) -> Int64? {
        switch kind {
        case .bool: return bits != 0 ? 1 : 0
        case .unsigned: return bits <= UInt64(Int64.max) ? Int64(bits) : nil
        case .signed: return signExtended(bits)
        case .float: preconditionFailure("integer(_:) of a float dtype")
        }
    }

    /// The `size` bytes of element `i`, in this dtype's byte order, as the low bytes of a UInt64.
    @inline(__always)
    func bits(_ base: UnsafeRawPointer, _ i: Int) -> UInt64 {
        let p = base + i * size
        var value: UInt64 = 0
        if bigEndian {
            for b in 0..<size { value = value << 8 | UInt64(p.load(fromByteOffset: b, as: UInt8.self)) }
        } else {
            for b in stride(from: size - 1, through: 0, by: -1) { value = value << 8 | UInt64(p.load(fromByteOffset: b, as: UInt8.self)) }
        }
        return value
    }

    /// A signed element's bits sign-extended: shifted to the top, then back arithmetically.
    @inline(__always)
    func signExtended(_ bits: UInt64) -> Int64 {
        let shift = UInt64(64 - 8 * size)
        return Int64(bitPattern: bits << shift) >> shift
    }

    /// A float element's bits (half, single or double precision) as Double.
    @inline(__always)
    func floatValue(_ bits: UInt64) -> Double {
        switch size {
        case 2: return Double(halfToFloat(UInt16(truncatingIfNeeded: bits)))
        case 4: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
        default: return Double(bitPattern: bits)
        }
    }
}
