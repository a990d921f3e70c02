import Foundation
import SilaCore

/// Progress of long work on standard error: a bar with rate and ETA on a terminal, a plain line every few
/// seconds in a log, nothing when quiet.
final class ProgressDisplay: @unchecked Sendable {
    enum Style { case bar, lines, quiet }

    let style: Style
    private let throttle: Throttle
    private var phaseStart = Date()
    private var currentPhase = ""
    private let lock = NSLock()

    init(quiet: Bool) {
        style = quiet ? .quiet : (standardErrorIsTerminal ? .bar : .lines)
        throttle = Throttle(interval: style == .bar ? 0.1 : 5)
    }

    func update(_ progress: IndexProgress) {
        guard style != .quiet else { return }
        let finished = progress.done >= progress.total
        let newPhase: Bool = lock.withLock {
            guard progress.phase != currentPhase else { return false }
            currentPhase = progress.phase
            phaseStart = Date()
            return true
        }
        guard newPhase || finished || throttle.ready() else { return }
        let elapsed = Date().timeIntervalSince(lock.withLock { phaseStart })
        let rate = elapsed > 0 ? Double(progress.done) / elapsed : 0
        let remaining = rate > 0 ? Double(progress.total - progress.done) / rate : 0
        let fraction = progress.total > 0 ? Double(progress.done) / Double(progress.total) : 1
        // A rate needs a measured interval: the first report of a phase only starts its clock.
        let rateText = elapsed >= 0.5 && !newPhase ? String(format: " %.0f/s ETA %@", rate, Self.duration(remaining)) : ""
        let figures = String(format: "%@ %d/%d (%.0f%%)", progress.phase, progress.done, progress.total, fraction * 100) + rateText
        switch style {
        case .bar:
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            FileHandle.standardError.write(Data("\r\u{1B}[K\(bar) \(figures)\(finished ? "\n" : "")".utf8))
        case .lines:
            printError(figures)
        case .quiet:
            break
        }
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 60 ? String(format: "%.0fs", seconds) : String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60)
    }
}
