using System;
using System.Collections.Generic;
using System.Management.Automation;
using MaceTools.Devices;
using MaceTools.Operations;
using MaceTools.Runtime;

namespace MaceTools.Commands
{
    /// <summary>What Invoke-MaceModel, Test-MaceModel and Measure-MaceModel share: the deployment file, devices, inputs and local sizes.</summary>
    public abstract class MaceModelCmdlet : MaceCmdlet
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
        public string[] Input { get; set; } = Array.Empty<string>();

        [Parameter]
        public int Seed { get; set; } = 1;

        [Parameter]
        public string? ModelCache { get; set; }

        [Parameter]
        public string? ProgramFile { get; set; }

        private readonly List<MaceDevice> _devices = new List<MaceDevice>();

        protected override void ProcessRecord() => _devices.AddRange(Device);

        protected T Bind<T>(T op) where T : ModelOperation
        {
            op.Config = ProviderPath(Config);
            op.Model = Model;
            op.Devices = _devices;
            op.Input = Array.ConvertAll(Input, ProviderPath);
            op.Seed = Seed;
            op.ModelCache = ModelCache == null ? null : ProviderPath(ModelCache);
            op.ProgramFile = ProgramFile == null ? null : ProviderPath(ProgramFile);
            return op;
        }
    }

    /// <summary>Invoke-MaceModel: runs a deployment file's model on OpenCL devices and returns its outputs and timings.</summary>
    [Cmdlet(VerbsLifecycle.Invoke, "MaceModel", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(MaceModelRun))]
    public sealed class InvokeMaceModelCommand : MaceModelCmdlet
    {
        [Parameter]
        public string? TunedParameter { get; set; }

        [Parameter]
        [ValidateRange(1, 100000)]
        public int Round { get; set; } = 1;

        [Parameter]
        [ValidateRange(1, 100000)]
        public int Count { get; set; } = 1;

        [Parameter]
        public string? OutputPath { get; set; }

        protected override void EndProcessing() => Run(host =>
        {
            var op = Bind(new InvokeModelOperation());
            op.TunedParameter = TunedParameter == null ? null : ProviderPath(TunedParameter);
            op.Round = Round;
            op.Count = Count;
            op.OutputPath = OutputPath == null ? null : ProviderPath(OutputPath);
            op.Run(host);
        });
    }

    /// <summary>Test-MaceModel: validates a deployment file's model on OpenCL devices against ONNX Runtime's CPU provider.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "MaceModel")]
    [OutputType(typeof(MaceValidationResult))]
    public sealed class TestMaceModelCommand : MaceModelCmdlet
    {
        [Parameter]
        public string? TunedParameter { get; set; }

        [Parameter]
        [ValidateRange(1, 100000)]
        public int Count { get; set; } = 10;

        [Parameter]
        [ValidateRange(-1.0, 1.0)]
        public double Threshold { get; set; }

        protected override void EndProcessing() => Run(host =>
        {
            var op = Bind(new TestModelOperation());
            op.TunedParameter = TunedParameter == null ? null : ProviderPath(TunedParameter);
            op.Count = Count;
            op.Threshold = IfBound(Threshold, nameof(Threshold));
            op.Run(host);
        });
    }

    /// <summary>
    /// Measure-MaceModel: a model's latency with MACE's default local sizes, each tuned file and ONNX Runtime's CPU
    /// provider, side by side in interleaved rounds, with each gain's interval, the host overhead and a per-op profile.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Measure, "MaceModel")]
    [OutputType(typeof(MaceLatencyResult))]
    public sealed class MeasureMaceModelCommand : MaceModelCmdlet
    {
        [Parameter]
        public string[] TunedParameter { get; set; } = Array.Empty<string>();

        [Parameter]
        [ValidateRange(1, 100000)]
        public int Round { get; set; } = 10;

        [Parameter]
        public SwitchParameter NoReference { get; set; }

        protected override void EndProcessing() => Run(host =>
        {
            var op = Bind(new MeasureModelOperation());
            op.TunedParameters = Array.ConvertAll(TunedParameter, ProviderPath);
            op.Round = Round;
            op.Reference = !NoReference;
            op.Run(host);
        });
    }
}
