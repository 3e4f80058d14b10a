import Foundation
import QLXData

/// The one place a command turns `--dataset`/`--data` (or a checkpoint's dataset name) into a
/// dataset: a procedural one by name, or a file, with a progress bar while a compressed file
/// is decompressed into the cache the first time.
enum DatasetArgument {
    static func resolve(_ nameOrPath: String) throws -> any FactorDataset {
        let name = URL(fileURLWithPath: nameOrPath).lastPathComponent
        let bar = MetricsProgressBar(label: "decompressing \(name) into the cache (first use only)", lateLabel: nil)
        defer { bar.finish() }
        return try Datasets.resolve(nameOrPath) { done, total in bar.update(total > 0 ? Double(done) / Double(total) : 0) }
    }
}
