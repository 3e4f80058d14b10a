import Foundation

/// The compiled terminfo entries a release ships in share/qlx/terminfo (beside its bin/), for
/// systems whose terminfo database lives where this ncurses does not look (it searches the
/// paths of the distribution it was built on, Debian's) or lacks the entry TERM names.
/// The system's entries always win: the bundled copy is only added for a name the system
/// does not have.
public enum BundledTerminfo {
    /// share/qlx/terminfo beside the folder of the executable (symbolic links resolved), if
    /// there; nil in a source build.
    public static func directory(executable: URL = URL(fileURLWithPath: "/proc/self/exe")) -> String? {
        let prefix = executable.resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
        let folder = prefix.appendingPathComponent("share/qlx/terminfo").path
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue ? folder : nil
    }

    /// Whether `folder` holds a compiled entry `name` (tic's layout: the first letter, or its
    /// hexadecimal code on case-insensitive file systems, then the name).
    public static func contains(_ name: String, in folder: String) -> Bool {
        guard let first = name.unicodeScalars.first, !name.contains("/"), name != "." , name != ".." else { return false }
        return [String(first), String(format: "%02x", first.value)].contains {
            FileManager.default.fileExists(atPath: "\(folder)/\($0)/\(name)")
        }
    }

    /// Adds `folder` to the end of TERMINFO_DIRS, after the user's entries and ncurses' own
    /// default (an empty entry), so ncurses looks there last. ncurses reads the variable at
    /// every lookup, so this holds for the next newterm/setupterm.
    public static func append(_ folder: String) {
        let current = ProcessInfo.processInfo.environment["TERMINFO_DIRS"] ?? ""
        if current.split(separator: ":").contains(Substring(folder)) { return }
        setenv("TERMINFO_DIRS", current + ":" + folder, 1)
    }
}
