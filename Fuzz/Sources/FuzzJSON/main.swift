import CrampJSON
import FuzzSupport

fuzz { bytes in
    _ = try? JSONParser.parse(bytes)
    _ = try? JSONParser.parseObject(bytes, streaming: ["a"]) { _, _, _, _ in true }
}
