import CrampJSON
import Testing

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(#"{"a":[1,-2.5,3e2,true,false,null],"b":"x\"\\\n\u00e9\ud83d\ude00"}"#)
        #expect(
            value["a"]
                == .array([
                    .number(1, isInteger: true), .number(-2.5, isInteger: false), .number(300, isInteger: false), .bool(true), .bool(false), .null,
                ]))
        #expect(value["b"]?.stringValue == "x\"\\\né😀")
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "\"abc", "{\"a\" 1}", "tru", "[1] 2", "\"\\x\"",
        "{\"a\":1,\"a\":2}", "\"\\ud800\"", "\u{01}",
    ])
    func rejectsMalformedText(text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
    }

    @Test func objectsAndArraysAreCapped() {
        let members = "{" + (0...JSONParser.maxMembers).map { "\"k\($0)\":1" }.joined(separator: ",") + "}"
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(members) }
        let elements = "[" + Array(repeating: "0", count: JSONParser.maxElements + 1).joined(separator: ",") + "]"
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(elements) }
        #expect((try? JSONParser.parse("[" + Array(repeating: "0", count: JSONParser.maxElements).joined(separator: ",") + "]")) != nil)
    }

    @Test(arguments: [1, 2, 15, 16, 17, 40, JSONParser.maxMembers])
    func findsARepeatedKeyInAnObjectOfAnySize(size: Int) throws {
        // Small objects are scanned, larger ones hashed: the repeat is found either way, at
        // whichever position it comes, and the members keep their order.
        let keys = (0..<size).map { "k\($0)" }
        let distinct = "{" + keys.map { "\"\($0)\":1" }.joined(separator: ",") + "}"
        guard case .object(let members) = try JSONParser.parse(distinct) else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == keys)
        for repeated in Set([0, size / 2, size - 1]) {
            let text = "{" + (keys + [keys[repeated]]).map { "\"\($0)\":1" }.joined(separator: ",") + "}"
            do {
                _ = try JSONParser.parse(text)
                Issue.record("size \(size): the repeat of \(keys[repeated]) was not found")
            } catch {
                #expect(error.message.contains("\"\(keys[repeated])\" appears twice"), "\(error)")
            }
        }
        // The same key in two different objects is no repeat.
        #expect(throws: Never.self) { try JSONParser.parse("[\(distinct),\(distinct)]") }
    }

    @Test func reportsLineAndColumn() {
        do {
            _ = try JSONParser.parse("{\n  \"a\": tx\n}")
            Issue.record("parsed")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 8)
        }
    }

    @Test func rejectsDeepNesting() {
        let deep = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
    }

    @Test func writerRoundTrips() throws {
        let text = #"{"a":[1,2.5,"q\"\u0001"],"b":{"c":null,"d":true},"e":[]}"#
        var writer = JSONWriter()
        writer.write(try JSONParser.parse(text))
        #expect(try JSONParser.parse(writer.string) == JSONParser.parse(text))
        #expect(writer.string == #"{"a":[1,2.5,"q\"\u0001"],"b":{"c":null,"d":true},"e":[]}"#)
    }
}

@Suite struct ByteCursorTests {
    /// What a cursor writes, through a writer's reserved room, as a string.
    func written(_ room: Int, _ body: (inout ByteCursor) -> Void) -> String {
        var writer = JSONWriter()
        writer.beginArray()
        writer.value(7)
        writer.value(reserving: room, body)
        writer.endArray()
        return writer.string
    }

    @Test func integersAtTheEdges() {
        for number: Int64 in [0, 9, 10, 99, 100, -1, -10, 1_795_680_256_077, .max, .min, 999_999_999_999_999_999, 1_000_000_000_000_000_000] {
            #expect(written(21) { $0.integer(number) } == "[7,\(number)]")
        }
    }

    @Test func paddedNumbersAndOverflowingWidths() {
        #expect(
            written(8) {
                $0.padded(7, width: 2); $0.padded(2026, width: 4)
            } == "[7,072026]")
        #expect(written(8) { $0.padded(12345, width: 4) } == "[7,12345]")
        #expect(written(8) { $0.padded(-3, width: 2) } == "[7,-3]")
    }

    @Test func quotedTextEscapesWhatJSONNeeds() throws {
        let text = "a\"b\\c\nd\te\u{1}f – ü"
        let json = written(6 * text.utf8.count + 2) { cursor in
            var copy = text
            copy.withUTF8 { cursor.quoted(utf8: $0) }
        }
        #expect(json == #"[7,"a\"b\\c\nd\te\u0001f – ü"]"#)
        #expect(try JSONParser.parse(json) == .array([.number(7, isInteger: true), .string(text)]))
    }

    @Test func unusedRoomIsGivenBack() {
        #expect(written(500) { $0.bytes("{}") } == "[7,{}]")
    }
}
