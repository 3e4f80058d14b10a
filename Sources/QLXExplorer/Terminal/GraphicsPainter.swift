import Foundation
import QLXRender

/// Draws a frame's image placements in pixels after ncurses has painted the cells, sending
/// as little as it can. Pure bookkeeping: `CursesScreen` writes what `plan` returns.
///
/// The frame model: each view owns the whole screen, so a frame of another view (or a full
/// repaint) clears the screen and every image first (`Plan.clearsScreen`), and nothing of the
/// old view survives. Within a view:
/// - kitty: each distinct image is transmitted once, at the model's resolution, under an id of
///   its own; a place on screen is a placement of it, scaled by the terminal over the cells.
///   Stepping to an image already sent costs one short placement command, and a place that
///   shows another image gets the new placement before the old one goes (no blank frame).
/// - sixel: each image is encoded once per size (a small cache by content), and sent again
///   only when its image or place changed or ncurses may have rewritten a cell under it (text
///   over a sixel erases those pixels). Places that disappear are handed back to ncurses to
///   repaint (sixel pixels stay until their cells are rewritten).
/// The output is wrapped in save/restore cursor, so ncurses finds the cursor where it left
/// it: an image moves the terminal's cursor behind ncurses' back, and its next relative move
/// would put text in the wrong place.
public final class GraphicsPainter {
    let graphics: GraphicsProtocol
    let tmux: TmuxState?
    let colorRegisters: Int
    /// What each place (placement id) shows now.
    private var shown: [Int: Shown] = [:]
    private var lastGrid: CellGrid?
    private var lastView: ExplorerFrame.View?
    private var kittyImages = ImageStore<Int>(capacity: 192)
    private var nextKittyImage = 1
    private lazy var sixels = SixelCache(colorRegisters: colorRegisters)
    /// The strip's images last seen: what the preview shows next, encoded ahead at its size.
    private var upcoming: [(image: RenderImage, key: UInt64)] = []

    private struct Shown: Equatable {
        var rect: Rect
        var key: UInt64
        var pixelWidth: Int
        var pixelHeight: Int
        /// The kitty image id shown there.
        var image: Int
    }

    public init(graphics: GraphicsProtocol, tmux: TmuxState?, colorRegisters: Int) {
        self.graphics = graphics
        self.tmux = tmux
        self.colorRegisters = colorRegisters
    }

    /// What to do for `frame`: whether to clear the screen first, rows ncurses must repaint
    /// before its update (under sixel images that went away), then the escape sequences to
    /// write after it.
    public struct Plan {
        public var clearsScreen = false
        public var rowsToRepaint: [Int] = []
        public var output = ""
        /// Images drawn (placed or sent), and of them those whose pixels were transmitted.
        public var sent = 0
        public var transmitted = 0
    }

    public func plan(_ frame: ExplorerFrame, full: Bool) -> Plan {
        var plan = Plan()
        var sequences: [String] = []
        if full || frame.view != lastView {
            plan.clearsScreen = true
            // Clearing the screen removes kitty's placements and may free their images.
            if graphics == .kitty {
                sequences.append(KittyGraphics.deleteAll)
                sequences += kittyImages.removeAll().map(KittyGraphics.delete(id:))
            }
            shown.removeAll()
            lastGrid = nil
        }
        lastView = frame.view
        let current = Dictionary(frame.placements.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        var keys: [Int: UInt64] = [:]
        for placement in frame.placements { keys[placement.id] = placement.image.contentKey }

        // Places gone (kitty: hidden; sixel: rows for ncurses to repaint).
        var repaint = Set<Int>()
        var hideAfter: [String] = []
        for (id, old) in shown {
            guard let new = current[id] else {
                if graphics == .kitty { sequences.append(KittyGraphics.hide(id: old.image, placement: id)) }
                else { repaint.formUnion(old.rect.y..<old.rect.maxY) }
                shown[id] = nil
                continue
            }
            if graphics == .sixel && new.rect != old.rect { repaint.formUnion(old.rect.y..<old.rect.maxY) }
        }
        plan.rowsToRepaint = repaint.sorted()

        for placement in frame.placements {
            let key = keys[placement.id]!
            let old = shown[placement.id]
            switch graphics {
            case .kitty:
                guard let image = kittyImage(for: placement, key: key, into: &sequences, plan: &plan) else { continue }
                let now = Shown(rect: placement.rect, key: key, pixelWidth: placement.pixelWidth,
                                pixelHeight: placement.pixelHeight, image: image)
                if old == now { continue }
                sequences.append(cursor(row: placement.rect.y, column: placement.rect.x)
                                 + KittyGraphics.show(id: image, placement: placement.id, columns: placement.rect.width,
                                                      rows: placement.rect.height))
                // The old image's placement goes after the new one is up.
                if let old, old.image != image { hideAfter.append(KittyGraphics.hide(id: old.image, placement: placement.id)) }
                shown[placement.id] = now
                plan.sent += 1
            default:
                let rows = placement.rect.y..<placement.rect.maxY
                let now = Shown(rect: placement.rect, key: key, pixelWidth: placement.pixelWidth,
                                pixelHeight: placement.pixelHeight, image: 0)
                let unchanged = old == now && !repaint.contains { rows.contains($0) }
                    && !mayBeRewritten(placement.rect, now: frame.grid)
                if unchanged { continue }
                guard let sequence = sixel(for: placement, key: key, plan: &plan) else { continue }
                sequences.append(cursor(row: placement.rect.y, column: placement.rect.x) + sequence)
                shown[placement.id] = now
                plan.sent += 1
            }
        }
        sequences += hideAfter
        lastGrid = frame.grid
        if graphics == .sixel { encodeAhead(frame, keys: keys) }
        if !sequences.isEmpty {
            plan.output = wrap("\u{1B}7") + sequences.map(wrap).joined() + wrap("\u{1B}8")
        }
        return plan
    }

    /// The kitty image id of `placement`'s image, transmitting it (at the model's resolution)
    /// when the terminal does not have it; images beyond the store's capacity are freed.
    private func kittyImage(for placement: ImagePlacement, key: UInt64, into sequences: inout [String],
                            plan: inout Plan) -> Int? {
        if let id = kittyImages[key] { return id }
        let image = placement.image
        // Smaller than the model's pixels (a thumbnail in a small strip): sent at its size.
        let pixels = placement.pixelWidth >= image.width && placement.pixelHeight >= image.height
            ? PixelImage(image, width: image.width, height: image.height)
            : PixelImage(image, width: placement.pixelWidth, height: placement.pixelHeight)
        let id = nextKittyImage
        guard let sequence = try? KittyGraphics.transmit(pixels, id: id) else { return nil }
        nextKittyImage += 1
        sequences.append(sequence)
        plan.transmitted += 1
        for evicted in kittyImages.insert(id, for: key) where !shown.values.contains(where: { $0.image == evicted }) {
            sequences.append(KittyGraphics.delete(id: evicted))
        }
        return id
    }

    /// `placement`'s sixel sequence, from the cache when this image was shown (or encoded
    /// ahead) at this size.
    private func sixel(for placement: ImagePlacement, key: UInt64, plan: inout Plan) -> String? {
        let (sequence, fresh) = sixels.sequence(placement.image, key: Self.sized(key, placement.pixelWidth, placement.pixelHeight),
                                                width: placement.pixelWidth, height: placement.pixelHeight)
        if fresh { plan.transmitted += 1 }
        return sequence
    }

    static func sized(_ key: UInt64, _ width: Int, _ height: Int) -> UInt64 {
        key ^ ((UInt64(width) << 40 | UInt64(height) << 20) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Encodes the strip's images at the preview's size on a background thread, so a value
    /// step (or a tour in presentation mode) finds the next preview's sixel ready.
    private func encodeAhead(_ frame: ExplorerFrame, keys: [Int: UInt64]) {
        let strip = frame.placements.filter { $0.id >= ImageCanvas.Slot.thumbnails && $0.id < ImageCanvas.Slot.sweep }
        if !strip.isEmpty { upcoming = strip.map { ($0.image, keys[$0.id]!) } }
        guard let preview = frame.placements.first(where: { $0.id == ImageCanvas.Slot.preview }) else { return }
        for (image, key) in upcoming {
            sixels.encodeAhead(image, key: Self.sized(key, preview.pixelWidth, preview.pixelHeight),
                               width: preview.pixelWidth, height: preview.pixelHeight)
        }
    }

    /// Waits until the encodings started ahead are done (tests and benchmarks: the idle time
    /// a person gives them between keys).
    public func waitForEncodesAhead() { sixels.waitUntilIdle() }

    /// Sequences that remove every image (on exit).
    func clearAll() -> String {
        guard graphics == .kitty else { return "" }
        return ([KittyGraphics.deleteAll] + kittyImages.removeAll().map(KittyGraphics.delete(id:))).map(wrap).joined()
    }

    /// Whether ncurses may write over `rect` when it updates from the last grid to `grid`.
    /// Over a sixel, ncurses also rewrites unchanged cells lying between two changes of a row
    /// when that is shorter than moving the cursor, so a change on each side of an image within
    /// `rewriteGap` cells counts too.
    private func mayBeRewritten(_ rect: Rect, now grid: CellGrid) -> Bool {
        guard let lastGrid, lastGrid.width == grid.width, lastGrid.height == grid.height else { return true }
        let reach = Self.rewriteGap
        for y in rect.y..<min(rect.maxY, grid.height) {
            var changedLeft = false
            for x in max(0, rect.x - reach)..<min(rect.maxX + reach, grid.width) where lastGrid[x, y] != grid[x, y] {
                if x >= rect.x && x < rect.maxX { return true }
                if x < rect.x { changedLeft = true } else if changedLeft { return true }
            }
        }
        return false
    }

    /// The longest run of unchanged cells ncurses rewrites rather than move the cursor over
    /// (a cursor move costs up to 8 bytes; wide characters take up to 4 each).
    static let rewriteGap = 12

    /// CUP to a cell of our screen (inside tmux, of the outer terminal: the pane's offset added).
    private func cursor(row: Int, column: Int) -> String {
        "\u{1B}[\(row + 1 + (tmux?.paneTop ?? 0));\(column + 1 + (tmux?.paneLeft ?? 0))H"
    }

    private func wrap(_ sequence: String) -> String {
        guard !sequence.isEmpty, tmux != nil else { return sequence }
        return TmuxState.wrap(sequence)
    }
}

/// Sixel sequences by image content and size, shared with the thread that encodes ahead.
final class SixelCache: @unchecked Sendable {
    private let condition = NSCondition()
    private var store = ImageStore<String>(capacity: 64)
    private var pending: Set<UInt64> = []
    private let queue = DispatchQueue(label: "qlx.sixel-ahead", qos: .utility)
    let colorRegisters: Int

    init(colorRegisters: Int) { self.colorRegisters = colorRegisters }

    /// The sequence for `key`, waiting for an encoding ahead of it in flight, else encoding
    /// now; `fresh` when it was encoded for this call.
    func sequence(_ image: RenderImage, key: UInt64, width: Int, height: Int) -> (String?, fresh: Bool) {
        condition.lock()
        while pending.contains(key) { condition.wait() }
        if let hit = store[key] {
            condition.unlock()
            return (hit, false)
        }
        condition.unlock()
        let sequence = try? SixelEncoder.encode(image, width: width, height: height, colorRegisters: colorRegisters)
        condition.lock()
        if let sequence { _ = store.insert(sequence, for: key) }
        condition.unlock()
        return (sequence, true)
    }

    func encodeAhead(_ image: RenderImage, key: UInt64, width: Int, height: Int) {
        condition.lock()
        defer { condition.unlock() }
        guard !store.contains(key), !pending.contains(key) else { return }
        pending.insert(key)
        let registers = colorRegisters
        queue.async { [self] in
            let sequence = try? SixelEncoder.encode(image, width: width, height: height, colorRegisters: registers)
            condition.lock()
            if let sequence { _ = store.insert(sequence, for: key) }
            pending.remove(key)
            condition.broadcast()
            condition.unlock()
        }
    }

    func waitUntilIdle() {
        condition.lock()
        while !pending.isEmpty { condition.wait() }
        condition.unlock()
    }
}

/// Values by image content key, the least recently used dropped past `capacity`.
struct ImageStore<Value> {
    let capacity: Int
    private var values: [UInt64: (value: Value, used: Int)] = [:]
    private var clock = 0

    init(capacity: Int) { self.capacity = capacity }

    subscript(key: UInt64) -> Value? {
        mutating get {
            guard let entry = values[key] else { return nil }
            clock += 1
            values[key] = (entry.value, clock)
            return entry.value
        }
    }

    func contains(_ key: UInt64) -> Bool { values[key] != nil }

    /// Stores `value`; returns the values dropped to stay within capacity.
    mutating func insert(_ value: Value, for key: UInt64) -> [Value] {
        clock += 1
        values[key] = (value, clock)
        var dropped: [Value] = []
        while values.count > capacity, let oldest = values.min(by: { $0.value.used < $1.value.used }) {
            dropped.append(oldest.value.value)
            values[oldest.key] = nil
        }
        return dropped
    }

    /// Empties the store; returns what it held.
    mutating func removeAll() -> [Value] {
        defer { values.removeAll() }
        return values.values.map(\.value)
    }
}
