import Foundation

/// A new, empty folder for one test's files under the system's temporary directory, named
/// "qlx-<label>-<UUID>" so that parallel tests never share one. The caller removes it.
public func makeScratchDirectory(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("qlx-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
