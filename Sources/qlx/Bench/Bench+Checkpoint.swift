import Foundation
import QLXCore
import QLXModel

extension BenchSection {
    /// Checkpoint write and read (with full validation) for the reference image_small model on
    /// 64×64 sprites, the size of the bundled model.
    static let checkpoint = BenchSection(name: "checkpoint", summary: "safetensors write and read of an image_small model") {
        let config = QLAEConfig(encoder: ArchitecturePreset.imageSmallEncoder, decoder: ArchitecturePreset.imageSmallDecoder,
                                latent: LatentConfig(count: 10, valuesPerLatent: 10),
                                image: ImageShape(channels: 1, height: 64, width: 64),
                                dataset: DatasetInfo(name: "sprites", factorNames: [], factorSizes: []))
        let checkpoint = Checkpoint(model: QLAE(config: config, seed: 0))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("qlx-bench-\(getpid()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let megabytes = Double(checkpoint.parameterCount * 4) / 1_000_000
        func best(of runs: Int, _ body: () throws -> Void) rethrows -> Double {
            var fastest = Double.infinity
            for _ in 0..<runs {
                let start = Date()
                try body()
                fastest = min(fastest, Date().timeIntervalSince(start))
            }
            return fastest
        }
        let write = try best(of: 3) { try checkpoint.write(to: path) }
        let read = try best(of: 3) { _ = try Checkpoint.read(from: path) }
        let model = try best(of: 3) { _ = try Checkpoint.read(from: path).model() }
        print(String(format: "  %.1f M parameters, %.1f MB", Double(checkpoint.parameterCount) / 1e6, megabytes))
        print(String(format: "  write (atomic, fsync):   %7.1f ms  (%5.0f MB/s)", write * 1000, megabytes / write))
        print(String(format: "  read + validate:         %7.1f ms  (%5.0f MB/s)", read * 1000, megabytes / read))
        print(String(format: "  read + build QLAE:       %7.1f ms", model * 1000))
    }
}
