import Foundation

/// A new, empty folder for one test's files under the system's temporary directory, named
/// "qlx-<label>-<UUID>" so that parallel tests never share one. The caller removes it.
public func makeScratchDirectory(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("qlx-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The PID of a process that has just exited (free until the kernel reuses it, which a fresh
/// PID makes unlikely): what a temporary file left by a killed writer is named after.
public func exitedProcessID() throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try process.run()
    process.waitUntilExit()
    return process.processIdentifier
}
