/// Timings the event loop collects for `--stats` and `qlx bench`.
public struct ExplorerStats: Sendable {
    /// From the command's start (before loading the model) to the first painted frame.
    public var startupMilliseconds: Double?
    /// Key press (or scripted key) to the refreshed frame on the terminal.
    public var keyToFrameMilliseconds: [Double] = []
    /// Building one frame (decode + draw) and painting it.
    public var buildMilliseconds: [Double] = []
    public var paintMilliseconds: [Double] = []
    public var frames = 0
    /// Pixel images sent (kitty or sixel), and how the graphics were chosen.
    public var imagesSent = 0
    public var graphics: String?

    public init() {}

    public static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count - 1)).rounded())
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    /// A few lines for people: start-up, then median / p95 / max of each timing.
    public var report: String {
        func ms(_ v: Double?) -> String { v.map { Format.decimal($0, places: 2) + " ms" } ?? "n/a" }
        func line(_ name: String, _ values: [Double]) -> String {
            "\(name): \(values.count) × median \(ms(ExplorerStats.percentile(values, 50))), p95 \(ms(ExplorerStats.percentile(values, 95))), max \(ms(values.max()))"
        }
        return [
            "start-up to first frame: \(ms(startupMilliseconds))",
            line("key to frame", keyToFrameMilliseconds),
            line("frame build (decode + draw)", buildMilliseconds),
            line("paint (ncurses)", paintMilliseconds),
            "frames painted: \(frames)",
            "graphics: \(graphics ?? "cells")" + (imagesSent > 0 ? ", \(imagesSent) images sent" : ""),
        ].joined(separator: "\n")
    }
}
