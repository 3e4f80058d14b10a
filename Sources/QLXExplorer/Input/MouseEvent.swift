/// A mouse event as the explorer sees it (the terminal layer turns ncurses' MEVENT into
/// these): a press of the left button, or a wheel step, at a cell.
public struct MouseEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case press
        /// The wheel turned towards the user (down) or away (up).
        case wheelDown, wheelUp
    }
    public var kind: Kind
    public var x: Int, y: Int

    public init(_ kind: Kind, x: Int, y: Int) {
        self.kind = kind
        self.x = x
        self.y = y
    }
}
