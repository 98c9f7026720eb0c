import CrampApplication
import CrampInsights
import CrampJournal
import CrampStorage
import ServiceLifecycle

/// Keeps each shared diary's need summary current, so the patient list is one query. A write
/// marks the summary stale in its own transaction (the store does that) and then asks for it to
/// be worked out again here; a list that still meets a stale one works it out before answering,
/// and the daily refresh moves the patterns' windows on for diaries that nobody writes to.
///
/// How stale a list can be: the checks of the last 14 days and a quiet diary are judged against
/// the day of the read; the patterns are as of the diary's last change, or at most
/// `refreshAfterMilliseconds` (plus one sweep) older when nothing was logged since.
struct NeedKeeper: Sendable {
    let app: CrampCareApp
    let sharing: SharingStore

    /// A summary older than this is worked out again by the sweep even if the diary did not change.
    static let refreshAfterMilliseconds: Int64 = 24 * 3_600_000
    /// The sweep's pace: how often, and how many diaries each time.
    static let sweepSeconds = 300
    static let sweepBatch = 200

    var now: Int64 { app.clockSource.millisecondsNow() }

    /// After a write: works the summary out again if the diary is shared and its summary is stale.
    /// A failure leaves it stale (the list or the sweep works it out), never fails the write.
    func refresh(_ owner: OwnerID) async {
        do {
            guard try await sharing.needsRefresh(owner: owner, now: now) else { return }
            _ = try await workOut(owner)
        } catch {}
    }

    /// Works the summary out from the whole diary and saves it against the change count read
    /// first; a write landing meanwhile keeps it stale for that write's own refresh.
    func workOut(_ owner: OwnerID) async throws -> NeedSummary {
        let version = try await sharing.needVersion(owner: owner)
        let summary = try await app.needSummary(owner: owner)
        try await sharing.saveNeed(summary, owner: owner, version: version, at: now)
        return summary
    }

    /// The live grants `grantee` holds, each with its diary's need as of today, most in need
    /// first: one indexed query, and a diary's summary worked out only if it is stale.
    func patients(grantee: OwnerID) async throws -> [(listing: GrantListing, need: Need)] {
        var list: [(listing: GrantListing, need: Need)] = []
        for (listing, stored) in try await sharing.patientList(grantee: grantee, now: now) {
            let summary: NeedSummary
            if stored.current, let kept = stored.summary {
                summary = kept
            } else {
                summary = try await workOut(listing.grant.owner)
            }
            list.append((listing, app.need(summary)))
        }
        return list.sorted {
            ($0.need.rank, $0.listing.grant.sharedName.lowercased(), $0.listing.grant.id)
                < ($1.need.rank, $1.listing.grant.sharedName.lowercased(), $1.listing.grant.id)
        }
    }

    /// One sweep: the shared diaries whose summary is stale or a day old, oldest first. Returns
    /// how many were worked out.
    @discardableResult
    func sweep(limit: Int = sweepBatch) async throws -> Int {
        let due = try await sharing.dueNeeds(before: now - Self.refreshAfterMilliseconds, now: now, limit: limit)
        for owner in due { _ = try await workOut(owner) }
        return due.count
    }
}

/// The sweep, beside the server in its ServiceGroup (hosted mode). Every instance runs one; the
/// save against the change count makes two sweeps of one diary harmless.
struct NeedSweep: Service {
    let keeper: NeedKeeper

    func run() async throws {
        // Ends on the server's graceful shutdown; a sweep that fails is tried again next time.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(NeedKeeper.sweepSeconds))
                _ = try? await keeper.sweep()
            }
        }
    }
}
