import CrampJSON
import Testing

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(#"{"a":[1,-2.5,3e2,true,false,null],"b":"x\"\\\n\u00e9\ud83d\ude00"}"#)
        #expect(value["a"] == .array([.number(1, isInteger: true), .number(-2.5, isInteger: false), .number(300, isInteger: false), .bool(true), .bool(false), .null]))
        #expect(value["b"]?.stringValue == "x\"\\\né😀")
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "\"abc", "{\"a\" 1}", "tru", "[1] 2", "\"\\x\"",
        "{\"a\":1,\"a\":2}", "\"\\ud800\"", "\u{01}",
    ])
    func rejectsMalformedText(text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
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
