import Foundation
import QLXData

extension BenchSection {
    /// Sprite generation speed: one core (batches too small to split) and all cores.
    static let data = BenchSection(name: "data", summary: "procedural sprites: images generated per second") {
        let dataset = SpritesDataset()
        func measure(batch: Int, seconds: Double) -> Double {
            var images = 0, round: UInt64 = 0
            let start = Date()
            while Date().timeIntervalSince(start) < seconds {
                let indices = sampleIndices(count: batch, of: dataset.count, seed: round)
                let tensor = dataset.images(at: indices)
                precondition(tensor.shape[0] == batch)
                images += batch
                round += 1
            }
            return Double(images) / Date().timeIntervalSince(start)
        }
        _ = measure(batch: 32, seconds: 0.2)   // warm-up
        let oneCore = measure(batch: 32, seconds: 2)
        let allCores = measure(batch: 256, seconds: 2)
        print(String(format: "  one core (batch 32):    %8.0f images/s", oneCore))
        print(String(format: "  all cores (batch 256):  %8.0f images/s  (%d cores)", allCores,
                     ProcessInfo.processInfo.activeProcessorCount))
    }
}
