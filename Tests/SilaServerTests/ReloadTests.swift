import Foundation
import SilaCore
import SilaServer
import Store
import TestSupport
import Testing

/// A nightly `sila index` in another process changes the model and swaps the lists under a running server: the
/// server notices, reloads its index and goes on answering — and never writes with the old model.
@Suite(.serialized) struct ReloadTests {
    @Test func anIndexRunByAnotherWriterIsPickedUpAndWritesUseTheNewModel() async throws {
        let server = try await RunningServer { $0.reloadCheckSeconds = 0.2 }
        let before = try await server.request("GET", "/v1/health").json?["model"] as? String
        let newModel = try server.refitInAnotherWriter()
        var seen = before
        for _ in 0..<100 where seen != newModel {
            try await Task.sleep(for: .milliseconds(100))
            seen = try await server.request("GET", "/v1/health").json?["model"] as? String
        }
        let put = try await server.request("PUT", "/v1/articles/after-reload", json: #"{"body": "نص عن الاقتصاد والنفط والأسواق"}"#)
        let vectorModel = try server.store.vectorModelID(of: "after-reload")
        await server.stop()
        #expect(before != newModel)
        #expect(seen == newModel, "the server still reports model \(seen ?? "none")")
        #expect(put.status == 201, "\(put.text)")
        #expect(vectorModel == newModel)
    }

    /// A write that arrives after another process swapped lists in, before the poll noticed, reloads the index and
    /// goes through (it used to answer 503 until the next poll).
    @Test func aWriteRightAfterAnotherProcessSwappedReloadsAndSucceeds() async throws {
        let server = try await RunningServer { $0.reloadCheckSeconds = 3600 }
        let newModel = try server.refitInAnotherWriter()
        let put = try await server.request("PUT", "/v1/articles/right-after", json: #"{"body": "نص عن الاقتصاد والنفط والأسواق"}"#)
        let delete = try await server.request("DELETE", "/v1/articles/pol-003")
        let vectorModel = try server.store.vectorModelID(of: "right-after")
        let listing = try server.store.articlesListing("pol-003")
        await server.stop()
        #expect(put.status == 201, "\(put.text)")
        #expect(vectorModel == newModel)
        #expect(delete.status == 204)
        #expect(listing.isEmpty)
    }
}
