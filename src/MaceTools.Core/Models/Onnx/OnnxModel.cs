using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using MaceTools.Formats;
using MaceTools.Models.Onnx.Proto;

namespace MaceTools.Models.Onnx
{
    /// <summary>ONNX tensor element types (TensorProto.DataType); the numbers are the ONNX IR's.</summary>
    public enum OnnxDataType
    {
        Undefined = 0,
        Float = 1,
        UInt8 = 2,
        Int8 = 3,
        UInt16 = 4,
        Int16 = 5,
        Int32 = 6,
        Int64 = 7,
        String = 8,
        Bool = 9,
        Float16 = 10,
        Double = 11,
        UInt32 = 12,
        UInt64 = 13,
        Complex64 = 14,
        Complex128 = 15,
        BFloat16 = 16,
    }

    /// <summary>ONNX attribute kinds (AttributeProto.AttributeType); the numbers are the ONNX IR's.</summary>
    public enum OnnxAttributeType
    {
        Undefined = 0,
        Float = 1,
        Int = 2,
        String = 3,
        Tensor = 4,
        Graph = 5,
        Floats = 6,
        Ints = 7,
        Strings = 8,
        Tensors = 9,
        Graphs = 10,
        SparseTensor = 11,
        SparseTensors = 12,
        TypeProto = 13,
        TypeProtos = 14,
    }

    /// <summary>
    /// A read-only view of an ONNX model file: the default opset, the graph's nodes with typed attributes, the typed
    /// graph inputs and outputs, the initializers and the tensors of Constant nodes. Every problem with the file is a
    /// <see cref="MaceException"/> that names the file.
    /// </summary>
    public sealed class OnnxModel
    {
        private OnnxModel(string path, ModelProto proto, OnnxGraph graph, long opset, IReadOnlyDictionary<string, long> opsets)
        {
            Path = path;
            IrVersion = proto.IrVersion;
            ProducerName = proto.ProducerName;
            Graph = graph;
            Opset = opset;
            OpsetImports = opsets;
        }

        /// <summary>The file the model was read from (or the name given to <see cref="Parse"/>).</summary>
        public string Path { get; }
        public long IrVersion { get; }
        public string ProducerName { get; }

        /// <summary>
        /// The version of the default ONNX operator set ("" or "ai.onnx"). A model without any opset_import (IR version
        /// below 3) means opset 1; a model that imports only other domains gives 0.
        /// </summary>
        public long Opset { get; }

        /// <summary>Every imported operator set: domain ("" for the default one) to version.</summary>
        public IReadOnlyDictionary<string, long> OpsetImports { get; }

        public OnnxGraph Graph { get; }

        /// <summary>Reads and decodes an .onnx file.</summary>
        public static OnnxModel Load(string path) => Parse(InputGate.ReadAll(path, InputKind.Model), path);

        /// <summary>Decodes the bytes of an .onnx file; <paramref name="path"/> only names it in errors.</summary>
        public static OnnxModel Parse(byte[] data, string path = "<bytes>")
        {
            if (data == null) throw new ArgumentNullException(nameof(data));
            if (data.Length == 0)
                throw new MaceFormatException(ErrorIds.FileEmpty, path, 0, "the file is empty, not an ONNX model");
            var proto = OnnxWire.Parse(ModelProto.Parser, data, path, "ONNX model (ModelProto)");

            if (proto.Graph == null)
            {
                if (proto.IrVersion == 0 && proto.OpsetImport.Count == 0)
                    throw new MaceFormatException(ErrorIds.UnknownFormat, path, 0,
                        "not an ONNX model: it decodes as protobuf but has no ir_version, opset_import or graph");
                throw new MaceFormatException(ErrorIds.UnknownFormat, path, 0,
                    $"the ONNX model (IR version {proto.IrVersion}) has no graph (a truncated file?)");
            }
            if (proto.IrVersion <= 0)
                throw new MaceFormatException(ErrorIds.UnknownFormat, path, 0,
                    $"not an ONNX model: ir_version is {proto.IrVersion} (ONNX models start at IR version 1)");
            if (proto.IrVersion >= 3 && proto.OpsetImport.Count == 0)
                throw new MaceFormatException(ErrorIds.Truncated, path, data.Length,
                    $"the ONNX model (IR version {proto.IrVersion}) imports no operator set (opset_import is missing; a truncated file?)");

            var opsets = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var o in proto.OpsetImport)
                opsets[o.Domain == "ai.onnx" ? "" : o.Domain] = o.Version;
            long opset = opsets.TryGetValue("", out long v) ? v : proto.OpsetImport.Count == 0 ? 1 : 0;

            var graph = new OnnxGraph(proto.Graph, path);
            return new OnnxModel(path, proto, graph, opset, new ReadOnlyDictionary<string, long>(opsets));
        }

        public override string ToString() => $"{Path}: ONNX IR {IrVersion}, opset {Opset}, {Graph.Nodes.Count} nodes";
    }

    /// <summary>The main graph of a model.</summary>
    public sealed class OnnxGraph
    {
        internal OnnxGraph(GraphProto proto, string path)
        {
            Name = proto.Name;
            Nodes = proto.Node.Select(n => new OnnxNode(n, path)).ToList().AsReadOnly();
            Inputs = proto.Input.Select(i => new OnnxValueInfo(i)).ToList().AsReadOnly();
            Outputs = proto.Output.Select(o => new OnnxValueInfo(o)).ToList().AsReadOnly();
            ValueInfos = proto.ValueInfo.Select(o => new OnnxValueInfo(o)).ToList().AsReadOnly();

            var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
            foreach (var t in proto.Initializer) initializers[t.Name] = new OnnxTensor(t, path);
            Initializers = new ReadOnlyDictionary<string, OnnxTensor>(initializers);

            var constants = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
            foreach (var node in Nodes)
            {
                if (node.OpType != "Constant" || (node.Domain.Length != 0 && node.Domain != "ai.onnx") || node.Outputs.Count == 0) continue;
                var tensor = ConstantValue(node, path);
                if (tensor != null) constants[node.Outputs[0]] = tensor;
            }
            Constants = new ReadOnlyDictionary<string, OnnxTensor>(constants);
        }

        public string Name { get; }

        /// <summary>The nodes in file order (ONNX requires topological order).</summary>
        public IReadOnlyList<OnnxNode> Nodes { get; }

        /// <summary>The declared graph inputs. Models before IR version 4 list the initializers here too.</summary>
        public IReadOnlyList<OnnxValueInfo> Inputs { get; }

        public IReadOnlyList<OnnxValueInfo> Outputs { get; }

        /// <summary>Types of intermediate values, where the file records them.</summary>
        public IReadOnlyList<OnnxValueInfo> ValueInfos { get; }

        /// <summary>The graph's initializers by name.</summary>
        public IReadOnlyDictionary<string, OnnxTensor> Initializers { get; }

        /// <summary>
        /// The values of Constant nodes by output name: the <c>value</c> tensor, or a tensor made from
        /// <c>value_float</c>, <c>value_floats</c>, <c>value_int</c> or <c>value_ints</c>. Exporters such as Paddle2ONNX
        /// store every weight this way instead of as an initializer.
        /// </summary>
        public IReadOnlyDictionary<string, OnnxTensor> Constants { get; }

        /// <summary>An initializer or a Constant node's value with that name, or null.</summary>
        public OnnxTensor? FindTensor(string name) =>
            Initializers.TryGetValue(name, out var t) ? t : Constants.TryGetValue(name, out t) ? t : null;

        private static OnnxTensor? ConstantValue(OnnxNode node, string path)
        {
            string name = node.Outputs[0];
            foreach (var a in node.Attributes.Values)
            {
                switch (a.Name)
                {
                    case "value": return a.Type == OnnxAttributeType.Tensor ? a.Tensor.Renamed(name) : null;
                    case "value_float": return OnnxTensor.FromFloats(name, Array.Empty<long>(), new[] { a.Float }, path);
                    case "value_floats": { var f = a.Floats; return OnnxTensor.FromFloats(name, new long[] { f.Length }, f, path); }
                    case "value_int": return OnnxTensor.FromInt64s(name, Array.Empty<long>(), new[] { a.Int }, path);
                    case "value_ints": { var i = a.Ints; return OnnxTensor.FromInt64s(name, new long[] { i.Length }, i, path); }
                }
            }
            return null;
        }
    }

    /// <summary>A graph input, output or intermediate value: its name, element type and shape.</summary>
    public sealed class OnnxValueInfo
    {
        internal OnnxValueInfo(ValueInfoProto proto)
        {
            Name = proto.Name;
            var tensor = proto.Type?.TensorType;
            ElementType = tensor == null ? OnnxDataType.Undefined : (OnnxDataType)tensor.ElemType;
            if (tensor?.Shape != null)
            {
                var dims = tensor.Shape.Dim;
                Shape = dims.Select(d => d.HasDimValue ? d.DimValue : -1L).ToArray();
                DimParams = dims.Select(d => d.HasDimParam ? d.DimParam : null).ToArray();
            }
        }

        public string Name { get; }
        public OnnxDataType ElementType { get; }

        /// <summary>The dimensions, -1 for a symbolic or unknown one; null when the file gives no shape (unknown rank).</summary>
        public long[]? Shape { get; }

        /// <summary>The symbolic name of each dimension (such as "N"), null for fixed ones; null when there is no shape.</summary>
        public string?[]? DimParams { get; }

        public override string ToString() =>
            Shape == null ? $"{Name}: {ElementType}" : $"{Name}: {ElementType}[{string.Join(",", Shape.Select((d, i) => d >= 0 ? d.ToString() : DimParams?[i] ?? "?"))}]";
    }

    /// <summary>One operator of the graph, with its attributes by name.</summary>
    public sealed class OnnxNode
    {
        internal OnnxNode(NodeProto proto, string path)
        {
            Name = proto.Name;
            OpType = proto.OpType;
            Domain = proto.Domain;
            Inputs = proto.Input.ToList().AsReadOnly();
            Outputs = proto.Output.ToList().AsReadOnly();
            var attributes = new Dictionary<string, OnnxAttribute>(StringComparer.Ordinal);
            foreach (var a in proto.Attribute) attributes[a.Name] = new OnnxAttribute(a, this, path);
            Attributes = new ReadOnlyDictionary<string, OnnxAttribute>(attributes);
        }

        /// <summary>The node's name; may be empty (ONNX makes it optional).</summary>
        public string Name { get; }
        public string OpType { get; }

        /// <summary>The operator set domain; empty for the default ONNX one.</summary>
        public string Domain { get; }

        /// <summary>Input value names in operator order; an empty name is an omitted optional input.</summary>
        public IReadOnlyList<string> Inputs { get; }
        public IReadOnlyList<string> Outputs { get; }
        public IReadOnlyDictionary<string, OnnxAttribute> Attributes { get; }

        public bool HasAttribute(string name) => Attributes.ContainsKey(name);

        public long GetInt(string name, long defaultValue) => Attributes.TryGetValue(name, out var a) ? a.Int : defaultValue;

        /// <summary>The INTS attribute, or null when the node does not have it.</summary>
        public long[]? GetInts(string name) => Attributes.TryGetValue(name, out var a) ? a.Ints : null;

        public float GetFloat(string name, float defaultValue) => Attributes.TryGetValue(name, out var a) ? a.Float : defaultValue;

        /// <summary>The FLOATS attribute, or null when the node does not have it.</summary>
        public float[]? GetFloats(string name) => Attributes.TryGetValue(name, out var a) ? a.Floats : null;

        public string? GetString(string name, string? defaultValue = null) => Attributes.TryGetValue(name, out var a) ? a.String : defaultValue;

        /// <summary>The TENSOR attribute, or null when the node does not have it.</summary>
        public OnnxTensor? GetTensor(string name) => Attributes.TryGetValue(name, out var a) ? a.Tensor : null;

        /// <summary>How errors name the node: its name and operator, e.g. <c>node 'conv1' (Conv)</c>.</summary>
        public string Describe() => Name.Length == 0
            ? $"node {OpType} (outputs {string.Join(", ", Outputs)})"
            : $"node '{Name}' ({OpType})";

        public override string ToString() => $"{Describe()}: ({string.Join(", ", Inputs)}) -> ({string.Join(", ", Outputs)})";
    }

    /// <summary>
    /// A node attribute. The typed accessors throw a <see cref="MaceException"/> (KindMismatch) that names the node when
    /// the attribute is of another type.
    /// </summary>
    public sealed class OnnxAttribute
    {
        private readonly AttributeProto _proto;
        private readonly OnnxNode _node;
        private readonly string _path;
        private OnnxTensor? _tensor;

        internal OnnxAttribute(AttributeProto proto, OnnxNode node, string path)
        {
            _proto = proto;
            _node = node;
            _path = path;
            Type = proto.Type != AttributeProto.Types.AttributeType.Undefined ? (OnnxAttributeType)proto.Type : Infer(proto);
        }

        public string Name => _proto.Name;

        /// <summary>The declared type; for IR version 1 files, which have none, the type of the value field present.</summary>
        public OnnxAttributeType Type { get; }

        public long Int { get { Expect(OnnxAttributeType.Int); return _proto.I; } }
        public long[] Ints { get { Expect(OnnxAttributeType.Ints); return _proto.Ints.ToArray(); } }
        public float Float { get { Expect(OnnxAttributeType.Float); return _proto.F; } }
        public float[] Floats { get { Expect(OnnxAttributeType.Floats); return _proto.Floats.ToArray(); } }

        /// <summary>A STRING attribute, decoded as UTF-8.</summary>
        public string String { get { Expect(OnnxAttributeType.String); return _proto.S.ToStringUtf8(); } }
        public string[] Strings { get { Expect(OnnxAttributeType.Strings); return _proto.Strings.Select(s => s.ToStringUtf8()).ToArray(); } }

        public OnnxTensor Tensor
        {
            get
            {
                Expect(OnnxAttributeType.Tensor);
                if (_proto.T == null)
                    throw new MaceException(ErrorIds.MalformedProtobuf, MaceErrorCategory.InvalidData,
                        $"{_path}: {_node.Describe()}: attribute '{Name}' is a TENSOR attribute without a tensor", _path);
                return _tensor ??= new OnnxTensor(_proto.T, _path);
            }
        }

        public override string ToString() => Type switch
        {
            OnnxAttributeType.Int => $"{Name}={Int}",
            OnnxAttributeType.Float => $"{Name}={Float}",
            OnnxAttributeType.String => $"{Name}='{String}'",
            OnnxAttributeType.Ints => $"{Name}=[{string.Join(",", Ints)}]",
            OnnxAttributeType.Floats => $"{Name}=[{string.Join(",", Floats)}]",
            OnnxAttributeType.Strings => $"{Name}=[{string.Join(",", Strings.Select(s => "'" + s + "'"))}]",
            OnnxAttributeType.Tensor => $"{Name}={Tensor}",
            _ => $"{Name}: {Type}",
        };

        private void Expect(OnnxAttributeType wanted)
        {
            if (Type != wanted)
                throw new MaceException(ErrorIds.KindMismatch, MaceErrorCategory.InvalidData,
                    $"{_path}: {_node.Describe()}: attribute '{Name}' is {TypeName(Type)}, not {TypeName(wanted)}", _path);
        }

        private static string TypeName(OnnxAttributeType t) => t.ToString().ToUpperInvariant();

        private static OnnxAttributeType Infer(AttributeProto a)
        {
            if (a.HasF) return OnnxAttributeType.Float;
            if (a.HasI) return OnnxAttributeType.Int;
            if (a.HasS) return OnnxAttributeType.String;
            if (a.T != null) return OnnxAttributeType.Tensor;
            if (a.Floats.Count > 0) return OnnxAttributeType.Floats;
            if (a.Ints.Count > 0) return OnnxAttributeType.Ints;
            if (a.Strings.Count > 0) return OnnxAttributeType.Strings;
            return OnnxAttributeType.Undefined;
        }
    }

    /// <summary>
    /// A tensor of an ONNX file (an initializer, a Constant node's value, an attribute, or a test-data .pb file).
    /// Values are converted on request; unsupported element types and inconsistent data are a <see cref="MaceException"/>
    /// that names the file and the tensor.
    /// </summary>
    public sealed class OnnxTensor
    {
        private readonly TensorProto _proto;
        private readonly string _path;

        internal OnnxTensor(TensorProto proto, string path, string? name = null)
        {
            _proto = proto;
            _path = path;
            Name = name ?? proto.Name;
            Dims = proto.Dims.ToArray();
            DataType = (OnnxDataType)proto.DataType;
        }

        public string Name { get; }

        /// <summary>The shape; empty for a scalar.</summary>
        public long[] Dims { get; }
        public OnnxDataType DataType { get; }

        /// <summary>The file the tensor comes from.</summary>
        public string Source => _path;

        /// <summary>True when the values live in a separate file (external data), which this reader does not follow.</summary>
        public bool IsExternal => _proto.DataLocation == TensorProto.Types.DataLocation.External || _proto.ExternalData.Count > 0;

        /// <summary>The element count the dims call for (1 for a scalar).</summary>
        public long ElementCount
        {
            get
            {
                long n = 1;
                foreach (long d in Dims)
                {
                    if (d < 0) throw Invalid(ErrorIds.MalformedProtobuf, $"has a negative dimension in [{string.Join(",", Dims)}]");
                    try { n = checked(n * d); }
                    catch (OverflowException) { throw Invalid(ErrorIds.MalformedProtobuf, $"dims [{string.Join(",", Dims)}] overflow a 64-bit element count"); }
                }
                return n;
            }
        }

        /// <summary>Reads a serialized TensorProto, as in the input_N.pb / output_N.pb files of ONNX test data.</summary>
        public static OnnxTensor Load(string pbPath) => Parse(InputGate.ReadAll(pbPath, InputKind.OnnxTensor), pbPath);

        /// <summary>Decodes a serialized TensorProto; <paramref name="path"/> only names it in errors.</summary>
        public static OnnxTensor Parse(byte[] data, string path = "<bytes>")
        {
            if (data == null) throw new ArgumentNullException(nameof(data));
            if (data.Length == 0)
                throw new MaceFormatException(ErrorIds.FileEmpty, path, 0, "the file is empty, not a serialized ONNX tensor");
            var proto = OnnxWire.Parse(TensorProto.Parser, data, path, "ONNX tensor (TensorProto)");
            if (proto.DataType == 0)
                throw new MaceFormatException(ErrorIds.UnknownFormat, path, 0, "not a serialized ONNX tensor: it has no data_type");
            return new OnnxTensor(proto, path);
        }

        /// <summary>The values as float: FLOAT as is; DOUBLE, INT32, INT64 and the smaller integer types and BOOL converted.</summary>
        public float[] ToFloats()
        {
            long n = CheckedCount();
            switch (DataType)
            {
                case OnnxDataType.Float:
                    return _proto.FloatData.Count > 0 || _proto.RawData.IsEmpty ? Counted(_proto.FloatData.ToArray(), n) : Raw<float>(n);
                case OnnxDataType.Double:
                    return Array.ConvertAll(ToDoubles(n), d => (float)d);
                default:
                    return Array.ConvertAll(ToInt64s(), i => (float)i);
            }
        }

        /// <summary>The values as long: INT64 as is; INT32, the smaller integer types and BOOL widened.</summary>
        public long[] ToInt64s()
        {
            long n = CheckedCount();
            switch (DataType)
            {
                case OnnxDataType.Int64:
                    return _proto.Int64Data.Count > 0 || _proto.RawData.IsEmpty ? Counted(_proto.Int64Data.ToArray(), n) : Raw<long>(n);
                case OnnxDataType.Int32:
                    return Array.ConvertAll(Int32Field(n, () => Raw<int>(n)), i => (long)i);
                case OnnxDataType.Int16:
                    return Array.ConvertAll(Int32Field(n, () => Array.ConvertAll(Raw<short>(n), v => (int)v)), i => (long)i);
                case OnnxDataType.UInt16:
                    return Array.ConvertAll(Int32Field(n, () => Array.ConvertAll(Raw<ushort>(n), v => (int)v)), i => (long)i);
                case OnnxDataType.Int8:
                    return Array.ConvertAll(Int32Field(n, () => Array.ConvertAll(Raw<sbyte>(n), v => (int)v)), i => (long)i);
                case OnnxDataType.UInt8:
                case OnnxDataType.Bool:
                    return Array.ConvertAll(Int32Field(n, () => Array.ConvertAll(Raw<byte>(n), v => (int)v)), i => (long)i);
                default:
                    throw Unsupported("long");
            }
        }

        public override string ToString() => $"{(Name.Length == 0 ? "tensor" : Name)}: {DataType}[{string.Join(",", Dims)}]";

        internal OnnxTensor Renamed(string name) => new OnnxTensor(_proto, _path, name);

        internal static OnnxTensor FromFloats(string name, long[] dims, float[] values, string path)
        {
            var t = new TensorProto { Name = name, DataType = (int)OnnxDataType.Float };
            t.Dims.AddRange(dims);
            t.FloatData.AddRange(values);
            return new OnnxTensor(t, path);
        }

        internal static OnnxTensor FromInt64s(string name, long[] dims, long[] values, string path)
        {
            var t = new TensorProto { Name = name, DataType = (int)OnnxDataType.Int64 };
            t.Dims.AddRange(dims);
            t.Int64Data.AddRange(values);
            return new OnnxTensor(t, path);
        }

        private double[] ToDoubles(long n) =>
            _proto.DoubleData.Count > 0 || _proto.RawData.IsEmpty ? Counted(_proto.DoubleData.ToArray(), n) : Raw<double>(n);

        /// <summary>INT32 and the narrower types: int32_data, or raw_data read by <paramref name="fromRaw"/>.</summary>
        private int[] Int32Field(long n, Func<int[]> fromRaw) =>
            _proto.Int32Data.Count > 0 || _proto.RawData.IsEmpty ? Counted(_proto.Int32Data.ToArray(), n) : fromRaw();

        private long CheckedCount()
        {
            if (IsExternal)
            {
                string location = _proto.ExternalData.FirstOrDefault(e => e.Key == "location")?.Value ?? "?";
                throw new MaceException(ErrorIds.Unsupported, MaceErrorCategory.InvalidData,
                    $"{_path}: tensor '{Name}' keeps its data in the external file '{location}', which is not supported", _path);
            }
            long n = ElementCount;
            if (n > int.MaxValue) throw Invalid(ErrorIds.Unsupported, $"has {n} elements, more than an array holds");
            switch (DataType)
            {
                case OnnxDataType.Float: case OnnxDataType.Double: case OnnxDataType.Int64: case OnnxDataType.Int32:
                case OnnxDataType.Int16: case OnnxDataType.UInt16: case OnnxDataType.Int8: case OnnxDataType.UInt8: case OnnxDataType.Bool:
                    return n;
                default:
                    throw Unsupported("numbers");
            }
        }

        private T[] Counted<T>(T[] values, long n)
        {
            if (values.Length != n)
                throw Invalid(values.Length < n ? ErrorIds.Truncated : ErrorIds.MalformedProtobuf,
                    $"has dims [{string.Join(",", Dims)}] ({n} elements) but holds {values.Length} values");
            return values;
        }

        /// <summary>raw_data: fixed-width little-endian elements.</summary>
        private T[] Raw<T>(long n) where T : struct
        {
            int size = Marshal.SizeOf<T>();
            ReadOnlySpan<byte> raw = _proto.RawData.Span;
            if (raw.Length != n * size)
                throw Invalid(raw.Length < n * size ? ErrorIds.Truncated : ErrorIds.MalformedProtobuf,
                    $"has dims [{string.Join(",", Dims)}] ({n} elements of {size} bytes) but raw_data holds {raw.Length} bytes");
            if (BitConverter.IsLittleEndian) return MemoryMarshal.Cast<byte, T>(raw).ToArray();
            byte[] swapped = raw.ToArray();
            for (int i = 0; i < swapped.Length; i += size) Array.Reverse(swapped, i, size);
            return MemoryMarshal.Cast<byte, T>(swapped).ToArray();
        }

        private MaceException Invalid(string errorId, string what) =>
            new MaceException(errorId, MaceErrorCategory.InvalidData, $"{_path}: tensor '{Name}' {what}", _path);

        private MaceException Unsupported(string target) =>
            new MaceException(ErrorIds.Unsupported, MaceErrorCategory.InvalidData,
                $"{_path}: tensor '{Name}' has data type {DataTypeName((int)DataType)}, which cannot be read as {target} " +
                "(supported: FLOAT, DOUBLE, INT64, INT32, INT16, UINT16, INT8, UINT8, BOOL)", _path);

        private static string DataTypeName(int t) =>
            Enum.IsDefined(typeof(OnnxDataType), t) ? $"{((OnnxDataType)t).ToString().ToUpperInvariant()} ({t})" : $"{t} (unknown)";
    }

    /// <summary>
    /// Protobuf decoding with MaceTools errors instead of InvalidProtocolBufferException. When Google.Protobuf refuses the
    /// bytes, a walk of the wire format guided by the message descriptors finds the offset and the field of the problem.
    /// </summary>
    internal static class OnnxWire
    {
        private const int MaxDepth = 100; // Google.Protobuf's default recursion limit

        public static T Parse<T>(MessageParser<T> parser, byte[] data, string path, string what) where T : IMessage<T>, new()
        {
            var input = new CodedInputStream(data);
            try
            {
                T message = parser.WithDiscardUnknownFields(true).ParseFrom(input);
                if (input.IsAtEnd) return message;
                throw Located(new T().Descriptor, data, path, what, "a stray end-group tag stops the message before the end of the file");
            }
            catch (InvalidProtocolBufferException e)
            {
                throw Located(new T().Descriptor, data, path, what, e.Message);
            }
        }

        private static MaceFormatException Located(MessageDescriptor descriptor, byte[] data, string path, string what, string fallback)
        {
            var problem = Walk(descriptor, data, 0, data.Length, descriptor.Name, 0);
            if (problem == null)
                return new MaceFormatException(ErrorIds.MalformedProtobuf, path, 0, $"not a valid {what}: {fallback}");
            var (offset, truncated, detail) = problem.Value;
            return truncated
                ? new MaceFormatException(ErrorIds.Truncated, path, offset, $"the {what} is cut off (the file has {data.Length} bytes; truncated?): {detail}")
                : new MaceFormatException(ErrorIds.MalformedProtobuf, path, offset, $"not a valid {what}: {detail}");
        }

        /// <summary>The first wire-format problem in data[start, end) read as <paramref name="descriptor"/>, or null.</summary>
        private static (long Offset, bool Truncated, string Detail)? Walk(MessageDescriptor? descriptor, byte[] data, int start, int end, string where, int depth)
        {
            if (depth > MaxDepth) return (start, false, $"{where} nests messages more than {MaxDepth} levels deep");
            var counts = new Dictionary<int, int>();
            int pos = start;
            while (pos < end)
            {
                int tagAt = pos;
                if (!Varint(data, ref pos, end, out ulong tag, out bool cut))
                    return (tagAt, cut, cut ? $"{where}: a field tag is cut off by the end of the data" : $"{where}: a field tag is a varint longer than 10 bytes");
                int number = (int)Math.Min(tag >> 3, int.MaxValue);
                int wire = (int)(tag & 7);
                if (number == 0) return (tagAt, false, $"{where}: field number 0, which protobuf forbids");
                var field = descriptor?.FindFieldByNumber(number);
                int index = counts.TryGetValue(number, out int c) ? c : 0;
                counts[number] = index + 1;
                string name = field == null ? $"{where}.<field {number}>" : field.IsRepeated ? $"{where}.{field.Name}[{index}]" : $"{where}.{field.Name}";
                switch (wire)
                {
                    case 0:
                        if (!Varint(data, ref pos, end, out _, out cut))
                            return (tagAt, cut, cut ? $"{name}: the varint value is cut off" : $"{name}: the varint value is longer than 10 bytes");
                        break;
                    case 1:
                    case 5:
                        int size = wire == 1 ? 8 : 4;
                        if (end - pos < size) return (tagAt, true, $"{name}: needs {size} bytes, {end - pos} remain");
                        pos += size;
                        break;
                    case 2:
                        if (!Varint(data, ref pos, end, out ulong length, out cut))
                            return (tagAt, cut, cut ? $"{name}: the length is cut off" : $"{name}: the length is a varint longer than 10 bytes");
                        if (length > (ulong)(end - pos))
                            return (tagAt, true, $"{name}: claims {length} bytes, {end - pos} remain");
                        if (field?.FieldType == FieldType.Message)
                        {
                            var inner = Walk(field.MessageType, data, pos, pos + (int)length, name, depth + 1);
                            if (inner != null) return inner;
                        }
                        pos += (int)length;
                        break;
                    case 3:
                        var group = SkipGroup(data, ref pos, end, number, name, depth + 1);
                        if (group != null) return group;
                        break;
                    case 4:
                        return (tagAt, false, $"{where}: an end-group tag (field {number}) without a start-group tag");
                    default:
                        return (tagAt, false, $"{name}: wire type {wire}, which protobuf does not have");
                }
            }
            return null;
        }

        /// <summary>Skips an unknown group up to its matching end-group tag.</summary>
        private static (long Offset, bool Truncated, string Detail)? SkipGroup(byte[] data, ref int pos, int end, int number, string where, int depth)
        {
            if (depth > MaxDepth) return (pos, false, $"{where} nests groups more than {MaxDepth} levels deep");
            while (true)
            {
                int tagAt = pos;
                if (pos >= end) return (pos, true, $"{where}: the group (field {number}) has no end-group tag before the end of the data");
                if (!Varint(data, ref pos, end, out ulong tag, out bool cut))
                    return (tagAt, cut, $"{where}: a field tag inside the group is {(cut ? "cut off" : "longer than 10 bytes")}");
                int inner = (int)Math.Min(tag >> 3, int.MaxValue);
                int wire = (int)(tag & 7);
                if (inner == 0) return (tagAt, false, $"{where}: field number 0, which protobuf forbids");
                switch (wire)
                {
                    case 0:
                        if (!Varint(data, ref pos, end, out _, out cut)) return (tagAt, cut, $"{where}: a varint inside the group is {(cut ? "cut off" : "longer than 10 bytes")}");
                        break;
                    case 1:
                    case 5:
                        int size = wire == 1 ? 8 : 4;
                        if (end - pos < size) return (tagAt, true, $"{where}: a field inside the group needs {size} bytes, {end - pos} remain");
                        pos += size;
                        break;
                    case 2:
                        if (!Varint(data, ref pos, end, out ulong length, out cut)) return (tagAt, cut, $"{where}: a length inside the group is {(cut ? "cut off" : "longer than 10 bytes")}");
                        if (length > (ulong)(end - pos)) return (tagAt, true, $"{where}: a field inside the group claims {length} bytes, {end - pos} remain");
                        pos += (int)length;
                        break;
                    case 3:
                        var nested = SkipGroup(data, ref pos, end, inner, where, depth + 1);
                        if (nested != null) return nested;
                        break;
                    case 4:
                        if (inner != number) return (tagAt, false, $"{where}: the group of field {number} ends with the end-group tag of field {inner}");
                        return null;
                    default:
                        return (tagAt, false, $"{where}: wire type {wire} inside the group, which protobuf does not have");
                }
            }
        }

        private static bool Varint(byte[] data, ref int pos, int end, out ulong value, out bool cut)
        {
            value = 0;
            cut = false;
            for (int shift = 0; shift < 70; shift += 7)
            {
                if (pos >= end) { cut = true; return false; }
                byte b = data[pos++];
                value |= (ulong)(b & 0x7f) << shift;
                if ((b & 0x80) == 0) return true;
            }
            return false;
        }
    }
}
