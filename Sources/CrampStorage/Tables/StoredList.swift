import CrampJournal
import CrampKnowledge

/// The one codec for lists kept in a column: `;a;b;` (`;` when empty), so that a filter on one
/// item is an exact `LIKE '%;item;%'`. Codes, reliefs (`technique:outcome[:seconds]`), medicine
/// changes (`kind:code`) and reminder times are items in the journal's CSV format.
enum StoredList {
    static func text(_ items: [String]) -> String {
        items.isEmpty ? ";" : ";" + items.joined(separator: ";") + ";"
    }

    static func text<Code: CodeList>(_ codes: [Code]) -> String { text(codes.map(\.rawValue)) }

    /// Calls `body` with each item's bytes, in order.
    static func forEachItem(_ text: UnsafeBufferPointer<UInt8>?, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        guard let text else { return }
        var start = 0
        for index in 0...text.count where index == text.count || text[index] == UInt8(ascii: ";") {
            if index > start { try body(UnsafeBufferPointer(rebasing: text[start..<index])) }
            start = index + 1
        }
    }

    static func items(_ text: UnsafeBufferPointer<UInt8>?) -> [String] {
        var items: [String] = []
        forEachItem(text) { items.append(String(decoding: $0, as: UTF8.self)) }
        return items
    }

    /// Codes matched on bytes, in the stored order; an unknown one was written by a newer CrampCare.
    static func codes<Code: CodeList>(_ text: UnsafeBufferPointer<UInt8>?, _: Code.Type, column: String) throws -> [Code] {
        var codes: [Code] = []
        try forEachItem(text) { item in
            guard let code = Code.table.all.first(where: { $0.rawValue.utf8.elementsEqual(item) }) else {
                throw StorageError(
                    "the journal holds an unknown code \"\(String(decoding: item, as: UTF8.self))\" in \(column); it may have been written by a newer CrampCare"
                )
            }
            codes.append(code)
        }
        return codes
    }

    /// Items read by the journal's own item codec (a relief, a medicine change).
    static func decoded<Item>(_ text: UnsafeBufferPointer<UInt8>?, column: String, _ decode: (String) throws(JournalError) -> Item) throws -> [Item] {
        try items(text).map { item in
            do throws(JournalError) {
                return try decode(item)
            } catch {
                throw StorageError("the journal holds an unknown item \"\(item)\" in \(column); it may have been written by a newer CrampCare")
            }
        }
    }
}
