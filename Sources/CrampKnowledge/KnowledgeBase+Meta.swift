import CrampJSON

/// The version, its changelog and the disclaimer (`meta.json`).
struct Meta {
    let version: String
    let reviewed: String
    let disclaimer: String
    let adultsOnly: String
    let callNowIntro: String
    /// Rule ids, resolved once the rules are loaded.
    let callNowRules: [String]
    let changelog: [ChangelogEntry]
}

extension KnowledgeLoader {
    func meta() throws(KnowledgeError) -> Meta {
        let meta = try document("meta.json")
        try meta.expectKeys(["version", "reviewed", "disclaimer", "adultsOnly", "callNow", "changelog"])
        let callNow = try meta.field("callNow")
        try callNow.expectKeys(["intro", "rules"])
        let version = try meta.field("version").string()
        var changes: [ChangelogEntry] = []
        for entry in try meta.field("changelog").array() {
            try entry.expectKeys(["version", "date", "changes"])
            changes.append(
                ChangelogEntry(
                    version: try entry.field("version").string(),
                    date: try entry.field("date").string(),
                    changes: try entry.field("changes").strings()))
        }
        guard changes.first?.version == version else {
            throw meta.fail("the changelog's newest entry must be for version \(version)")
        }
        return Meta(
            version: version, reviewed: try meta.reviewed(), disclaimer: try meta.field("disclaimer").string(),
            adultsOnly: try meta.field("adultsOnly").string(), callNowIntro: try callNow.field("intro").string(),
            callNowRules: try callNow.field("rules").strings(), changelog: changes)
    }

    /// Every source an item may cite (`sources.json`), in the file's order; kept for the checks of
    /// every later item.
    func sources() throws(KnowledgeError) -> [String] {
        var order: [String] = []
        for node in try document("sources.json").array() {
            let item = node.labelled()
            try item.expectKeys(["id", "title", "publisher", "url", "accessed", "copies"])
            var copies: [Source.Copy] = []
            for node in try item.optional("copies")?.array() ?? [] {
                try node.expectKeys(["address", "dateShown", "read"])
                let address = try node.field("address").string()
                guard address.hasPrefix("https://") || address.hasPrefix("http://") else { throw node.fail("address must be a web address") }
                copies.append(
                    Source.Copy(
                        address: address, dateShown: try node.field("dateShown").string(),
                        read: try node.field("read").string()))
            }
            let source = Source(
                id: try item.field("id").string(), title: try item.field("title").string(),
                publisher: try item.field("publisher").string(), url: try item.field("url").string(),
                accessed: try item.field("accessed").string(), copies: copies)
            guard sourceMap[source.id] == nil else { throw item.fail("the id \"\(source.id)\" is used twice") }
            guard source.url.hasPrefix("https://") else { throw item.fail("url must start with https://") }
            sourceMap[source.id] = source
            order.append(source.id)
        }
        return order
    }
}
