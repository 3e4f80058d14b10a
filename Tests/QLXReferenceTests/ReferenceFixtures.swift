import Foundation
import QLXCore
import QLXData

/// The run folders written by scripts/golden/reference_fixture.py with the reference code, and
/// the JAX outputs beside them.
enum ReferenceFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/reference")

    /// Every fixture qlx opens: family and encoder/decoder preset in the name.
    static let supported = [
        "qlae_image_style_image", "qlae_image_small_image_small", "qlae_image_image",
        "qlae_image_small_style_image_small", "ae_image_small_image_small",
        "vae_image_small_style_image_small", "qlinfogan_image_small_style_image_small", "qlae_dense_dense",
    ]

    static func run(_ name: String) -> String { directory.appendingPathComponent("\(name)/run").path }
    static func files(_ name: String) -> String { run(name) + "/files" }

    static func expected(_ name: String, _ file: String) throws -> NpyArray {
        try Npy.read(path: directory.appendingPathComponent("\(name)/expected/\(file).npy").path)
    }

    static func tensor(_ array: NpyArray) -> Tensor {
        Tensor(shape: array.shape, data: array.doubles.map(Float.init))
    }

    /// (path, shape) of the leaves JAX flattened the model into, in order.
    static func leaves(_ name: String) throws -> [(path: String, shape: [Int])] {
        let data = try Data(contentsOf: directory.appendingPathComponent("\(name)/expected/leaves.json"))
        let list = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        return list.map { ($0["path"] as? String ?? "", $0["shape"] as? [Int] ?? []) }
    }

    /// A copy of a fixture's run folder in a scratch folder, to damage.
    static func copy(_ name: String, into scratch: URL) throws -> URL {
        let target = scratch.appendingPathComponent(name)
        try FileManager.default.copyItem(at: URL(fileURLWithPath: run(name)), to: target)
        return target
    }
}
