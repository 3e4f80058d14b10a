/// The line search of L-BFGS-B (Moré & Thuente 1994, MINPACK-2 `dcsrch`/`dcstep`), with
/// L-BFGS-B's settings: sufficient decrease 1e-3, curvature 0.9, interval tolerance 0.1.
/// It finds a step along a descent direction that satisfies the strong Wolfe conditions,
/// keeping an interval of uncertainty refined by cubic and quadratic interpolation. Following
/// L-BFGS-B's line search to the letter keeps our iterates close to scikit-learn's (SciPy's)
/// when a fit stops at the iteration limit rather than at convergence.
struct MoreThuenteLineSearch {
    var sufficientDecrease = 1e-3
    var curvature = 0.9
    var intervalTolerance = 0.1
    var minimumStep = 0.0
    var maximumStep = 1e10

    enum Outcome: Equatable {
        /// Strong Wolfe conditions hold at the last evaluated step.
        case converged
        /// No further progress possible (rounding, interval too small, step at a bound);
        /// L-BFGS-B still accepts the last evaluated step.
        case warning
        /// The evaluation budget ran out first.
        case exhausted
    }

    /// Searches from φ(0) = `value`, φ'(0) = `slope` < 0, starting at `initialStep`.
    /// `evaluate(step)` returns φ(step) and φ'(step) and must leave the caller's state at that
    /// step: the last call made is the accepted point.
    func search(initialStep: Double, value finit: Double, slope ginit: Double, maxEvaluations: Int,
                evaluate: (Double) -> (value: Double, slope: Double)) -> (step: Double, outcome: Outcome) {
        precondition(ginit < 0, "line search needs a descent direction")
        var stp = min(max(initialStep, minimumStep), maximumStep)
        var bracketed = false
        var stage = 1
        let gtest = sufficientDecrease * ginit
        var width = maximumStep - minimumStep
        var width1 = 2 * width
        // (stx, fx, gx): best step so far; (sty, fy, gy): other end of the interval.
        var stx = 0.0, fx = finit, gx = ginit
        var sty = 0.0, fy = finit, gy = ginit
        var stmin = 0.0
        var stmax = stp + 4 * stp

        var evaluations = 0
        while true {
            let (f, g) = evaluate(stp)
            evaluations += 1
            let ftest = finit + stp * gtest
            if stage == 1 && f <= ftest && g >= 0 { stage = 2 }

            if bracketed && (stp <= stmin || stp >= stmax) { return (stp, .warning) }
            if bracketed && stmax - stmin <= intervalTolerance * stmax { return (stp, .warning) }
            if stp == maximumStep && f <= ftest && g <= gtest { return (stp, .warning) }
            if stp == minimumStep && (f > ftest || g >= gtest) { return (stp, .warning) }
            if f <= ftest && abs(g) <= curvature * (-ginit) { return (stp, .converged) }
            if evaluations >= maxEvaluations { return (stp, .exhausted) }

            if stage == 1 && f <= fx && f > ftest {
                // Modified function ψ(α) = φ(α) − φ(0) − gtest·α until the first stage ends.
                var fxm = fx - stx * gtest, gxm = gx - gtest
                var fym = fy - sty * gtest, gym = gy - gtest
                let fm = f - stp * gtest, gm = g - gtest
                step(stx: &stx, fx: &fxm, dx: &gxm, sty: &sty, fy: &fym, dy: &gym,
                     stp: &stp, fp: fm, dp: gm, bracketed: &bracketed, stpmin: stmin, stpmax: stmax)
                fx = fxm + stx * gtest; fy = fym + sty * gtest
                gx = gxm + gtest; gy = gym + gtest
            } else {
                step(stx: &stx, fx: &fx, dx: &gx, sty: &sty, fy: &fy, dy: &gy,
                     stp: &stp, fp: f, dp: g, bracketed: &bracketed, stpmin: stmin, stpmax: stmax)
            }

            // Force sufficient shrinking of the interval.
            if bracketed {
                if abs(sty - stx) >= 0.66 * width1 { stp = stx + 0.5 * (sty - stx) }
                width1 = width
                width = abs(sty - stx)
            }
            if bracketed {
                stmin = min(stx, sty); stmax = max(stx, sty)
            } else {
                stmin = stp + 1.1 * (stp - stx); stmax = stp + 4 * (stp - stx)
            }
            stp = min(max(stp, minimumStep), maximumStep)
            if (bracketed && (stp <= stmin || stp >= stmax)) || (bracketed && stmax - stmin <= intervalTolerance * stmax) {
                stp = stx
            }
        }
    }

    /// `dcstep`: a safeguarded trial step from the interval ends (stx, sty) and the current
    /// step, updating the interval.
    private func step(stx: inout Double, fx: inout Double, dx: inout Double,
                      sty: inout Double, fy: inout Double, dy: inout Double,
                      stp: inout Double, fp: Double, dp: Double,
                      bracketed: inout Bool, stpmin: Double, stpmax: Double) {
        let sgnd = dp * (dx / abs(dx))
        var stpf: Double
        if fp > fx {
            // Higher function value: the minimum is bracketed. Cubic or cubic/quadratic mean.
            let theta = 3 * (fx - fp) / (stp - stx) + dx + dp
            let s = max(abs(theta), abs(dx), abs(dp))
            var gamma = s * ((theta / s) * (theta / s) - (dx / s) * (dp / s)).squareRoot()
            if stp < stx { gamma = -gamma }
            let p = (gamma - dx) + theta
            let q = ((gamma - dx) + gamma) + dp
            let r = p / q
            let stpc = stx + r * (stp - stx)
            let stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2) * (stp - stx)
            stpf = abs(stpc - stx) < abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2
            bracketed = true
        } else if sgnd < 0 {
            // Derivatives of opposite sign: bracketed. Cubic or secant step.
            let theta = 3 * (fx - fp) / (stp - stx) + dx + dp
            let s = max(abs(theta), abs(dx), abs(dp))
            var gamma = s * ((theta / s) * (theta / s) - (dx / s) * (dp / s)).squareRoot()
            if stp > stx { gamma = -gamma }
            let p = (gamma - dp) + theta
            let q = ((gamma - dp) + gamma) + dx
            let r = p / q
            let stpc = stp + r * (stx - stp)
            let stpq = stp + (dp / (dp - dx)) * (stx - stp)
            stpf = abs(stpc - stp) > abs(stpq - stp) ? stpc : stpq
            bracketed = true
        } else if abs(dp) < abs(dx) {
            // Same sign, derivative magnitude decreases.
            let theta = 3 * (fx - fp) / (stp - stx) + dx + dp
            let s = max(abs(theta), abs(dx), abs(dp))
            var gamma = s * max(0, (theta / s) * (theta / s) - (dx / s) * (dp / s)).squareRoot()
            if stp > stx { gamma = -gamma }
            let p = (gamma - dp) + theta
            let q = (gamma + (dx - dp)) + gamma
            let r = p / q
            let stpc: Double
            if r < 0 && gamma != 0 {
                stpc = stp + r * (stx - stp)
            } else if stp > stx {
                stpc = stpmax
            } else {
                stpc = stpmin
            }
            let stpq = stp + (dp / (dp - dx)) * (stx - stp)
            if bracketed {
                stpf = abs(stpc - stp) < abs(stpq - stp) ? stpc : stpq
                stpf = stp > stx ? min(stp + 0.66 * (sty - stp), stpf) : max(stp + 0.66 * (sty - stp), stpf)
            } else {
                stpf = abs(stpc - stp) > abs(stpq - stp) ? stpc : stpq
                stpf = max(stpmin, min(stpmax, stpf))
            }
        } else {
            // Same sign, derivative magnitude does not decrease.
            if bracketed {
                let theta = 3 * (fp - fy) / (sty - stp) + dy + dp
                let s = max(abs(theta), abs(dy), abs(dp))
                var gamma = s * ((theta / s) * (theta / s) - (dy / s) * (dp / s)).squareRoot()
                if stp > sty { gamma = -gamma }
                let p = (gamma - dp) + theta
                let q = ((gamma - dp) + gamma) + dy
                let r = p / q
                stpf = stp + r * (sty - stp)
            } else {
                stpf = stp > stx ? stpmax : stpmin
            }
        }
        // Update the interval of uncertainty.
        if fp > fx {
            sty = stp; fy = fp; dy = dp
        } else {
            if sgnd < 0 { sty = stx; fy = fx; dy = dx }
            stx = stp; fx = fp; dx = dp
        }
        stp = stpf
    }
}
