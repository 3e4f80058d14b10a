/// Mouse events to actions, through the same rectangles the screen is drawn in (pure, so a
/// click can be tested without a terminal): a click on a latent's row selects it, a click on
/// a strip thumbnail steps to its value, the wheel steps the value (over the latent list it
/// moves the selection).
public enum MouseMap {
    public static func action(for event: MouseEvent, state: ExplorerState, layout: ExplorerLayout) -> Action? {
        let overLatents = layout.latents.contains(x: event.x, y: event.y)
        switch event.kind {
        case .wheelDown: return overLatents ? .selectNextLatent : .stepValue(1)
        case .wheelUp: return overLatents ? .selectPreviousLatent : .stepValue(-1)
        case .press:
            if overLatents {
                return LatentsPanel.visibleRows(state, in: layout.latents).first { $0.y == event.y }.map { Action.selectLatent($0.latent) }
            }
            return TraversalStrip.slots(state, layout: layout).first { $0.frame.contains(x: event.x, y: event.y) }
                .map { Action.setValue($0.value) }
        }
    }
}

extension Rect {
    func contains(x px: Int, y py: Int) -> Bool { px >= x && px < maxX && py >= y && py < maxY }
}
