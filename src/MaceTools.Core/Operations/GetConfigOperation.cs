using System.Collections.Generic;
using System.Linq;
using MaceTools.Config;

namespace MaceTools.Operations
{
    /// <summary>
    /// Get-MaceConfig / macetools config show: each deployment file (mace.yml, any schema generation) as a
    /// <see cref="MaceConfig"/> with MACE's defaults applied. A file with errors is one error (the first, with line, column
    /// and key); its warnings are written as warnings.
    /// </summary>
    public sealed class GetConfigOperation : FileOperation
    {
        /// <summary>Only the models whose name matches one of these wildcard patterns; a pattern that matches no model of a file is an error.</summary>
        public IList<string>? Model { get; set; }

        /// <summary>Where <c>${VAR}</c> values come from (default: the process environment).</summary>
        public System.Func<string, string?>? Environment { get; set; }

        protected override string Activity => "Reading MACE deployment files";

        protected override void ProcessFile(IOperationHost host, string path)
        {
            var reader = new MaceConfigReader();
            if (Environment != null) reader.Environment = Environment;
            var config = reader.ReadFile(path).GetConfigOrThrow();
            host.WriteVerbose($"{path}: schema generation {config.Generation}, {config.Models.Count} model(s)");
            foreach (var warning in config.Findings.Where(f => f.Severity == FindingSeverity.Warning))
                host.WriteWarning(warning.ToString());
            if (Model == null || Model.Count == 0)
            {
                host.WriteObject(config);
                return;
            }
            var (selected, unmatched) = config.SelectModels(Model);
            foreach (var pattern in unmatched) host.WriteError(config.NoModel(pattern));
            if (selected.Models.Count > 0) host.WriteObject(selected);
        }
    }
}
