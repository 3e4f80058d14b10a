import Foundation

/// Other programs qlx asks a question of (git for a source build's commit, tmux for its
/// passthrough setting): run through /usr/bin/env so $PATH finds them, their error output
/// discarded so nothing lands under the explorer's screen.
public enum ExternalTool {
    /// `tool arguments…`'s exit status and standard output, or nil when it cannot be started.
    public static func run(_ tool: String, _ arguments: [String]) -> (status: Int32, output: String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
