using System.Collections.Generic;
using System.IO;
using MaceTools.Config;

namespace MaceTools.Tests.Config
{
    /// <summary>The real deployment files (examples/mace-yml, else ../shared/fixtures/mace-yml) and a reader over text.</summary>
    internal static class ConfigFixtures
    {
        public const string MobileNet = "mobilenet-v1.yml";
        public const string SqueezeNet = "onnx-squeezenet-1_1.yml";
        public const string Vgg16 = "vgg16-caffe-gpu.yml";
        public const string Inception = "inception-v3-quantize-retrain-dsp.yml";
        public static readonly string[] All = { Inception, MobileNet, SqueezeNet, Vgg16 };

        public static string Path(string name)
        {
            string inRepo = System.IO.Path.Combine(Fixtures.RepoRoot, "examples", "mace-yml", name);
            if (File.Exists(inRepo)) return inRepo;
            string shared = System.IO.Path.GetFullPath(System.IO.Path.Combine(Fixtures.RepoRoot, "..", "shared", "fixtures", "mace-yml", name));
            if (File.Exists(shared)) return shared;
            throw new FileNotFoundException($"deployment-file fixture '{name}' not found in '{inRepo}' or '{shared}'", name);
        }

        /// <summary>Reads YAML text as "mace.yml" with the given environment (nothing else is set).</summary>
        public static MaceConfigReadResult Read(string yaml, IDictionary<string, string>? environment = null)
        {
            var reader = new MaceConfigReader { Environment = name => environment != null && environment.TryGetValue(name, out var v) ? v : null };
            return reader.ReadText(yaml, "mace.yml");
        }

        /// <summary>The first error's full text (file:line:column: key: message), or fails.</summary>
        public static string FirstError(string yaml, IDictionary<string, string>? environment = null)
        {
            var e = Assert.Throws<MaceConfigException>(() => Read(yaml, environment).GetConfigOrThrow());
            Assert.Equal(ErrorIds.ConfigInvalid, e.ErrorId);
            Assert.Equal(MaceErrorCategory.InvalidData, e.Category);
            return e.Message;
        }

        public const string Sha = "491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640";

        /// <summary>A valid v0.9+ file; line 15 is "    runtime: gpu" (value at column 14).</summary>
        public const string Valid =
            "library_name: demo\n" +                       // 1
            "target_abis: [arm64-v8a]\n" +                  // 2
            "model_graph_format: file\n" +                  // 3
            "model_data_format: file\n" +                   // 4
            "models:\n" +                                   // 5
            "  net:\n" +                                    // 6
            "    platform: onnx\n" +                        // 7
            "    model_file_path: net.onnx\n" +             // 8
            "    model_sha256_checksum: " + Sha + "\n" +    // 9
            "    subgraphs:\n" +                            // 10
            "      - input_tensors: x\n" +                  // 11
            "        input_shapes: 1,3,224,224\n" +         // 12
            "        output_tensors: y\n" +                 // 13
            "        output_shapes: 1,1000\n" +             // 14
            "    runtime: gpu\n";                           // 15
    }
}
