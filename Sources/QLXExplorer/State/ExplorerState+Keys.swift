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
        if tour != nil {
            // Any key stops the tour; the quit keys still quit.
            tour = nil
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
        return apply(action)
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
            statusMessage = "touring: any key stops"
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
            showHelp = false
        case .redraw:
            return .redraw
        case .suspend:
            return .suspend
        case .quit:
            return .quit
        }
        return .none
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
