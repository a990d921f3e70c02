import Foundation

/// Names of the shadow tables recomputes fill before their swap. Each run has its own, named after its process,
/// so two recomputes (a server's and a nightly `sila index`) never write into one table, and a shadow table is
/// known to be abandoned exactly when the process that named it is gone.
enum ShadowTable {
    static let prefix = "related_shadow"

    /// A fresh name for this process: `related_shadow_<pid>_<random>`.
    static func newName() -> String {
        "\(prefix)_\(getpid())_\(String(UInt32.random(in: .min ... .max), radix: 16))"
    }

    /// Whether a table of that name is a shadow table nobody will finish: its process has exited (or it was named
    /// by an older Sila, which used one fixed name).
    static func isAbandoned(_ name: String) -> Bool {
        guard name.hasPrefix(prefix) else { return false }
        let parts = name.dropFirst(prefix.count).split(separator: "_")
        guard let first = parts.first, let pid = pid_t(first) else { return true }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
