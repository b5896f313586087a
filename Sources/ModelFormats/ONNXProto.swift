/// The parts of an ONNX `ModelProto` the scorer reads (onnx/onnx.proto field numbers).
struct ONNXModelProto {
    var irVersion: Int64 = 0
    /// Operator-set imports: domain ("" is the default `ai.onnx`) and version.
    var opsets: [(domain: String, version: Int64)] = []
    var graph = ONNXGraphProto()
    var hasGraph = false

    /// Decodes a whole ONNX file.
    init(_ bytes: [UInt8]) throws {
        var r = ProtobufReader(bytes, context: "ModelProto")
        while let (field, wire) = try r.nextField() {
            switch (field, wire) {
            case (1, .varint): irVersion = try r.int64()
            case (7, .lengthDelimited): graph = try ONNXGraphProto(try r.message("graph")); hasGraph = true
            case (8, .lengthDelimited):
                var m = try r.message("opset_import")
                var domain = "", version: Int64 = 0
                while let (f, w) = try m.nextField() {
                    switch (f, w) {
                    case (1, .lengthDelimited): domain = try m.string()
                    case (2, .varint): version = try m.int64()
                    default: try m.skip(w)
                    }
                }
                opsets.append((domain, version))
            default: try r.skip(wire)
            }
        }
    }
}

/// A `GraphProto`: nodes in topological order, initializers, inputs and outputs.
struct ONNXGraphProto {
    var nodes: [ONNXNodeProto] = []
    var initializers: [ONNXTensorProto] = []
    var inputs: [ONNXValueInfoProto] = []
    var outputs: [ONNXValueInfoProto] = []
    var hasSparseInitializers = false

    init() {}

    init(_ reader: ProtobufReader) throws {
        var r = reader
        while let (field, wire) = try r.nextField() {
            switch (field, wire) {
            case (1, .lengthDelimited): nodes.append(try ONNXNodeProto(try r.message("node[\(nodes.count)]")))
            case (5, .lengthDelimited): initializers.append(try ONNXTensorProto(try r.message("initializer[\(initializers.count)]")))
            case (11, .lengthDelimited): inputs.append(try ONNXValueInfoProto(try r.message("input[\(inputs.count)]")))
            case (12, .lengthDelimited): outputs.append(try ONNXValueInfoProto(try r.message("output[\(outputs.count)]")))
            case (15, _): hasSparseInitializers = true; try r.skip(wire)
            default: try r.skip(wire)
            }
        }
    }
}

/// A `NodeProto`: one operator application.
struct ONNXNodeProto {
    var inputs: [String] = []
    var outputs: [String] = []
    var name = ""
    var opType = ""
    var domain = ""
    var attributes: [String: ONNXAttribute] = [:]

    init(_ reader: ProtobufReader) throws {
        var r = reader
        while let (field, wire) = try r.nextField() {
            switch (field, wire) {
            case (1, .lengthDelimited): inputs.append(try r.string())
            case (2, .lengthDelimited): outputs.append(try r.string())
            case (3, .lengthDelimited): name = try r.string()
            case (4, .lengthDelimited): opType = try r.string()
            case (7, .lengthDelimited): domain = try r.string()
            case (5, .lengthDelimited):
                let (key, value) = try ONNXAttribute.decode(try r.message("attribute"))
                attributes[key] = value
            default: try r.skip(wire)
            }
        }
    }
}

/// An `AttributeProto` value.
enum ONNXAttribute {
    case float(Float)
    case int(Int64)
    case string(String)
    case tensor(ONNXTensorProto)
    case floats([Float])
    case ints([Int64])
    case strings([String])
    /// A graph, sparse tensor or other kind this scorer never needs.
    case unsupported(type: Int64)

    static func decode(_ reader: ProtobufReader) throws -> (String, ONNXAttribute) {
        var r = reader
        var name = "", type: Int64 = 0
        var f: Float = 0, i: Int64 = 0, s = "", t: ONNXTensorProto?
        var fs = [Float](), ints = [Int64](), ss = [String]()
        while let (field, wire) = try r.nextField() {
            switch (field, wire) {
            case (1, .lengthDelimited): name = try r.string()
            case (20, .varint): type = try r.int64()
            case (2, .fixed32): f = Float(bitPattern: try r.fixed32())
            case (3, .varint): i = try r.int64()
            case (4, .lengthDelimited): s = try r.string()
            case (5, .lengthDelimited): t = try ONNXTensorProto(try r.message("t"))
            case (7, _): try r.floats(wire, into: &fs)
            case (8, _): try r.int64s(wire, into: &ints)
            case (9, .lengthDelimited): ss.append(try r.string())
            default: try r.skip(wire)
            }
        }
        switch type {
        case 1: return (name, .float(f))
        case 2: return (name, .int(i))
        case 3: return (name, .string(s))
        case 4:
            guard let t else { throw r.fail("attribute \"\(name)\" of type TENSOR has no tensor") }
            return (name, .tensor(t))
        case 6: return (name, .floats(fs))
        case 7: return (name, .ints(ints))
        case 8: return (name, .strings(ss))
        default: return (name, .unsupported(type: type))
        }
    }
}

/// A `TensorProto` (an initializer or a tensor attribute), decoded to floats or integers.
struct ONNXTensorProto {
    var name = ""
    var dims: [Int64] = []
    /// ONNX `TensorProto.DataType`: 1 float, 6 int32, 7 int64, 11 double, ...
    var dataType: Int32 = 0
    var floats: [Float] = []
    var ints: [Int64] = []
    var doubles: [Double] = []
    var isExternal = false

    /// Number of elements the dims promise.
    var elementCount: Int { dims.reduce(1) { $0 * Int($1) } }

    init(name: String, dims: [Int64], floats: [Float]) {
        self.name = name; self.dims = dims; self.dataType = 1; self.floats = floats
    }

    init(_ reader: ProtobufReader) throws {
        var r = reader
        var raw: Range<Int>?
        while let (field, wire) = try r.nextField() {
            switch (field, wire) {
            case (1, _): try r.int64s(wire, into: &dims)
            case (2, .varint): dataType = Int32(truncatingIfNeeded: try r.int64())
            case (4, _): try r.floats(wire, into: &floats)
            case (5, _), (7, _), (11, _): try r.int64s(wire, into: &ints)
            case (8, .lengthDelimited): name = try r.string()
            case (9, .lengthDelimited): raw = try r.lengthDelimited()
            case (10, _): try r.doubles(wire, into: &doubles)
            case (13, _): isExternal = true; try r.skip(wire)
            case (14, .varint): if try r.int64() == 1 { isExternal = true }
            default: try r.skip(wire)
            }
        }
        guard dims.allSatisfy({ $0 >= 0 }) else { throw r.fail("tensor \"\(name)\" has a negative dimension") }
        if let raw {
            let b = reader.bytes
            func le(_ p: Int, _ n: Int) -> UInt64 {
                var v: UInt64 = 0
                for i in 0..<n { v |= UInt64(b[p + i]) << (8 * UInt64(i)) }
                return v
            }
            let width: Int
            switch dataType {
            case 1, 6: width = 4
            case 7, 11: width = 8
            default: width = 0
            }
            if width > 0 {
                guard raw.count % width == 0 else { throw r.fail("tensor \"\(name)\": raw_data of \(raw.count) bytes for \(width)-byte elements") }
                for p in stride(from: raw.lowerBound, to: raw.upperBound, by: width) {
                    switch dataType {
                    case 1: floats.append(Float(bitPattern: UInt32(le(p, 4))))
                    case 6: ints.append(Int64(Int32(bitPattern: UInt32(le(p, 4)))))
                    case 7: ints.append(Int64(bitPattern: le(p, 8)))
                    default: doubles.append(Double(bitPattern: le(p, 8)))
                    }
                }
            }
        }
    }
}

/// A `ValueInfoProto`: a graph input or output with its tensor type, if it is a tensor.
struct ONNXValueInfoProto {
    var name = ""
    /// Element type of a tensor type, nil for sequences and maps.
    var elementType: Int32?
    /// Dimensions: a number, or nil for a symbolic or unknown dimension.
    var dims: [Int64?] = []

    init(_ reader: ProtobufReader) throws {
        var r = reader
        while let (field, wire) = try r.nextField() {
            switch (field, wire) {
            case (1, .lengthDelimited): name = try r.string()
            case (2, .lengthDelimited):
                var type = try r.message("type")
                while let (f, w) = try type.nextField() {
                    guard f == 1, w == .lengthDelimited else { try type.skip(w); continue }
                    var tensor = try type.message("tensor_type")
                    while let (tf, tw) = try tensor.nextField() {
                        switch (tf, tw) {
                        case (1, .varint): elementType = Int32(truncatingIfNeeded: try tensor.int64())
                        case (2, .lengthDelimited):
                            var shape = try tensor.message("shape")
                            while let (sf, sw) = try shape.nextField() {
                                guard sf == 1, sw == .lengthDelimited else { try shape.skip(sw); continue }
                                var dim = try shape.message("dim")
                                var value: Int64?
                                while let (df, dw) = try dim.nextField() {
                                    if df == 1, dw == .varint { value = try dim.int64() } else { try dim.skip(dw) }
                                }
                                dims.append(value)
                            }
                        default: try tensor.skip(tw)
                        }
                    }
                    if elementType == nil { elementType = 0 }
                }
            default: try r.skip(wire)
            }
        }
    }
}
