using System;
using System.IO;
using System.Linq;
using System.Text;
using MaceTools.Config;

namespace MaceTools.Tests.Config
{
    /// <summary>Mutated deployment files: the reader reports findings with a position, it never throws.</summary>
    public class ConfigFuzzTests
    {
        private const string Alphabet = " \n\t:-[]{},'\"&*!|>#%@`?~0123456789abcxyz.${}";

        [Fact]
        public void Mutated_real_files_give_findings_never_exceptions()
        {
            var rng = new Random(20261121);
            var seeds = ConfigFixtures.All.Select(n => File.ReadAllText(ConfigFixtures.Path(n))).Append(ConfigFixtures.Valid).ToArray();
            var reader = new MaceConfigReader { Environment = _ => null };
            int withErrors = 0;
            for (int i = 0; i < 3000; i++)
            {
                var text = new StringBuilder(seeds[rng.Next(seeds.Length)]);
                for (int m = rng.Next(1, 4); m > 0 && text.Length > 0; m--)
                {
                    int at = rng.Next(text.Length);
                    switch (rng.Next(3))
                    {
                        case 0: text[at] = Alphabet[rng.Next(Alphabet.Length)]; break;
                        case 1: text.Remove(at, Math.Min(rng.Next(1, 12), text.Length - at)); break;
                        default: text.Insert(at, Alphabet[rng.Next(Alphabet.Length)]); break;
                    }
                }
                MaceConfigReadResult result;
                try { result = reader.ReadText(text.ToString(), "fuzz.yml"); }
                catch (Exception e) { throw new Xunit.Sdk.XunitException($"case {i}: {e.GetType().Name}: {e.Message}\n--- input ---\n{text}"); }
                Assert.True(result.Config != null || result.HasErrors, $"case {i}: no config and no error");
                Assert.All(result.Findings, f => Assert.True(f.Line >= 1 && f.Column >= 1, $"case {i}: {f}"));
                if (result.HasErrors) withErrors++;
            }
            Assert.InRange(withErrors, 300, 3000); // the mutations do break files
        }
    }
}
