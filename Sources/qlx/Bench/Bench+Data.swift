import Foundation
import QLXData

/// A memory figure of this process from /proc/self/status, in MB: VmRSS (all resident
/// pages, file pages of memory-mapped data included), RssAnon (private memory only).
func residentMegabytes(_ field: String = "VmRSS") -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
          let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return -1 }
    return kilobytes / 1024
}

extension BenchSection {
    /// Generation speed of the procedural datasets: one core (batches too small to split) and
    /// all cores; for the scenes also the one-time ray casting of their 480 geometries.
    static let data = BenchSection(name: "data", summary: "procedural sprites and scenes: images generated per second") {
        func measure(_ dataset: any FactorDataset, batch: Int, seconds: Double) throws -> Double {
            var images = 0, round: UInt64 = 0
            let start = Date()
            while Date().timeIntervalSince(start) < seconds {
                let indices = sampleIndices(count: batch, of: dataset.count, seed: round)
                let tensor = try dataset.images(at: indices)
                precondition(tensor.shape[0] == batch)
                images += batch
                round += 1
            }
            return Double(images) / Date().timeIntervalSince(start)
        }
        let scenes = ScenesDataset()
        // One image of every geometry (orientation varies fastest, then shape, then scale).
        let start = Date()
        _ = scenes.images(at: Array(0..<(SceneShape.allCases.count * SceneRenderer.scaleCount * SceneRenderer.orientationCount)))
        print(String(format: "  scenes: ray casting all 480 geometries once: %.2f s (all cores)", Date().timeIntervalSince(start)))
        for dataset in [SpritesDataset() as any FactorDataset, scenes] {
            _ = try measure(dataset, batch: 32, seconds: 0.2)   // warm-up
            let oneCore = try measure(dataset, batch: 32, seconds: 2)
            let allCores = try measure(dataset, batch: 256, seconds: 2)
            print("  \(dataset.name):")
            print(String(format: "    one core (batch 32):    %8.0f images/s", oneCore))
            print(String(format: "    all cores (batch 256):  %8.0f images/s  (%d cores)", allCores,
                         ProcessInfo.processInfo.activeProcessorCount))
        }
        for path in BenchInputs.dataFiles {
            // First open: builds the cache if the file is a compressed .npz not seen before.
            var start = Date()
            _ = try DatasetOption.resolve(path)
            let first = Date().timeIntervalSince(start)
            start = Date()
            let dataset = try DatasetOption.resolve(path)
            let again = Date().timeIntervalSince(start)
            print("  \(path): \(dataset.count) images of \(dataset.imageShape), factors \(dataset.factorSizes)")
            print(String(format: "    open: %.2f s the first time, %.2f s once cached", first, again))
            print("    after opening: resident \(residentMegabytes()) MB, private \(residentMegabytes("RssAnon")) MB (whole process)")
            let randomAccess = try measure(dataset, batch: 64, seconds: 3)
            print(String(format: "    random access (batch 64):  %8.0f images/s", randomAccess))
            print("    after 3 s of random reads: resident \(residentMegabytes()) MB (mapped file pages count), private \(residentMegabytes("RssAnon")) MB")
        }
    }
}
