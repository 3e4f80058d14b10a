import Foundation
import QLXCore

/// Golden tensors written by a scripts/golden/*.py generator: NAME.bin (little-endian float32)
/// and NAME.json ({"tensors": {key: {"shape": [...], "offset": elements}}, ...}).
public struct GoldenFixture {
    public let tensors: [String: Tensor]
    /// The whole JSON index, for generator-specific extras (configs, case lists).
    public let json: [String: Any]

    public init(directory: URL, name: String) throws {
        let index = try Data(contentsOf: directory.appendingPathComponent(name + ".json"))
        let raw = try Data(contentsOf: directory.appendingPathComponent(name + ".bin"))
        json = try JSONSerialization.jsonObject(with: index) as? [String: Any] ?? [:]
        let floats: [Float] = raw.withUnsafeBytes { bytes in
            (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
        var out: [String: Tensor] = [:]
        for (key, entry) in json["tensors"] as? [String: [String: Any]] ?? [:] {
            let shape = (entry["shape"] as? [Int]) ?? []
            let offset = entry["offset"] as? Int ?? 0
            let count = shape.reduce(1, *)
            out[key] = Tensor(shape: shape, data: Array(floats[offset..<(offset + count)]))
        }
        tensors = out
    }

    public subscript(_ key: String) -> Tensor {
        guard let t = tensors[key] else { fatalError("golden fixture has no tensor \(key)") }
        return t
    }
}
