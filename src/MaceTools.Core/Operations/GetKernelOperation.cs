using System.Collections.Generic;
using System.Linq;
using MaceTools.Kernels;

namespace MaceTools.Operations
{
    /// <summary>
    /// Get-MaceKernel / macetools kernel list: the kernels of an OpenCL kernel library (MaceTools' own, or a directory of
    /// MACE-shaped sources) with their op, the build options they understand, their MACE symbol and hashes.
    /// </summary>
    public sealed class GetKernelOperation
    {
        /// <summary>Only kernels whose name matches this wildcard pattern; a pattern that matches nothing is an error.</summary>
        public string? Name { get; set; }
        /// <summary>Only kernels of programs whose name matches this wildcard pattern; a pattern that matches nothing is an error.</summary>
        public string? Program { get; set; }
        /// <summary>A directory of .cl files and common.h (a MACE checkout's mace/ops/opencl/cl); default: MaceTools' own kernels.</summary>
        public string? KernelSource { get; set; }
        /// <summary>The MACE version whose source assembly the SourceHash describes.</summary>
        public MaceVersion Version { get; set; } = MaceVersion.Latest;
        /// <summary>A deployment file: list its models' kernel launches (MaceKernel objects) instead of the library.</summary>
        public string? Config { get; set; }
        /// <summary>With <see cref="Config"/>: the devices to convert for (default: the local device MACE would pick).</summary>
        public IList<Devices.MaceDevice> Devices { get; set; } = new List<Devices.MaceDevice>();
        /// <summary>Where downloaded models are kept.</summary>
        public string? ModelCache { get; set; }

        public void Run(IOperationHost host)
        {
            if (Config != null)
            {
                ListConfig(host);
                return;
            }
            var sources = KernelSource == null ? KernelSourceSet.Builtin : KernelSourceSet.FromDirectory(PathResolver.FullPath(KernelSource, host.CurrentDirectory));
            host.WriteVerbose($"kernel sources: {sources.Origin} ({sources.Programs.Count} programs), MACE {Version}");
            var survey = KernelCatalog.Survey(sources, Version);
            var programRe = Program == null ? null : PathResolver.ToRegex(Program);
            var nameRe = Name == null ? null : PathResolver.ToRegex(Name);
            bool Selected(string program, string kernel) => (programRe == null || programRe.IsMatch(program)) && (nameRe == null || nameRe.IsMatch(kernel));

            foreach (var entry in survey.Missing.Where(e => Selected(e.Program, e.Kernel)))
                host.WriteWarning($"{sources.Origin}: {entry.Program}.cl defines no kernel '{entry.Kernel}' (the catalog lists it for {entry.Op}); left out");
            foreach (string unknown in survey.Unknown)
                host.WriteVerbose($"{sources.Origin}: {unknown} is not in MaceTools' kernel catalog; not listed");

            if (survey.Kernels.Count == 0)
                host.WriteWarning($"{sources.Origin}: none of its {sources.Programs.Count} programs defines a kernel of MaceTools' kernel catalog");
            if (programRe != null && !survey.Kernels.Any(k => programRe.IsMatch(k.Program)))
            {
                host.WriteError(new MaceException(ErrorIds.KernelNotFound, MaceErrorCategory.ObjectNotFound,
                    $"{Program}: no program matches (programs with kernels in {sources.Origin}: {string.Join(", ", survey.Kernels.Select(k => k.Program).Distinct())})", Program));
                return;
            }
            var selected = survey.Kernels.Where(k => Selected(k.Program, k.Kernel)).ToList();
            if (selected.Count == 0 && Name != null)
            {
                host.WriteError(new MaceException(ErrorIds.KernelNotFound, MaceErrorCategory.ObjectNotFound,
                    $"{Name}: no kernel matches{(Program == null ? "" : $" in the programs matching '{Program}'")} ({sources.Origin})", Name));
                return;
            }
            foreach (var kernel in selected)
            {
                host.CancellationToken.ThrowIfCancellationRequested();
                host.WriteObject(kernel);
            }
        }
    
        /// <summary>The kernel launches of the deployment file's GPU models, per device class, filtered like the library.</summary>
        private void ListConfig(IOperationHost host)
        {
            string cwd = host.CurrentDirectory;
            var config = MaceTools.Config.MaceConfigReader.Read(PathResolver.FullPath(Config!, cwd));
            var devices = Devices.Count > 0 ? MaceTools.Devices.DeviceClass.OnePerClass(Devices)
                : new List<Devices.MaceDevice> { MaceTools.Devices.LocalDevices.Select(null) };
            var programRe = Program == null ? null : PathResolver.ToRegex(Program);
            var nameRe = Name == null ? null : PathResolver.ToRegex(Name);
            using var fetcher = new MaceTools.Config.ModelFetcher(ModelCache == null ? null : PathResolver.FullPath(ModelCache, cwd)) { Log = host.WriteVerbose };
            foreach (var device in devices)
                foreach (var set in MaceTools.Conversion.ConfigConversion.Convert(config, device, Version, fetcher, host))
                {
                    foreach (var kernel in set.Kernels.Where(k => (programRe == null || programRe.IsMatch(k.Program)) && (nameRe == null || nameRe.IsMatch(k.Kernel))))
                        host.WriteObject(kernel);
                    // The placement: the nodes MACE would run on the CPU, after the GPU part's launches (unless a filter asks for kernels).
                    if (programRe == null && nameRe == null)
                        foreach (var placement in set.CpuPlacements) host.WriteObject(placement);
                }
        }
    }
}
