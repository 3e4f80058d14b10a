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
            if wanted == nil { try Self.refuseUnreadableNewestStep(in: folder, path: path) }
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

    static func step(of name: String) -> Int? {
        guard name.hasPrefix("step=") else { return nil }
        return Int(name.dropFirst(5))
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

    /// Without --step the newest step is meant: a newest step=N whose model.eqx is there but
    /// unreadable (a dangling link, an empty file from an interrupted save) must not make an
    /// older step open in its place without a word, nor fail as if the file were corrupt.
    static func refuseUnreadableNewestStep(in folder: URL, path: String) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let model = { (n: Int) in folder.appendingPathComponent("step=\(n)/model.eqx").path }
        var link = stat()
        let present = names.compactMap { step(of: $0) }.filter { lstat(model($0), &link) == 0 }.sorted()
        guard let newest = present.last, let reason = unreadable(model(newest)) else { return }
        let readable = present.dropLast().last { unreadable(model($0)) == nil }
        throw ReferenceError.newestStepUnreadable(path: path, step: newest, reason: reason, readable: readable)
    }

    /// Why `file` cannot be read as a checkpoint, or nil when it is a non-empty regular file.
    static func unreadable(_ file: String) -> String? {
        var info = stat()
        if stat(file, &info) != 0 { return "is a link to a missing file" }
        if info.st_mode & S_IFMT != S_IFREG { return "is not a regular file" }
        if info.st_size == 0 { return "is empty (an interrupted save?)" }
        if access(file, R_OK) != 0 { return "cannot be read (permissions)" }
        return nil
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
