import CrampJSON

@_cdecl("LLVMFuzzerTestOneInput")
public func test(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: count))
    _ = try? JSONParser.parse(bytes)
    _ = try? JSONParser.parseObject(bytes, streaming: ["a"]) { _, _, _, _ in true }
    return 0
}
