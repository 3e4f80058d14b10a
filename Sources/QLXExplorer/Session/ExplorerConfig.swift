import Foundation
import QLXIO
import QLXRender
import TOMLKit

/// The explorer settings a user changes with keys, kept between sessions in
/// `$XDG_CONFIG_HOME/qlx/config.toml` (`~/.config/qlx/config.toml` without it). A flag wins
/// over the file for its session; a key that changes a setting changes the file (on quit).
///
/// ```toml
/// mode = "quadrant"      # --mode
/// colors = "256"         # --colors
/// graphics = "auto"      # --graphics
/// mouse = false          # --no-mouse
/// tour_ms = 150          # milliseconds per tour step
/// ```
///
/// A file qlx cannot read (not TOML, an unknown key, a value out of range) is reported in one
/// line and left as it is: nothing is saved over it.
public struct ExplorerConfig: Equatable, Sendable {
    public var mode: RenderMode?
    public var colors: ColorDepth?
    public var graphics: GraphicsChoice?
    public var mouse: Bool?
    public var tourMilliseconds: Int?

    public init(mode: RenderMode? = nil, colors: ColorDepth? = nil, graphics: GraphicsChoice? = nil, mouse: Bool? = nil,
                tourMilliseconds: Int? = nil) {
        self.mode = mode
        self.colors = colors
        self.graphics = graphics
        self.mouse = mouse
        self.tourMilliseconds = tourMilliseconds
    }

    public static let tourRange = 20...5_000
    /// Larger files are not settings files.
    static let maximumBytes = 64 * 1024

    /// Where the file is for this environment; nil without XDG_CONFIG_HOME and HOME.
    public static func path(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {   // the spec ignores relative paths
            return xdg + "/qlx/config.toml"
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.config/qlx/config.toml"
    }

    /// The settings in the file at `path`; none when there is no file. Throws
    /// `ExplorerError.badConfig` when the file cannot be used.
    public static func read(from path: String) throws -> ExplorerConfig {
        guard FileManager.default.fileExists(atPath: path) else { return ExplorerConfig() }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        guard size <= maximumBytes else {
            throw ExplorerError.badConfig(path: path, reason: "\(size) bytes, more than a settings file has (\(maximumBytes) at most)")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ExplorerError.badConfig(path: path, reason: "cannot be read as UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Reads settings from TOML text (`path` names it in errors).
    public static func parse(_ text: String, path: String) throws -> ExplorerConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ExplorerError.badConfig(path: path, reason: "line \(error.source.begin.line): \(escaped(error.description))")
        }
        var config = ExplorerConfig()
        func bad(_ key: String, _ expected: String, _ value: TOMLValueConvertible) -> ExplorerError {
            .badConfig(path: path, reason: "\(key): expected \(expected), found \(quoted(value.debugDescription))")
        }
        func string<T>(_ key: String, _ value: TOMLValueConvertible, _ choices: [String], _ make: (String) -> T?) throws -> T {
            let expected = choices.map { "\"\($0)\"" }.joined(separator: ", ")
            guard let text = value.string, let made = make(text) else { throw bad(key, "one of \(expected)", value) }
            return made
        }
        for (key, value) in table {
            switch key {
            case "mode":
                config.mode = try string(key, value, RenderMode.allCases.map(\.rawValue)) { RenderMode(rawValue: $0) }
            case "colors":
                config.colors = try string(key, value, ColorDepth.allCases.map(\.rawValue)) { ColorDepth(rawValue: $0) }
            case "graphics":
                config.graphics = try string(key, value, GraphicsChoice.allCases.map(\.rawValue)) { GraphicsChoice(rawValue: $0) }
            case "mouse":
                guard let flag = value.bool else { throw bad(key, "true or false", value) }
                config.mouse = flag
            case "tour_ms":
                guard let ms = value.int, tourRange.contains(ms) else {
                    throw bad(key, "milliseconds \(tourRange.lowerBound)…\(tourRange.upperBound)", value)
                }
                config.tourMilliseconds = ms
            default:
                throw ExplorerError.badConfig(path: path, reason: "unknown setting \(quoted(key)) (known: mode, colors, graphics, mouse, tour_ms)")
            }
        }
        return config
    }

    /// The file's text: a comment, then the settings that are set.
    public var text: String {
        let table = TOMLTable()
        if let mode { table["mode"] = mode.rawValue }
        if let colors { table["colors"] = colors.rawValue }
        if let graphics { table["graphics"] = graphics.rawValue }
        if let mouse { table["mouse"] = mouse }
        if let tourMilliseconds { table["tour_ms"] = tourMilliseconds }
        return "# qlx explore settings: written when keys change them; flags override them for one run.\n"
            + table.convert(to: .toml) + "\n"
    }

    /// Writes the settings to `path` atomically, creating its folder. The file is the
    /// explorer's own, so it is replaced whatever it holds; a symbolic link there (a dotfiles
    /// setup) stays, and the file it points to is replaced.
    public func write(to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try AtomicFile.write(Array(text.utf8), to: path, replacing: nil, throughLinks: true)
        } catch let error as FileWriteError {
            throw ExplorerError.cannotSaveConfig(path: path, reason: error.reason)
        } catch {
            throw ExplorerError.cannotSaveConfig(path: path, reason: "cannot create \(folder): \((error as NSError).localizedDescription)")
        }
    }
}
