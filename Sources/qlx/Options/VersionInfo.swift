import CBuildInfo
import Foundation
import QLXIO

/// `qlx --version`: the version (`QLX.version`, the one place it is defined; scripts/package
/// names the artefacts after it), the commit, and whether this is a source build or a
/// release made by scripts/package.
enum VersionInfo {
    static func line() -> String {
        "qlx \(QLX.version) (\(build()))"
    }

    /// The release stamp scripts/package wrote into the binary, or, in a source build, the
    /// commit checked out in the repository the binary was built in (…/REPO/.build/…/qlx).
    static func build() -> String {
        let stamp = String(cString: qlx_build_stamp())
        if !stamp.isEmpty { return stamp }
        return "commit \(sourceCommit() ?? "unknown"), source build"
    }

    private static func sourceCommit() -> String? {
        let fm = FileManager.default
        var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            if fm.fileExists(atPath: dir.appendingPathComponent(".git").path),
               fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                return git(["-C", dir.path, "describe", "--always", "--dirty", "--abbrev=12"])
            }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    private static func git(_ arguments: [String]) -> String? {
        guard let run = ExternalTool.run("git", arguments), run.status == 0 else { return nil }
        let text = run.output.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
