import QLXCore

/// What the session must do after a key, beyond the new state (the state stays pure: it
/// never decodes, encodes or writes files itself).
public enum Effect: Equatable, Sendable {
    case none
    /// Encode dataset sample `index` and show it (`ExplorerState.showSample`).
    case loadSample(index: Int)
    case exportTraversal
    /// The selected latent's tour as an animated GIF (`E`).
    case exportTourGIF
    /// Repaint every cell (Ctrl-L, resize).
    case redraw
    /// Give the terminal back and stop (Ctrl-Z); repaint everything when continued.
    case suspend
    case quit
}

extension ExplorerState {
    /// One key press: the key table's action, unless an overlay or the tour takes the key.
    public mutating func handle(_ key: Key) -> Effect {
        if key == .resize { return .redraw }
        let action = KeyTable.action(for: key)
        if let running = tour {
            // Speed and smoothness change while it runs; any other key stops the tour and
            // puts the latent back where it was; the quit keys still quit.
            if let action, [Action.tourFaster, .tourSlower, .toggleSmoothTour].contains(action) { return apply(action) }
            tour = nil
            code[running.latent] = running.savedValue
            statusMessage = "tour stopped"
            return action == .quit ? .quit : .none
        }
        if showHelp {
            switch KeyTable.helpOverlayAction(for: key) {
            case .closeHelp?:
                showHelp = false
                return .none
            case .quit?: return .quit
            case .redraw?: return .redraw
            default: return .none
            }
        }
        guard let action else { return .none }
        if let sweep, let moved = sweepAction(action, sweep) { return moved }
        return apply(action)
    }

    /// In the 2-D sweep the arrows choose the latents: ↑/↓ the rows' latent, ←/→ the
    /// columns' (the selected one), never the same for both.
    private mutating func sweepAction(_ action: Action, _ sweep: Sweep) -> Effect? {
        func next(_ latent: Int, _ step: Int, avoiding other: Int) -> Int {
            var l = (latent + step + latentCount) % latentCount
            if l == other { l = (l + step + latentCount) % latentCount }
            return l
        }
        switch action {
        case .selectPreviousLatent, .selectNextLatent:
            let step = action == .selectNextLatent ? 1 : -1
            self.sweep = Sweep(rowLatent: next(sweep.rowLatent, step, avoiding: selectedLatent))
        case .stepValue(let step):
            selectedLatent = next(selectedLatent, step > 0 ? 1 : -1, avoiding: sweep.rowLatent)
        default:
            return nil
        }
        statusMessage = nil
        return Effect.none
    }

    /// The meaning of each action.
    public mutating func apply(_ action: Action) -> Effect {
        statusMessage = nil
        let typed = valueEntry
        valueEntry = nil
        switch action {
        case .selectPreviousLatent:
            selectedLatent = (selectedLatent + latentCount - 1) % latentCount
        case .selectNextLatent:
            selectedLatent = (selectedLatent + 1) % latentCount
        case .stepValue(let delta):
            setValue(code[selectedLatent] + delta)
        case .stepPage(let pages):
            setValue(code[selectedLatent] + pages * max(1, valueCount(of: selectedLatent) / 4))
        case .jumpToValue(let digit):
            // Over 10 values a digit extends the number typed so far; the value follows at
            // once, and the number stays open while another digit could still fit.
            let count = valueCount(of: selectedLatent)
            let value = count > 10 ? (typed ?? 0) * 10 + digit : digit
            if value < count {
                setValue(value)
                if count > 10 && value > 0 && value * 10 < count {
                    valueEntry = value
                    statusMessage = "value \(value)… (another digit, or Enter)"
                }
            } else {
                statusMessage = "latent \(selectedLatent) has only \(count) values (0–\(count - 1))"
            }
        case .endValueEntry:
            if let typed { statusMessage = "value \(typed)" }
        case .selectLatent(let latent):
            selectedLatent = min(max(latent, 0), latentCount - 1)
        case .setValue(let value):
            setValue(value)
        case .firstValue:
            setValue(0)
        case .lastValue:
            setValue(valueCount(of: selectedLatent) - 1)
        case .nextSample, .previousSample:
            guard sampleCount > 0 else {
                statusMessage = "no dataset: samples unavailable"
                return .none
            }
            sampleCursor += action == .nextSample ? 1 : -1
            return .loadSample(index: sampleIndex(at: sampleCursor))
        case .randomCode:
            code = codebooks.map { uniformIndex(below: $0.count, using: &rng) }
            sample = nil
        case .reset:
            code = startCode
            sample = startSample
            sampleCursor = 0
            statusMessage = "reset"
        case .tourSelected, .tourAll:
            let latents = action == .tourAll ? Array(0..<latentCount) : [selectedLatent]
            tour = Tour(scope: action == .tourAll ? .all : .selected, latents: latents,
                        startValue: code[latents[0]])
            statusMessage = "touring: +/- speed, f cross-fade, other keys stop"
        case .tourFaster, .tourSlower:
            let steps = [40, 60, 80, 100, 150, 200, 300, 500, 800, 1_200]
            let index = steps.lastIndex { $0 <= tourInterval } ?? 0
            tourInterval = steps[min(max(index + (action == .tourFaster ? -1 : 1), 0), steps.count - 1)]
            statusMessage = "tour: \(tourInterval) ms per value"
        case .toggleSmoothTour:
            smoothTour.toggle()
            statusMessage = smoothTour ? "tour: cross-fade between values" : "tour: one value at a time"
        case .togglePresentation:
            presenting.toggle()
            sweep = nil
        case .toggleSweep:
            guard latentCount > 1 else {
                statusMessage = "the sweep needs two latents"
                return .none
            }
            sweep = sweep == nil ? Sweep(rowLatent: (selectedLatent + 1) % latentCount) : nil
            presenting = false
        case .exportTraversal:
            return .exportTraversal
        case .exportTourGIF:
            return .exportTourGIF
        case .cycleRenderMode:
            let next = ((renderModes.firstIndex(of: renderMode) ?? 0) + 1) % renderModes.count
            renderMode = renderModes[next]
            statusMessage = "render mode: \(renderMode.rawValue)"
        case .cycleColorDepth:
            let next = ((colorDepths.firstIndex(of: colorDepth) ?? 0) + 1) % colorDepths.count
            colorDepth = colorDepths[next]
            statusMessage = "colours: \(colorDepth.rawValue)"
        case .toggleHelp:
            showHelp.toggle()
        case .closeHelp:
            // Esc goes back: out of help, then out of the presentation or the sweep.
            if showHelp { showHelp = false } else { presenting = false; sweep = nil }
        case .redraw:
            return .redraw
        case .suspend:
            return .suspend
        case .quit:
            return .quit
        }
        return .none
    }

    /// The code the running tour shows next (for the cross-fade), nil without a tour.
    public var nextTourCode: [Int]? {
        guard var running = tour else { return nil }
        return running.advance(code: code, valuesPerLatent: valueCount(of: running.latent))
    }

    /// One animation frame of the running tour (no-op without one).
    public mutating func advanceTour() {
        guard var running = tour else { return }
        code = running.advance(code: code, valuesPerLatent: valueCount(of: running.latent))
        selectedLatent = running.latent
        tour = running
    }

    /// Shows an encoded dataset sample: its code becomes the current code.
    public mutating func showSample(_ loaded: LoadedSample) {
        precondition(loaded.code.count == latentCount)
        sample = loaded
        code = loaded.code
        statusMessage = "sample \(loaded.index)"
    }

    /// Makes `loaded` the code `z` returns to (the first sample shown at start-up).
    public mutating func setStart(_ loaded: LoadedSample) {
        showSample(loaded)
        startCode = loaded.code
        startSample = loaded
        statusMessage = nil
    }

    private mutating func setValue(_ value: Int) {
        code[selectedLatent] = min(max(value, 0), valueCount(of: selectedLatent) - 1)
    }
}
