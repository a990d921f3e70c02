import Foundation

// What `SilaBench loadgen` reports: one JSON object (the figures), the rows of the final table (targets of
// issue 7) and the notes printed under it (how the figures were taken, where the CPU went).

struct LoadGenReport {
    let options: LoadGenOptions
    let articles: Int
    let heldOut: Int
    let startup: Double
    let gets: LoadPhaseResult
    let getServerCPU: Double
    let paced: (LoadPhaseResult, serverCPU: Double)?
    let mixed: LoadPhaseResult
    let mixedServerCPU: Double
    let mixedPaced: (LoadPhaseResult, serverCPU: Double)?
    let rssStart: Double
    let rss: Double
    let hwm: Double
    let serverThreads: Int
    let cli: CLITimes
    /// "PHASE LOAD" per phase: the machine's 1-minute load average at its end.
    let loadAverages: [String]
    let single: SinglePutTimes

    private func phaseJSON(_ result: LoadPhaseResult, serverCPU: Double) -> [String: Any] {
        var object: [String: Any] = [
            "connections": result.phase.connections, "client_threads": result.phase.clientThreads,
            "seconds": result.windowSeconds, "warmup_s": result.phase.warmupSeconds,
            "requests_per_s": jsonRounded(result.requestsPerSecond, 1), "errors": result.errorCount,
            "transport_errors": result.errors, "server_cpu_cores": jsonRounded(serverCPU, 3),
            "client_cpu_cores": jsonRounded(result.clientCPUSeconds / result.windowSeconds, 3),
            "server_cpu_us_per_request": jsonRounded(serverCPU / max(result.requestsPerSecond, 1) * 1e6, 0),
        ]
        if let rate = result.phase.pacedRate { object["offered_per_s"] = rate }
        for (kind, name) in result.phase.kindNames.enumerated() {
            let key = name.lowercased()
            object[key + "_count"] = result.count(kind: kind)
            // No answer in the window: null, not NaN (which JSON cannot hold).
            let empty = result.count(kind: kind) == 0
            object[key + "_p50_ms"] = empty ? NSNull() : jsonRounded(result.percentileMS(50, kind: kind), 3)
            object[key + "_p99_ms"] = empty ? NSNull() : jsonRounded(result.percentileMS(99, kind: kind), 3)
            object[key + "_max_ms"] = empty ? NSNull() : jsonRounded(result.maxMS(kind: kind), 3)
            object[key + "_unanswered_at_end"] = result.unfinished[kind]
            object[key + "_statuses"] = Dictionary(uniqueKeysWithValues: result.statuses[kind].map { (String($0.key), $0.value) })
        }
        return object
    }

    var json: [String: Any] {
        var object: [String: Any] = [
            "benchmark": "loadgen", "corpus": options.corpus, "articles": articles, "server_startup_s": jsonRounded(startup, 3),
            "get": phaseJSON(gets, serverCPU: getServerCPU), "mixed": phaseJSON(mixed, serverCPU: mixedServerCPU),
            "put_share": options.putShare, "server_rss_start_mb": jsonRounded(rssStart, 1), "server_rss_end_mb": jsonRounded(rss, 1),
            "server_hwm_mb": jsonRounded(hwm, 1), "server_threads": serverThreads,
            "cli_calls": cli.count, "cli_mean_ms": jsonRounded(cli.mean, 2), "cli_p50_ms": jsonRounded(cli.p50, 2),
            "cli_p99_ms": jsonRounded(cli.p99, 2),
            "single_put_ms": single.millis.map { jsonRounded($0, 2) }, "single_put_server_cpu_s": jsonRounded(single.cpuEach, 3),
        ]
        if let paced { object["paced"] = phaseJSON(paced.0, serverCPU: paced.serverCPU) }
        if let mixedPaced { object["mixed_paced"] = phaseJSON(mixedPaced.0, serverCPU: mixedPaced.serverCPU) }
        object["held_out_articles"] = heldOut
        return object
    }

    private func ms(_ value: Double) -> String { String(format: value < 10 ? "%.2f" : "%.1f", value) }
    private func met(_ condition: Bool) -> String { condition ? "yes" : "NO" }

    var rows: [TableRow] {
        let connections = gets.phase.connections
        let getP99 = gets.percentileMS(99)
        let puts = LoadKind.puts
        var rows = [
            TableRow(
                benchmark: "dev: server GET related k=10, req/s (\(connections) keep-alive conns, closed loop, client on the same 2 cores)",
                sila: String(format: "%.0f", gets.requestsPerSecond), target: "≥ 10000/s", met: met(gets.requestsPerSecond >= 10_000)),
            TableRow(
                benchmark: "dev: server GET latency p50 / p99 / max, ms (same run)",
                sila: "\(ms(gets.percentileMS(50))) / \(ms(getP99)) / \(ms(gets.maxMS()))", target: "p99 ≤ 5 ms", met: met(getP99 <= 5)),
        ]
        if let (result, _) = paced {
            rows.append(
                TableRow(
                    benchmark: String(format: "dev: server GET p50 / p99 / max, ms, paced at %.0f req/s (open loop)", result.phase.pacedRate ?? 0),
                    sila: "\(ms(result.percentileMS(50))) / \(ms(result.percentileMS(99))) / \(ms(result.maxMS()))",
                    target: "p99 ≤ 5 ms", met: met(result.percentileMS(99) <= 5)))
        }
        rows += [
            TableRow(
                benchmark: "dev: server PUT alone (one at a time, idle server, new articles and edits): p50 / max, ms; server CPU per PUT, s",
                sila: "\(ms(single.p50)) / \(ms(single.max)); \(String(format: "%.3f", single.cpuEach))", target: "≤ 20 ms",
                met: met(!single.millis.isEmpty && single.max <= 20)),
        ]
        func mixedRows(_ result: LoadPhaseResult, _ name: String) -> [TableRow] {
            let putP99 = result.percentileMS(99, kinds: puts)
            let getP99 = result.percentileMS(99, kind: LoadKind.get)
            let byKind = [LoadKind.putNew, LoadKind.putEdit].map { kind in
                "\(LoadKind.mixedNames[kind]) \(ms(result.percentileMS(50, kind: kind))) / \(ms(result.percentileMS(99, kind: kind)))"
            }
            return [
                TableRow(
                    benchmark: String(
                        format: "dev: server mixed %.0f%% GET / %.0f%% PUT, %@: PUT p50 / p99, ms (%.0f req/s in all; %@)",
                        (1 - options.putShare) * 100, options.putShare * 100, name, result.requestsPerSecond, byKind.joined(separator: ", ")),
                    sila: "\(ms(result.percentileMS(50, kinds: puts))) / \(ms(putP99))", target: "p99 ≤ 20 ms",
                    met: met(result.count(kinds: puts) > 0 && putP99 <= 20)),
                TableRow(
                    benchmark: "dev: server mixed, \(name): GET p50 / p99, ms (same run)",
                    sila: "\(ms(result.percentileMS(50, kind: LoadKind.get))) / \(ms(getP99))", target: "p99 ≤ 10 ms", met: met(getP99 <= 10)),
            ]
        }
        rows += mixedRows(mixed, "closed loop, \(connections) conns")
        if let (result, _) = mixedPaced {
            rows += mixedRows(result, String(format: "paced at %.0f req/s", result.phase.pacedRate ?? 0))
        }
        let pacedErrors = mixedPaced?.0.errorCount ?? 0
        rows += [
            TableRow(
                benchmark: "dev: server errors (GET run / mixed runs)", sila: "\(gets.errorCount) / \(mixed.errorCount + pacedErrors)", target: "0",
                met: met(gets.errorCount == 0 && mixed.errorCount == 0 && pacedErrors == 0)),
            TableRow(
                benchmark: "dev: server RSS at the end / peak, MiB (VmRSS / VmHWM)", sila: String(format: "%.0f / %.0f", rss, hwm)),
            TableRow(
                benchmark: "dev: one related list, ms: server GET p50 (vs a `sila related ID` process, mean)",
                sila: ms(gets.percentileMS(50)), anchor: ms(cli.mean), ratio: String(format: "%.3f×", gets.percentileMS(50) / cli.mean)),
            TableRow(benchmark: "dev: `sila related ID` process, p50 / p99, ms", sila: "\(ms(cli.p50)) / \(ms(cli.p99))"),
        ]
        return rows
    }

    var notes: [String] {
        var notes = [
            String(
                format: "server benchmark: `sila serve` (release) on a Unix socket over the indexed dev corpus (%d articles; %d more, one in %d, "
                    + "held out and PUT as new articles), started in %.1f s; "
                    + "client: SilaBench loadgen, %d poll-loop thread(s), HTTP/1.1 keep-alive, one request in flight per connection, "
                    + "%.0f s warm-up then %.0f s measured per phase, ids drawn seeded (seed %d)",
                articles, heldOut, LoadCorpusSplit.heldOutEvery, startup, gets.phase.clientThreads, gets.phase.warmupSeconds, gets.phase.seconds, options.seed),
            String(
                format: "the client shares the machine's %d cores with the server: GET run server %.2f cores, client %.2f cores; "
                    + "mixed run server %.2f cores, client %.2f cores",
                ProcessInfo.processInfo.activeProcessorCount, getServerCPU, gets.clientCPUSeconds / gets.windowSeconds, mixedServerCPU,
                mixed.clientCPUSeconds / mixed.windowSeconds),
            String(
                format: "closed loop with %d connections: by Little's law mean latency = %d / throughput (%.2f ms at %.0f req/s), so p99 ≤ 5 ms "
                    + "needs well over %.0f req/s; the paced run shows latency below saturation",
                gets.phase.connections, gets.phase.connections, Double(gets.phase.connections) / max(gets.requestsPerSecond, 1) * 1000,
                gets.requestsPerSecond, Double(gets.phase.connections) / 0.005),
            String(
                format: "mixed closed loop: %d PUTs answered (%d new held-out articles, %d edited re-PUTs of stored articles), %d GETs; "
                    + "PUT max %.1f ms, GET max %.1f ms; unanswered when the run ended: %d PUTs, %d GETs. PUTs are serialized: in a closed "
                    + "loop the connections pile up behind them, so the paced run (PUTs at half the writer's capacity, from the single "
                    + "PUTs' mean) shows a PUT's latency when the writer keeps up",
                mixed.count(kinds: LoadKind.puts), mixed.count(kind: LoadKind.putNew), mixed.count(kind: LoadKind.putEdit), mixed.count(kind: LoadKind.get),
                mixed.maxMS(kinds: LoadKind.puts), mixed.maxMS(kind: LoadKind.get), mixed.unfinished[1] + mixed.unfinished[2], mixed.unfinished[0]),
            String(
                format: "server CPU per request (CPU seconds ÷ answers): GET run %.0f µs, mixed run %.0f µs; machine load average at the end of each phase: %@",
                getServerCPU / max(gets.requestsPerSecond, 1) * 1e6, mixedServerCPU / max(mixed.requestsPerSecond, 1) * 1e6,
                loadAverages.joined(separator: ", ")),
            String(format: "server RSS %.0f MiB after start, %.0f MiB at the end, peak %.0f MiB; %d threads", rssStart, rss, hwm, serverThreads),
            String(format: "`sila related ID --json` as one process per call (%d calls, seeded ids, server stopped): mean %.1f ms, p50 %.1f, p99 %.1f",
                cli.count, cli.mean, cli.p50, cli.p99),
        ]
        let errors = gets.errors.merging(mixed.errors, uniquingKeysWith: +)
        if !errors.isEmpty { notes.append("transport errors: \(errors.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }.joined(separator: ", "))") }
        return notes
    }
}
