using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Devices;
using MaceTools.OpenCL;

namespace MaceTools.Kernels
{
    /// <summary>
    /// Runs <see cref="KernelLaunch"/>es on one local OpenCL device in-process: builds each program once per key from a
    /// <see cref="KernelSourceSet"/>, keeps named tensors in device memory (images in their layout, plain buffers), binds
    /// arguments, and times every launch with profiling events. Our own kernels with checked arguments only: damaged
    /// binaries are loaded in a worker process, never here.
    /// </summary>
    public sealed class KernelRunner : IDisposable
    {
        private readonly Dictionary<string, ClProgram> _programs = new Dictionary<string, ClProgram>(StringComparer.Ordinal);
        private readonly Dictionary<string, ClKernel> _kernels = new Dictionary<string, ClKernel>(StringComparer.Ordinal);
        private readonly Dictionary<string, (ClMemory Memory, KernelArg Spec)> _tensors = new Dictionary<string, (ClMemory, KernelArg)>(StringComparer.Ordinal);
        private readonly ClContext _context;
        private readonly ClQueue _queue;

        public KernelRunner(MaceDevice device, KernelSourceSet? sources = null)
        {
            Device = device;
            Sources = sources ?? KernelSourceSet.Builtin;
            var handle = device.Handle ?? throw new ArgumentException($"device {device} is not a local OpenCL device", nameof(device));
            _context = new ClContext(handle);
            _queue = new ClQueue(_context);
        }

        public MaceDevice Device { get; }
        public KernelSourceSet Sources { get; }

        /// <summary>The built kernel for a launch (compiled on first use; a failed build throws with the driver's log).</summary>
        public ClKernel Kernel(KernelLaunch launch)
        {
            string id = launch.ProgramKey + "\n" + launch.Symbol;
            if (_kernels.TryGetValue(id, out var k)) return k;
            if (!_programs.TryGetValue(launch.ProgramKey, out var program))
            {
                if (!Sources.Contains(launch.Program))
                    throw new MaceException(ErrorIds.Unsupported, MaceErrorCategory.ObjectNotFound, $"the kernel sources ({Sources.Origin}) have no program {launch.Program}", launch.Program);
                program = _context.FromSource(Sources.Assemble(launch.Program, launch.Target.Version));
                var result = program.Build(launch.CompilerFlags);
                if (!result.Succeeded)
                {
                    program.Dispose();
                    throw new ClException("clBuildProgram", result.Status, launch.ProgramKey, result.Log, launch.Program);
                }
                _programs[launch.ProgramKey] = program;
            }
            k = new ClKernel(program, launch.Symbol);
            _kernels[id] = k;
            return k;
        }

        /// <summary>A program from source in this runner's context, not yet built (the build worker builds, launches and captures it).</summary>
        public ClProgram CreateFromSource(string source) => _context.FromSource(source);

        /// <summary>A program from a binary in this runner's context, not yet built.</summary>
        public ClProgram CreateFromBinary(byte[] binary) => _context.FromBinary(binary);

        /// <summary>
        /// Makes <paramref name="program"/> (built elsewhere, in this runner's context) the one launches of
        /// <paramref name="programKey"/> use; the runner owns it from now on. A program the runner held for the key is released.
        /// </summary>
        public void Adopt(string programKey, ClProgram program)
        {
            Release(programKey);
            _programs[programKey] = program;
        }

        /// <summary>Releases the program of a key and its kernels (the next launch builds it again).</summary>
        public void Release(string programKey)
        {
            foreach (var id in _kernels.Keys.Where(id => id.StartsWith(programKey + "\n", StringComparison.Ordinal)).ToList())
            {
                _kernels[id].Dispose();
                _kernels.Remove(id);
            }
            if (_programs.TryGetValue(programKey, out var p))
            {
                p.Dispose();
                _programs.Remove(programKey);
            }
        }

        /// <summary>Uploads a tensor for image arguments of <paramref name="layout"/> (packed on the host).</summary>
        public void Upload(string name, ImageKind layout, int[] shape, float[] data)
        {
            var spec = KernelArg.Image(name, name, layout, shape);
            var image = (ClImage)Allocate(name, spec);
            _queue.WriteImage(image, ImageLayout.Pack(layout, shape, data));
        }

        /// <summary>Uploads a plain buffer (the source of a buffer_to_image launch).</summary>
        public void UploadBuffer(string name, float[] data)
        {
            var spec = KernelArg.Buffer(name, name, data.Length);
            var buffer = (ClBuffer)Allocate(name, spec);
            _queue.WriteBuffer(buffer, data);
        }

        /// <summary>
        /// Uploads seeded random data for every input of the launch that is not in device memory with the launch's shape,
        /// so the launch can be timed with real sizes (the tuner and the benchmarks; values do not matter there).
        /// </summary>
        public void FillInputs(KernelLaunch launch, int seed = 1) => FillInputs(launch, null, seed);

        /// <summary>As <see cref="FillInputs(KernelLaunch, int)"/>, for the device tensors a binding names (see <see cref="Time(KernelLaunch, long[], IReadOnlyDictionary{string, string})"/>).</summary>
        public void FillInputs(KernelLaunch launch, IReadOnlyDictionary<string, string>? tensors, int seed = 1)
        {
            foreach (var arg in launch.Inputs)
            {
                string name = TensorName(launch, arg, tensors);
                if (_tensors.TryGetValue(name, out var t) && Same(t.Spec, arg)) continue;
                Upload(name, arg, ImageLayout.RandomData(seed++, ImageLayout.Count(arg.Shape)));
            }
        }

        /// <summary>
        /// A binding that names each of the launch's tensors by its placeholder and shape: launches that use a placeholder
        /// at different shapes get tensors of their own, so all of them can be filled before a run and queued together.
        /// </summary>
        public static IReadOnlyDictionary<string, string> ShapedTensors(KernelLaunch launch)
        {
            var binding = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var arg in launch.Arguments.Where(a => a.Tensor != null)) binding[arg.Tensor!] = arg.Tensor + " " + Describe(arg);
            return binding;
        }

        private void Upload(string name, KernelArg arg, float[] data)
        {
            if (arg.Kind == KernelArgKind.Buffer) UploadBuffer(name, data);
            else Upload(name, arg.Layout, arg.Shape, data);
        }

        /// <summary>Reads a tensor back in its logical order (images unpacked from their layout).</summary>
        public float[] Download(string name)
        {
            if (!_tensors.TryGetValue(name, out var t)) throw new ArgumentException($"no tensor named {name}", nameof(name));
            if (t.Memory is ClImage image) return ImageLayout.Unpack(t.Spec.Layout, t.Spec.Shape, _queue.ReadImage(image));
            return _queue.ReadBuffer((ClBuffer)t.Memory);
        }

        /// <summary>Uploads the launch's inputs from <paramref name="inputs"/> (by tensor name), runs it with MACE's default local size, returns the output.</summary>
        public float[] Run(KernelLaunch launch, IDictionary<string, float[]> inputs)
        {
            foreach (var arg in launch.Inputs)
            {
                if (!inputs.TryGetValue(arg.Tensor!, out var data)) throw new ArgumentException($"{launch.Kernel} needs tensor {arg.Tensor}", nameof(inputs));
                Upload(arg.Tensor!, arg, data);
            }
            Time(launch);
            return Download(launch.Output.Tensor!);
        }

        /// <summary>MACE's default local size for this launch on this device.</summary>
        public long[] DefaultLocalSize(KernelLaunch launch) =>
            launch.DefaultLocalSize(Kernel(launch).WorkGroupSize, Device.GlobalMemCacheSize, Device.ComputeUnits);

        /// <summary>
        /// Runs the launch once on tensors already in device memory (the output is allocated when absent) with
        /// <paramref name="local"/> (default: MACE's formula) and returns the kernel's device time in nanoseconds.
        /// </summary>
        public ulong Time(KernelLaunch launch, long[]? local = null) => Time(launch, local, null);

        /// <summary>
        /// As <see cref="Time(KernelLaunch, long[])"/>, with a binding: each tensor argument's placeholder
        /// (<see cref="KernelArg.Tensor"/>) names the device tensor it reads or writes (a model's graph tensors).
        /// A placeholder the binding lacks is an error, so that no launch reads another op's tensor by accident.
        /// </summary>
        public ulong Time(KernelLaunch launch, long[]? local, IReadOnlyDictionary<string, string>? tensors)
        {
            local ??= DefaultLocalSize(launch);
            return _queue.Run(Bind(launch, local, tensors), launch.EnqueuedGlobalSize(local), local);
        }

        /// <summary>
        /// A launch with a kernel object of its own, for a model's inferences: its scalar arguments are set once here and its
        /// memory arguments at the first <see cref="Enqueue(PreparedLaunch, long[])"/>, as each MACE op keeps its
        /// cl::Kernel and sets arguments again only when an input changed (IsResetArgsNeeded).
        /// </summary>
        internal PreparedLaunch Prepare(KernelLaunch launch, IReadOnlyDictionary<string, string>? tensors)
        {
            Kernel(launch); // builds the program on first use
            var p = new PreparedLaunch(launch, new ClKernel(_programs[launch.ProgramKey], launch.Symbol));
            for (int i = 0; i < launch.Arguments.Count; i++)
            {
                var arg = launch.Arguments[i];
                if (arg.Kind == KernelArgKind.Int) p.Kernel.SetInt(i, arg.IntValue);
                else if (arg.Kind == KernelArgKind.Float) p.Kernel.SetFloat(i, arg.FloatValue);
                else if (arg.Kind != KernelArgKind.Local) p.Tensors[i] = TensorName(launch, arg, tensors);
            }
            return p;
        }

        /// <summary>
        /// Enqueues a prepared launch without waiting: a memory argument is set again only when its tensor's memory object
        /// changed, __local sizes and the driver's size arrays only when the local size did. Its event goes to
        /// <see cref="Timeline"/> after <see cref="Finish"/>.
        /// </summary>
        internal IntPtr Enqueue(PreparedLaunch p, long[] local)
        {
            var launch = p.Launch;
            if (!ReferenceEquals(p.LastLocal, local))
            {
                if (p.LastLocal == null || !p.LastLocal.SequenceEqual(local))
                {
                    long items = local.Aggregate(1L, (a, b) => a * b);
                    for (int i = 0; i < launch.Arguments.Count; i++)
                        if (launch.Arguments[i].Kind == KernelArgKind.Local) p.Kernel.SetLocal(i, launch.Arguments[i].LocalBytesPerItem * items);
                    p.Global = ClQueue.Sizes(launch.EnqueuedGlobalSize(local))!;
                    p.Local = ClQueue.Sizes(local);
                }
                p.LastLocal = local;
            }
            for (int i = 0; i < p.Tensors.Length; i++)
            {
                if (p.Tensors[i] == null) continue;
                var memory = Bound(launch, launch.Arguments[i], p.Tensors[i]!);
                if (memory.Handle != p.Bound[i])
                {
                    p.Kernel.SetMemory(i, memory);
                    p.Bound[i] = memory.Handle;
                }
            }
            return _queue.Enqueue(p.Kernel, p.Global, p.Local);
        }

        /// <summary>Waits until every enqueued launch has finished.</summary>
        internal void Finish() => _queue.Finish();

        /// <summary>A finished launch's profiling stamps on the device's clock, in nanoseconds (its event is released).</summary>
        internal (ulong Queued, ulong Submit, ulong Start, ulong End) Timeline(IntPtr evt) => _queue.Timeline(evt);

        private ClKernel Bind(KernelLaunch launch, long[] local, IReadOnlyDictionary<string, string>? tensors)
        {
            var kernel = Kernel(launch);
            long items = local.Aggregate(1L, (a, b) => a * b);
            for (int i = 0; i < launch.Arguments.Count; i++)
            {
                var arg = launch.Arguments[i];
                switch (arg.Kind)
                {
                    case KernelArgKind.Int: kernel.SetInt(i, arg.IntValue); break;
                    case KernelArgKind.Float: kernel.SetFloat(i, arg.FloatValue); break;
                    case KernelArgKind.Local: kernel.SetLocal(i, arg.LocalBytesPerItem * items); break;
                    default: kernel.SetMemory(i, Bound(launch, arg, TensorName(launch, arg, tensors))); break;
                }
            }
            return kernel;
        }

        private static string TensorName(KernelLaunch launch, KernelArg arg, IReadOnlyDictionary<string, string>? tensors)
        {
            if (tensors == null) return arg.Tensor!;
            return tensors.TryGetValue(arg.Tensor!, out var name) ? name
                : throw new ArgumentException($"{launch.Kernel} argument {arg.Name}: the binding names no tensor for '{arg.Tensor}'");
        }

        private ClMemory Bound(KernelLaunch launch, KernelArg arg, string name)
        {
            // An output is (re)allocated to the launch's shape; what it held before is not read.
            if (arg.IsOutput) return Allocate(name, arg);
            if (_tensors.TryGetValue(name, out var t))
            {
                if (!Same(t.Spec, arg))
                    throw new ArgumentException($"{launch.Kernel} argument {arg.Name}: tensor {name} is {Describe(t.Spec)}, the launch needs {Describe(arg)}");
                return t.Memory;
            }
            throw new ArgumentException($"{launch.Kernel} argument {arg.Name}: tensor {name} was not uploaded");
        }

        /// <summary>The tensors in device memory, by name.</summary>
        public IReadOnlyCollection<string> TensorNames => _tensors.Keys;

        /// <summary>Releases a tensor's device memory (a model run's tensors, when it ends).</summary>
        public void Free(string name)
        {
            if (!_tensors.TryGetValue(name, out var t)) return;
            t.Memory.Dispose();
            _tensors.Remove(name);
        }

        private ClMemory Allocate(string name, KernelArg spec)
        {
            if (_tensors.TryGetValue(name, out var old))
            {
                if (Same(old.Spec, spec)) return old.Memory;
                old.Memory.Dispose();
                _tensors.Remove(name);
            }
            ClMemory memory;
            if (spec.Kind == KernelArgKind.Buffer) memory = ClBuffer.Create(_context, spec.Shape[0] * 4L);
            else
            {
                var (w, h) = ImageLayout.Size(spec.Layout, spec.Shape);
                if (w > Device.Image2DMaxWidth && Device.Image2DMaxWidth > 0 || h > Device.Image2DMaxHeight && Device.Image2DMaxHeight > 0)
                    throw new MaceException(ErrorIds.Unsupported, MaceErrorCategory.InvalidArgument,
                        $"tensor {name} needs a {w}x{h} image; {Device.Name} allows at most {Device.Image2DMaxWidth}x{Device.Image2DMaxHeight}", name);
                memory = ClImage.Create(_context, w, h);
            }
            _tensors[name] = (memory, spec);
            return memory;
        }

        private static bool Same(KernelArg a, KernelArg b) =>
            a.Kind == b.Kind && (a.Kind == KernelArgKind.Buffer || a.Layout == b.Layout) && a.Shape.SequenceEqual(b.Shape);

        private static string Describe(KernelArg a) => a.Kind == KernelArgKind.Buffer ? $"a buffer of {a.Shape[0]}" : $"{a.Layout} [{string.Join(", ", a.Shape)}]";

        public void Dispose()
        {
            foreach (var k in _kernels.Values) k.Dispose();
            foreach (var p in _programs.Values) p.Dispose();
            foreach (var t in _tensors.Values) t.Memory.Dispose();
            _kernels.Clear();
            _programs.Clear();
            _tensors.Clear();
            _queue.Dispose();
            _context.Dispose();
        }
    }

    /// <summary>A launch bound to a kernel object of its own (<see cref="KernelRunner.Prepare"/>), with what was last set on it.</summary>
    internal sealed class PreparedLaunch : IDisposable
    {
        internal PreparedLaunch(KernelLaunch launch, ClKernel kernel)
        {
            Launch = launch;
            Kernel = kernel;
            Tensors = new string?[launch.Arguments.Count];
            Bound = new IntPtr[launch.Arguments.Count];
        }

        public KernelLaunch Launch { get; }
        public ClKernel Kernel { get; }
        /// <summary>The device tensor each memory argument is bound to (null for scalars and __local).</summary>
        public string?[] Tensors { get; }
        /// <summary>The memory object last set on each argument.</summary>
        public IntPtr[] Bound { get; }
        public long[]? LastLocal { get; set; }
        public UIntPtr[] Global { get; set; } = Array.Empty<UIntPtr>();
        public UIntPtr[]? Local { get; set; }

        public void Dispose() => Kernel.Dispose();
    }
}
