using System;
using System.Collections.Generic;
using System.Management.Automation;
using MaceTools.Devices;
using MaceTools.Operations;
using MaceTools.Tuning;

namespace MaceTools.Commands
{
    /// <summary>
    /// Optimize-MaceProgram: tunes the local work sizes of a deployment file's kernels on the devices piped in and writes
    /// the tuned-parameter file MACE loads (one per device class), with a sidecar record of identity and measurements.
    /// Gains are re-timed against MACE's default sizes after the search; a size inside the noise is not stored.
    /// </summary>
    [Cmdlet(VerbsCommon.Optimize, "MaceProgram", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(MaceTuningResult), typeof(MaceTuningSummary), typeof(MaceProgram))]
    public sealed class OptimizeMaceProgramCommand : MaceCmdlet
    {
        [Parameter(ValueFromPipeline = true)]
        [MaceDeviceTransformation]
        [ArgumentCompleter(typeof(MaceDeviceCompleter))]
        public MaceDevice[] Device { get; set; } = Array.Empty<MaceDevice>();

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Config { get; set; } = "";

        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Model { get; set; }

        [Parameter]
        public TuningStrategy Strategy { get; set; } = TuningStrategy.Auto;

        [Parameter]
        public string? ModelCache { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(MaceVersionCompleter))]
        public string? MaceVersion { get; set; }

        [Parameter]
        public string? OutFile { get; set; }

        [Parameter]
        public string? Destination { get; set; }

        [Parameter]
        public int Seed { get; set; } = 1;

        [Parameter]
        public SwitchParameter NoClobber { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        private readonly List<MaceDevice> _devices = new List<MaceDevice>();

        protected override void ProcessRecord() => _devices.AddRange(Device);

        protected override void EndProcessing() => Run(host => new OptimizeProgramOperation
        {
            Devices = _devices,
            Config = ProviderPath(Config),
            Model = Model,
            Strategy = Strategy,
            ModelCache = ModelCache == null ? null : ProviderPath(ModelCache),
            Version = MaceVersion == null ? MaceTools.MaceVersion.Latest : MaceTools.MaceVersion.Parse(MaceVersion),
            OutFile = OutFile == null ? null : ProviderPath(OutFile),
            Destination = Destination == null ? null : ProviderPath(Destination),
            Seed = Seed,
            NoClobber = NoClobber,
            PassThru = PassThru,
        }.Run(host));
    }
}
