import Foundation

/// Finds the model that ships in assets/, so `qlx` with no arguments has something to show.
enum BundledModel {
    static let fileName = "sprites-qlae.safetensors"

    struct NotFound: Error, CustomStringConvertible {
        let searched: [String]
        var description: String {
            "bundled model \(BundledModel.fileName) not found (looked in \(searched.joined(separator: ", "))); pass a checkpoint path or set QLX_MODEL"
        }
    }

    /// $QLX_MODEL, then ./assets, then the assets/ folder of the repository the executable was
    /// built in (…/REPO/.build/release/qlx → …/REPO/assets).
    static func locate() throws -> String {
        let fm = FileManager.default
        if let override = ProcessInfo.processInfo.environment["QLX_MODEL"], !override.isEmpty {
            return override
        }
        var candidates = [fm.currentDirectoryPath + "/assets/" + fileName]
        var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("assets").appendingPathComponent(fileName).path)
            dir = dir.deletingLastPathComponent()
        }
        for path in candidates where fm.fileExists(atPath: path) { return path }
        throw NotFound(searched: Array(Set(candidates.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path })).sorted())
    }
}
