import Foundation

/// Where a reference checkpoint and its config are, found from what the user named: a Hydra
/// job folder (holding `.hydra/` and `wandb/`), its `wandb/` folder, a wandb run folder (or its
/// `files/`), a `checkpoint/` or `checkpoint/step=N/` folder, or a `model.eqx` file. The newest
/// step is used unless a step is asked for; the configs are every `config.yaml` (wandb) and
/// `.hydra/config.yaml` (Hydra) up the tree, nearest first.
public struct RunFolder: Sendable, Equatable {
    public let modelFile: String
    /// The config the model is read with: the nearest one unless `ReferenceRun` had to pass
    /// over it (one that cannot describe the model).
    public internal(set) var configFile: String
    /// Every config found, nearest first (only the one named with `--config` when given).
    public let configFiles: [String]
    /// The step of `modelFile` (nil when its folder is not named step=N).
    public let step: Int?
    /// Every step found beside it, ascending.
    public let steps: [Int]
    /// What the user may want to know about the choices made, one line each: the wandb runs
    /// passed over for the newest one, a nearer config passed over (`ReferenceRun`).
    public internal(set) var notes: [String]

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
        var url = URL(fileURLWithPath: path).standardizedFileURL
        var notes: [String] = []
        if isDirectory.boolValue, !fm.fileExists(atPath: url.appendingPathComponent("model.eqx").path),
           Self.checkpointFolder(in: url) == nil {
            // A Hydra job folder or a wandb/ folder: its newest run.
            let runs = Self.wandbRuns(in: url) + Self.wandbRuns(in: url.appendingPathComponent("wandb"))
            guard let newest = runs.last else {
                throw ReferenceError.noCheckpoint(path: path, reason: Self.layouts)
            }
            if runs.count > 1 {
                let names = runs.map(\.lastPathComponent)
                notes.append("\(path): \(runs.count) wandb runs (\(names.joined(separator: ", "))); opened the newest, \(newest.lastPathComponent) (name a run's folder to open another)")
            }
            url = newest
        }
        let chosen: (model: URL, step: Int?, steps: [Int])
        if !isDirectory.boolValue {
            chosen = try Self.stepBeside(url, wanted: wanted, path: path)
        } else if fm.fileExists(atPath: url.appendingPathComponent("model.eqx").path) {
            chosen = try Self.stepBeside(url.appendingPathComponent("model.eqx"), wanted: wanted, path: path)
        } else {
            guard let folder = Self.checkpointFolder(in: url) else {
                throw ReferenceError.noCheckpoint(path: path, reason: Self.layouts)
            }
            let all = Self.steps(in: folder)
            if wanted == nil { try Self.refuseUnreadableNewestStep(in: folder, path: path) }
            let step = wanted ?? all.last!
            guard all.contains(step) else { throw ReferenceError.stepNotFound(path: path, step: step, available: all) }
            chosen = (folder.appendingPathComponent("step=\(step)/model.eqx"), step, all)
        }
        modelFile = chosen.model.path
        step = chosen.step
        steps = chosen.steps
        self.notes = notes
        if let config {
            guard fm.fileExists(atPath: config) else { throw ReferenceError.unreadableConfig(path: config, reason: "no such file") }
            configFiles = [config]
        } else {
            configFiles = Self.configs(above: chosen.model.deletingLastPathComponent())
            guard !configFiles.isEmpty else { throw ReferenceError.noConfig(path: path) }
        }
        configFile = configFiles[0]
    }

    /// What a folder is looked into for.
    static let layouts = "expected model.eqx, step=N/model.eqx, checkpoint/step=N/model.eqx, files/checkpoint/step=N/model.eqx or wandb/run-*/files/checkpoint/step=N/model.eqx"

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


    /// A model file named directly (or through its step=N folder): itself, or with `--step`
    /// another step=N folder beside its own.
    static func stepBeside(_ model: URL, wanted: Int?, path: String) throws -> (model: URL, step: Int?, steps: [Int]) {
        let folder = model.deletingLastPathComponent()
        let own = step(of: folder.lastPathComponent)
        let all = own == nil ? [] : steps(in: folder.deletingLastPathComponent())
        guard let wanted, wanted != own else { return (model, own, all) }
        guard all.contains(wanted) else {
            throw ReferenceError.stepNotFound(path: path, step: wanted, available: all.isEmpty ? own.map { [$0] } ?? [] : all)
        }
        return (folder.deletingLastPathComponent().appendingPathComponent("step=\(wanted)/model.eqx"), wanted, all)
    }

    /// The folder of step=N folders under a run folder, its `files/` or a `checkpoint/` folder.
    static func checkpointFolder(in url: URL) -> URL? {
        [url, url.appendingPathComponent("checkpoint"), url.appendingPathComponent("files/checkpoint")]
            .first { !steps(in: $0).isEmpty }
    }

    /// The wandb run folders in `folder` that hold checkpoints, oldest first: wandb names them
    /// `run-YYYYMMDD_HHMMSS-ID` (`offline-run-…` when offline), so the time in the name orders
    /// them; `latest-run` is a link to one of them and is skipped.
    static func wandbRuns(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let runs = names.compactMap { name -> (time: Substring, url: URL)? in
            let time = name.hasPrefix("offline-run-") ? name.dropFirst(12) : name.hasPrefix("run-") ? name.dropFirst(4) : nil
            guard let time else { return nil }
            let url = folder.appendingPathComponent(name)
            return checkpointFolder(in: url) == nil ? nil : (time, url)
        }
        return runs.sorted { ($0.time, $0.url.lastPathComponent) < ($1.time, $1.url.lastPathComponent) }.map(\.url)
    }

    /// Every config.yaml and .hydra/config.yaml from `start` up to the root, nearest first.
    static func configs(above start: URL) -> [String] {
        var found: [String] = []
        var dir = start
        while true {
            for candidate in ["config.yaml", ".hydra/config.yaml"] {
                let file = dir.appendingPathComponent(candidate).path
                if FileManager.default.fileExists(atPath: file) { found.append(file) }
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return found }
            dir = parent
        }
    }
}
