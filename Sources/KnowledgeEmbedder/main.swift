// Writes a Swift source file that holds the knowledge base's JSON files as string literals, so the
// data is compiled into the binary (a release build is one self-contained file) while the JSON
// in Knowledge/ stays the only place anyone edits advice.
import Foundation

// usage: KnowledgeEmbedder ENUM-NAME OUTPUT.swift INPUT...
let arguments = CommandLine.arguments.dropFirst()
guard arguments.count >= 2, let name = arguments.first, let output = arguments.dropFirst().first else {
    FileHandle.standardError.write(Data("usage: KnowledgeEmbedder ENUM-NAME OUTPUT.swift INPUT...\n".utf8))
    exit(2)
}

/// A Swift string literal for any text: escapes quotes, backslashes and every control character.
func swiftLiteral(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

var source = """
    // Generated at build time by KnowledgeEmbedder. Do not edit.
    enum \(name) {
        static let files: [(name: String, text: String)] = [

    """
for path in arguments.dropFirst(2).sorted() {
    let url = URL(fileURLWithPath: path)
    guard let data = FileManager.default.contents(atPath: path),
        let text = String(data: data, encoding: .utf8)
    else {
        FileHandle.standardError.write(Data("KnowledgeEmbedder: cannot read \(path) as UTF-8\n".utf8))
        exit(1)
    }
    source += "        (\(swiftLiteral(url.lastPathComponent)), \(swiftLiteral(text))),\n"
}
source += "    ]\n}\n"
do {
    try Data(source.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
} catch {
    FileHandle.standardError.write(Data("KnowledgeEmbedder: cannot write \(output): \(error)\n".utf8))
    exit(1)
}
