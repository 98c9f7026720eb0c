import CrampJournal
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import CrampServer

/// The offline queue's protocol, seen from the server: a phone sends each cramp it kept by
/// `PUT /api/v1/episodes/{id}` with `If-None-Match: *`, again and again until an answer arrives,
/// in any order, several at once, answers lost on the way back. Whatever the interleaving, the
/// journal ends with exactly the cramps sent, once each, as sent; a deleted one never returns.
@Suite struct QueueProtocol {
    /// The fuzz tests' seeded SplitMix64: the same schedules on every run.
    typealias Seeded = Fuzz.Generator

    struct Item: Sendable {
        let id: String
        let body: String
        let note: String
        let severity: Int
    }

    enum Step: Sendable {
        /// Sends of items, all at once; their answers may be lost (the test looks at them only
        /// to check no send was refused wrongly).
        case send([Int])
        /// The person deletes an item on another device, on its own.
        case delete(Int)
    }

    static let createOnly: HTTPFields = [.contentType: "application/json", .ifNoneMatch: "*"]

    static func items(_ count: Int, _ random: inout Seeded) -> [Item] {
        let muscles = ["calf", "hamstrings", "quadriceps"]
        return (0..<count).map { index in
            // What crypto.randomUUID() makes on the phone: 32 hex digits in five groups.
            let hex = [random.next(), random.next()].map {
                String(String($0, radix: 16).reversed()).padding(toLength: 16, withPad: "0", startingAt: 0)
            }
            .joined()
            let cuts = [8, 4, 4, 4, 12].reduce(into: [(Int, Int)]()) { $0.append(($0.last.map { $0.0 + $0.1 } ?? 0, $1)) }
            let id = cuts.map { start, length in String(hex.dropFirst(start).prefix(length)) }.joined(separator: "-")
            let severity = Int.random(in: 0...10, using: &random)
            let note = "item \(index) \(Int.random(in: 0...999_999, using: &random))"
            let minute = Int.random(in: 0...59, using: &random)
            let muscle = muscles.randomElement(using: &random)!
            let body =
                #"{"id":"\#(id)","startedAt":"2026-03-0\#(1 + index % 9)T0\#(index % 6):\#(minute < 10 ? "0" : "")\#(minute):00+01:00","durationSeconds":\#(30 + index),"muscles":["\#(muscle)"],"severity":\#(severity),"onset":"sleep","note":"\#(note)","safetyQuestions":"not_answered"}"#
            return Item(id: id, body: body, note: note, severity: severity)
        }
    }

    /// Each item sent one to four times; sends shuffled and cut into groups sent together; a
    /// few deletes placed among them.
    static func schedule(_ items: [Item], _ random: inout Seeded) -> [Step] {
        var sends: [Int] = []
        for index in items.indices { sends += Array(repeating: index, count: Int.random(in: 1...4, using: &random)) }
        sends.shuffle(using: &random)
        var steps: [Step] = []
        var rest = sends[...]
        while !rest.isEmpty {
            let take = min(rest.count, Int.random(in: 1...4, using: &random))
            steps.append(.send(Array(rest.prefix(take))))
            rest = rest.dropFirst(take)
            if random.next() % 5 == 0 { steps.append(.delete(Int.random(in: 0..<items.count, using: &random))) }
        }
        return steps
    }

    @Test(arguments: 0..<24)
    func anyInterleavingLeavesEachItemSentOnce(round: Int) async throws {
        var random = Seeded(state: 20_261_203 + UInt64(round))
        let items = Self.items(Int.random(in: 1...7, using: &random), &random)
        let steps = Self.schedule(items, &random)
        try await TestServer.make().run { client in
            // What the server has said of each item: kept (201 or 200), or deleted (204).
            var deleted = Set<Int>()
            var kept = Set<Int>()
            for step in steps {
                switch step {
                case .send(let group):
                    let answers = try await withThrowingTaskGroup(of: (Int, HTTPResponse.Status).self) { tasks in
                        for index in group {
                            let item = items[index]
                            tasks.addTask {
                                try await client.execute(
                                    uri: "/api/v1/episodes/\(item.id)", method: .put, headers: Self.createOnly, body: body(item.body)
                                ) { (index, $0.status) }
                            }
                        }
                        return try await tasks.reduce(into: []) { $0.append($1) }
                    }
                    for (index, status) in answers {
                        if deleted.contains(index) {
                            #expect(status == .gone, "a deleted item sent again: \(status)")
                        } else {
                            #expect(status == .created || status == .ok, "\(status)")
                            kept.insert(index)
                        }
                    }
                case .delete(let index):
                    let status = try await client.execute(uri: "/api/v1/episodes/\(items[index].id)", method: .delete) { $0.status }
                    if status == .noContent {
                        deleted.insert(index)
                    } else {
                        // Not sent yet, or deleted before: either way nothing is there.
                        #expect(status == .notFound)
                        #expect(!kept.contains(index) || deleted.contains(index))
                    }
                }
            }
            let gone = deleted
            let expected = Set(kept.subtracting(gone).map { items[$0].id })
            try await client.execute(uri: "/api/v1/episodes?limit=500", method: .get) { response in
                let episodes = try #require(try object(response)["episodes"] as? [[String: Any]])
                let ids = episodes.compactMap { $0["id"] as? String }
                #expect(ids.count == Set(ids).count, "an item kept twice")
                #expect(Set(ids) == expected)
                for episode in episodes {
                    let item = try #require(items.first { $0.id == episode["id"] as? String })
                    #expect(episode["note"] as? String == item.note && episode["severity"] as? Int == item.severity)
                }
            }
            // Every item was sent at least once; the ones not deleted are all there.
            #expect(expected.count == items.count - gone.count)
        }
    }

    /// The same id with other details is a conflict, whoever sent first; nothing changes, and a
    /// PUT without the header (an edit) still replaces.
    @Test func theSameIDWithADifferentBodyIsAConflict() async throws {
        var random = Seeded(state: 7)
        let item = Self.items(1, &random)[0]
        let other = item.body.replacingOccurrences(of: item.note, with: "another cramp")
        try await TestServer.make().run { client in
            let uri = "/api/v1/episodes/\(item.id)"
            try await client.execute(uri: uri, method: .put, headers: Self.createOnly, body: body(item.body)) { #expect($0.status == .created) }
            try await client.execute(uri: uri, method: .put, headers: Self.createOnly, body: body(item.body)) { #expect($0.status == .ok) }
            try await client.execute(uri: uri, method: .put, headers: Self.createOnly, body: body(other)) { response in
                #expect(response.status == .conflict)
                #expect(parsed(response)["field"] as? String == "id")
            }
            try await client.execute(uri: uri, method: .get) { #expect(parsed($0)["note"] as? String == item.note) }
            // An entity tag is not something this server gives: only * is a precondition here.
            try await client.execute(
                uri: uri, method: .put, headers: [.contentType: "application/json", .ifNoneMatch: "\"v1\""], body: body(other)
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(parsed(response)["field"] as? String == "If-None-Match")
            }
            try await client.execute(uri: uri, method: .put, headers: json, body: body(other)) { #expect($0.status == .ok) }
            try await client.execute(uri: uri, method: .get) { #expect(parsed($0)["note"] as? String == "another cramp") }
            // A deleted id is gone for good, by PUT and by POST alike.
            try await client.execute(uri: uri, method: .delete) { #expect($0.status == .noContent) }
            try await client.execute(uri: uri, method: .put, headers: json, body: body(item.body)) { #expect($0.status == .gone) }
            try await client.execute(uri: "/api/v1/episodes", method: .post, headers: json, body: body(item.body)) { #expect($0.status == .gone) }
            try await client.execute(uri: uri, method: .get) { #expect($0.status == .notFound) }
        }
    }
}
