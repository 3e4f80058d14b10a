/// Everything a key can ask the explorer to do. The reducer (`ExplorerState.apply`) gives
/// each its meaning; `KeyTable` is the only place keys are bound.
public enum Action: Hashable, Sendable {
    case selectPreviousLatent, selectNextLatent
    case stepValue(Int)
    /// A quarter of the selected latent's codebook (at least one value) down or up.
    case stepPage(Int)
    /// A digit: the value of that index, or (codebooks over 10 values) one digit of it.
    case jumpToValue(Int)
    /// Ends a value typed digit by digit (Enter).
    case endValueEntry
    /// Mouse: select this latent; step the selected latent to this value.
    case selectLatent(Int)
    case setValue(Int)
    case firstValue, lastValue
    case nextSample, previousSample
    case randomCode, reset
    case tourSelected, tourAll
    /// Tour speed (shorter/longer steps) and the cross-fade between values.
    case tourFaster, tourSlower, toggleSmoothTour
    /// One large image (presentation), and the 2-D sweep of two latents.
    case togglePresentation, toggleSweep
    case exportTraversal, exportTourGIF
    case cycleRenderMode, cycleColorDepth
    case toggleHelp, closeHelp
    case redraw
    case suspend
    case quit

    /// An action without its argument. `kind`'s switch makes every new action name one, so
    /// tests can go through every action (each has a key, or is one only the mouse sends).
    public enum Kind: CaseIterable, Sendable {
        case selectPreviousLatent, selectNextLatent, stepValue, stepPage, jumpToValue
        case endValueEntry, selectLatent, setValue, firstValue, lastValue, nextSample
        case previousSample, randomCode, reset, tourSelected, tourAll, tourFaster, tourSlower
        case toggleSmoothTour, togglePresentation, toggleSweep, exportTraversal, exportTourGIF
        case cycleRenderMode, cycleColorDepth, toggleHelp, closeHelp, redraw, suspend, quit
    }

    public var kind: Kind {
        switch self {
        case .selectPreviousLatent: return .selectPreviousLatent
        case .selectNextLatent: return .selectNextLatent
        case .stepValue: return .stepValue
        case .stepPage: return .stepPage
        case .jumpToValue: return .jumpToValue
        case .endValueEntry: return .endValueEntry
        case .selectLatent: return .selectLatent
        case .setValue: return .setValue
        case .firstValue: return .firstValue
        case .lastValue: return .lastValue
        case .nextSample: return .nextSample
        case .previousSample: return .previousSample
        case .randomCode: return .randomCode
        case .reset: return .reset
        case .tourSelected: return .tourSelected
        case .tourAll: return .tourAll
        case .tourFaster: return .tourFaster
        case .tourSlower: return .tourSlower
        case .toggleSmoothTour: return .toggleSmoothTour
        case .togglePresentation: return .togglePresentation
        case .toggleSweep: return .toggleSweep
        case .exportTraversal: return .exportTraversal
        case .exportTourGIF: return .exportTourGIF
        case .cycleRenderMode: return .cycleRenderMode
        case .cycleColorDepth: return .cycleColorDepth
        case .toggleHelp: return .toggleHelp
        case .closeHelp: return .closeHelp
        case .redraw: return .redraw
        case .suspend: return .suspend
        case .quit: return .quit
        }
    }
}
