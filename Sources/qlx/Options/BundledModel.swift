import Foundation

/// Finds the models that ship in assets/, so `qlx` with no arguments has something to show and
/// each bundled model opens by name (`qlx explore sprites`).
enum BundledModel {
    /// Name → file in assets/, the default first: the colour scenes model when it is there.
    static let files: [(name: String, file: String)] = [("scenes", "scenes-qlae.safetensors"), ("sprites", "sprites-qlae.safetensors")]

    struct NotFound: Error, CustomStringConvertible {
        let files: [String]
        let searched: [String]
        var description: String {
            "bundled model \(files.joined(separator: " or ")) not found (looked in \(searched.joined(separator: ", "))); pass a checkpoint path or set QLX_MODEL"
        }
    }

    /// A checkpoint argument: nil → the default model; the name of a bundled model (when no
    /// file of that name exists here) → its file; anything else is a path, returned as given.
    static func resolve(_ argument: String?) throws -> String {
        guard let argument else { return try locate() }
        if !FileManager.default.fileExists(atPath: argument), let entry = files.first(where: { $0.name == argument }) {
            return try locate(files: [entry.file])
        }
        return argument
    }

    /// $QLX_MODEL, then ./assets, then share/qlx beside the executable's folder (a release:
    /// PREFIX/bin/qlx → PREFIX/share/qlx, in the tarball and inside the wheel alike), then the
    /// assets/ folder of the repository the executable was built in (…/REPO/.build/release/qlx
    /// → …/REPO/assets); the first of `files` found. The executable's own path, symbolic links
    /// resolved, so a link to it on PATH (pipx, ~/.local/bin) finds the same models.
    static func locate(files: [String] = BundledModel.files.map(\.file)) throws -> String {
        let fm = FileManager.default
        if files.count > 1, let override = ProcessInfo.processInfo.environment["QLX_MODEL"], !override.isEmpty {
            return override
        }
        var folders = [fm.currentDirectoryPath + "/assets"]
        var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        folders.append(dir.deletingLastPathComponent().appendingPathComponent("share/qlx").path)
        for _ in 0..<5 {
            folders.append(dir.appendingPathComponent("assets").path)
            dir = dir.deletingLastPathComponent()
        }
        for file in files {
            for folder in folders where fm.fileExists(atPath: folder + "/" + file) { return folder + "/" + file }
        }
        throw NotFound(files: files, searched: Array(Set(folders.map { URL(fileURLWithPath: $0).standardized.path })).sorted())
    }
}
