import Foundation

/// Where a reference checkpoint and its config are, found from what the user named: a wandb
/// run folder (or its `files/`), a `checkpoint/` or `checkpoint/step=N/` folder, or a
/// `model.eqx` file. The newest step is used unless a step is asked for; the config is
/// `config.yaml` (wandb) or `.hydra/config.yaml` (Hydra) in the nearest folder up the tree.
public struct RunFolder: Sendable, Equatable {
    public let modelFile: String
    public let configFile: String
    /// The step of `modelFile` (nil when its folder is not named step=N).
    public let step: Int?
    /// Every step found beside it, ascending.
    public let steps: [Int]

    /// True when `path` is something this type opens rather than a qlx safetensors file: a
    /// folder, or a file ending in `.eqx`.
    public static func isReference(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return false }
        return isDirectory.boolValue || path.hasSuffix(".eqx")
    }

    public init(path: String, step wanted: Int? = nil, config: String? = nil) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ReferenceError.notFound(path: path) }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        if !isDirectory.boolValue {
            let parent = url.deletingLastPathComponent()
            let own = Self.step(of: parent.lastPathComponent)
            let all = own == nil ? [] : Self.steps(in: parent.deletingLastPathComponent())
            if let wanted, wanted != own {
                throw ReferenceError.stepNotFound(path: path, step: wanted, available: own.map { [$0] } ?? [])
            }
            modelFile = url.path
            step = own
            steps = all
        } else if fm.fileExists(atPath: url.appendingPathComponent("model.eqx").path) {
            let own = Self.step(of: url.lastPathComponent)
            if let wanted, wanted != own {
                throw ReferenceError.stepNotFound(path: path, step: wanted, available: own.map { [$0] } ?? [])
            }
            modelFile = url.appendingPathComponent("model.eqx").path
            step = own
            steps = own == nil ? [] : Self.steps(in: url.deletingLastPathComponent())
        } else {
            let candidates = [url, url.appendingPathComponent("checkpoint"),
                              url.appendingPathComponent("files/checkpoint")]
            guard let folder = candidates.first(where: { !Self.steps(in: $0).isEmpty }) else {
                throw ReferenceError.noCheckpoint(path: path, reason: "expected model.eqx, step=N/model.eqx, checkpoint/step=N/model.eqx or files/checkpoint/step=N/model.eqx")
            }
            let all = Self.steps(in: folder)
            let chosen = wanted ?? all.last!
            guard all.contains(chosen) else { throw ReferenceError.stepNotFound(path: path, step: chosen, available: all) }
            modelFile = folder.appendingPathComponent("step=\(chosen)/model.eqx").path
            step = chosen
            steps = all
        }
        if let config {
            guard fm.fileExists(atPath: config) else { throw ReferenceError.unreadableConfig(path: config, reason: "no such file") }
            configFile = config
        } else {
            configFile = try Self.findConfig(above: URL(fileURLWithPath: modelFile).deletingLastPathComponent(), named: path)
        }
    }

    /// N of a folder named step=N, written as the reference writes it (digits, no sign or
    /// leading zero): `step=+7` or `step=007` would read as 7 and then be looked for as `step=7`.
    static func step(of name: String) -> Int? {
        guard name.hasPrefix("step=") else { return nil }
        let digits = name.dropFirst(5)
        guard let n = Int(digits), String(n) == digits, n >= 0 else { return nil }
        return n
    }

    /// The N of every step=N folder in `folder` that holds a model.eqx, ascending.
    static func steps(in folder: URL) -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.compactMap { name in
            guard let n = step(of: name),
                  FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(name)/model.eqx").path)
            else { return nil }
            return n
        }.sorted()
    }

    static func findConfig(above start: URL, named path: String) throws -> String {
        var dir = start
        while true {
            for candidate in ["config.yaml", ".hydra/config.yaml"] {
                let file = dir.appendingPathComponent(candidate).path
                if FileManager.default.fileExists(atPath: file) { return file }
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { throw ReferenceError.noConfig(path: path) }
            dir = parent
        }
    }
}
