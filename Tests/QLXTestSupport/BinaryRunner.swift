import Foundation

/// Runs the built `qlx` executable (it sits beside the test bundle in the build folder) and
/// captures its output, for end-to-end tests of the command-line tool as a user runs it.
public struct QLXRun: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

public enum QLXBinary {
    /// Path of the `qlx` executable built with the tests (`swift build` puts all products in
    /// one folder). Override with QLX_BINARY.
    public static var path: String {
        if let override = ProcessInfo.processInfo.environment["QLX_BINARY"] { return override }
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = testBinary.deletingLastPathComponent()
        // The Linux test runner lives in <build>/<config>/; on macOS inside a .xctest bundle.
        while !dir.path.hasSuffix("release") && !dir.path.hasSuffix("debug") && dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("qlx").path
    }

    /// The repository root (for assets/ and fixtures), found from this source file.
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// Runs qlx with `arguments`, optional stdin text, extra environment and working folder;
    /// waits at most `timeout` seconds, then kills it.
    public static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
                           directory: URL? = nil, timeout: TimeInterval = 60) throws -> QLXRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        if let directory { process.currentDirectoryURL = directory }
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // Drain both pipes concurrently so a chatty child never blocks on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        group.wait()
        return QLXRun(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}
