import Crypto
import Foundation

/// Why a model file cannot be used. Every message names the file and says what to do.
public struct ModelFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "model file \(path): \(problem)" }
}

/// The model file: a versioned, checksummed binary holding the feature settings and, per output, the
/// bias and the non-zero weights quantized to 16 bits.
///
/// Layout (little-endian):
/// - 16 bytes of magic, `MODERATO-MODEL` followed by a newline and a NUL;
/// - the format version (UInt32);
/// - the length of the header (UInt32) and the header, JSON: name, feature settings, and per output its
///   name, bias, weight scale and number of weights;
/// - per output, its weights: the distance from the previous slot as a LEB128 varint, then the weight
///   as an Int16 multiple of the output's scale;
/// - the SHA-256 of everything before it (32 bytes).
///
/// Writing is deterministic: the same model gives the same bytes.
public enum ModelFile {
    public static let magic = Array("MODERATO-MODEL\n\0".utf8)
    public static let formatVersion: UInt32 = 1

    struct Header: Codable {
        var name: String
        var features: FeatureSettings
        var outputs: [OutputHeader]
    }

    struct OutputHeader: Codable {
        var name: String
        var bias: Float
        var scale: Float
        var weights: Int
    }

    /// The file's bytes for a model.
    public static func encode(_ model: ModerationModel) -> [UInt8] {
        var body: [UInt8] = []
        var headers: [OutputHeader] = []
        for output in model.outputs {
            let largest = output.weights.reduce(Float(0)) { max($0, abs($1)) }
            let scale = largest > 0 ? largest / 32767 : 1
            var count = 0
            var previous = 0
            for (slot, weight) in output.weights.enumerated() {
                let quantized = Int16(clamping: Int((weight / scale).rounded()))
                guard quantized != 0 else { continue }
                appendVarint(UInt64(slot - previous), to: &body)
                previous = slot
                let bits = UInt16(bitPattern: quantized)
                body.append(UInt8(bits & 0xFF))
                body.append(UInt8(bits >> 8))
                count += 1
            }
            headers.append(OutputHeader(name: output.name, bias: output.bias, scale: scale, weights: count))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let header = Array(try! encoder.encode(Header(name: model.name, features: model.features, outputs: headers)))
        var bytes = magic
        appendUInt32(formatVersion, to: &bytes)
        appendUInt32(UInt32(header.count), to: &bytes)
        bytes += header
        bytes += body
        bytes += Array(SHA256.hash(data: bytes))
        return bytes
    }

    /// Writes a model file.
    public static func write(_ model: ModerationModel, to path: String) throws {
        try Data(encode(model)).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Reads and checks a model file.
    public static func read(_ path: String) throws(ModelFileError) -> ModerationModel {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read (\(error.localizedDescription))" : "does not exist"
            throw ModelFileError(path: path, problem: "\(reason); give another with --model FILE or the setting model.file")
        }
        return try decode(Array(data), path: path)
    }

    /// Checks and decodes a model file's bytes.
    public static func decode(_ bytes: [UInt8], path: String) throws(ModelFileError) -> ModerationModel {
        func fail(_ problem: String) -> ModelFileError { ModelFileError(path: path, problem: problem) }
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw fail("is not a Moderato model file (it does not start with the model file's magic bytes)")
        }
        guard bytes.count >= magic.count + 8 + 32 else { throw fail("is truncated (\(bytes.count) bytes)") }
        let version = readUInt32(bytes, magic.count)
        guard version == formatVersion else {
            throw fail("has format version \(version); this build reads version \(formatVersion). Use a model built for this version of Moderato")
        }
        let checked = bytes.count - 32
        let digest = Array(SHA256.hash(data: bytes[0..<checked]))
        guard digest == Array(bytes[checked...]) else {
            throw fail("fails its checksum (truncated or damaged); rebuild it with Scripts/train-model.sh or copy it again")
        }
        let headerLength = Int(readUInt32(bytes, magic.count + 4))
        let headerStart = magic.count + 8
        guard headerLength <= checked - headerStart else { throw fail("is malformed: its header runs past the end") }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes[headerStart..<(headerStart + headerLength)]))
        } catch {
            throw fail("is malformed: its header cannot be read (\(error))")
        }
        let features = header.features
        guard (8...26).contains(features.hashBits), features.characterMinimum >= 1,
              features.characterMinimum <= features.characterMaximum, features.characterMaximum <= 8 else {
            throw fail("is malformed: its feature settings are out of range")
        }
        let slots = 1 << features.hashBits
        var position = headerStart + headerLength
        var outputs: [ModelOutput] = []
        for output in header.outputs {
            var weights = [Float](repeating: 0, count: slots)
            var slot = 0
            for _ in 0..<output.weights {
                guard let (delta, next) = readVarint(bytes, position, limit: checked) else { throw fail("is malformed: its weights are cut short") }
                position = next
                guard position + 2 <= checked else { throw fail("is malformed: its weights are cut short") }
                slot += Int(clamping: delta)
                guard slot < slots else { throw fail("is malformed: a weight lies outside the feature space") }
                let bits = UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
                position += 2
                weights[slot] = Float(Int16(bitPattern: bits)) * output.scale
            }
            outputs.append(ModelOutput(name: output.name, bias: output.bias, weights: weights))
        }
        guard position == checked else { throw fail("is malformed: \(checked - position) bytes follow the weights") }
        // The model's identity is the SHA-256 of the whole file, as `sha256sum` prints it.
        let hex = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        return ModerationModel(features: features, outputs: outputs, name: header.name, sha256: hex)
    }

    static func appendUInt32(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }

    static func readUInt32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << UInt32(8 * $1) }
    }

    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    static func readVarint(_ bytes: [UInt8], _ start: Int, limit: Int) -> (UInt64, Int)? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var position = start
        while position < limit, shift < 64 {
            let byte = bytes[position]
            value |= UInt64(byte & 0x7F) << shift
            position += 1
            if byte & 0x80 == 0 { return (value, position) }
            shift += 7
        }
        return nil
    }
}
