using System;
using System.Collections.Generic;
using System.Reflection;

namespace MaceTools.Build
{
    /// <summary>
    /// Finds switch parameters that a constructor sets to true (PSScriptAnalyzer's AvoidDefaultValueSwitchParameter).
    /// The stub engine's SwitchParameter cannot be read back (IsPresent is always false), so the constructors' IL is
    /// scanned for <c>ldc.i4.1; call op_Implicit(bool)</c>, <c>ldc.i4.1; newobj .ctor(bool)</c> or
    /// <c>call get_Present</c>, followed by a store to an auto-property's backing field.
    /// </summary>
    internal static class SwitchDefaults
    {
        private const string SwitchType = "System.Management.Automation.SwitchParameter";

        /// <summary>Names of the properties (or fields) set to a true switch by any constructor of the class or its bases.</summary>
        public static ISet<string> FieldsSetToTrue(Type type) => ScanAll(type).True;

        /// <summary>Names of the properties (or fields) any constructor assigns (an initializer such as <c>= ExportFormat.Cpp</c>).</summary>
        public static ISet<string> FieldsAssigned(Type type) => ScanAll(type).Assigned;

        private static (ISet<string> True, ISet<string> Assigned) ScanAll(Type type)
        {
            var result = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var assigned = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var t = type; t != null && t.Namespace?.StartsWith("System.Management.Automation", StringComparison.Ordinal) != true; t = t.BaseType)
            {
                foreach (var ctor in t.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    Scan(ctor, result, assigned);
            }
            return (result, assigned);
        }

        private static void Scan(ConstructorInfo ctor, ISet<string> result, ISet<string> assigned)
        {
            byte[]? il;
            try { il = ctor.GetMethodBody()?.GetILAsByteArray(); }
            catch (Exception e) when (e is InvalidOperationException || e is NotSupportedException) { return; }
            if (il == null) return;
            bool pendingTrue = false;
            for (int i = 0; i < il.Length;)
            {
                byte op = il[i];
                if (op == 0x17) { pendingTrue = true; i++; continue; } // ldc.i4.1
                if (op == 0x7D && i + 4 < il.Length) // stfld
                {
                    var stored = ResolveField(ctor.Module, BitConverter.ToInt32(il, i + 1));
                    if (stored != null) assigned.Add(BackingName(stored.Name));
                }
                if (op == 0x28 || op == 0x73) // call, newobj
                {
                    if (i + 4 >= il.Length) return;
                    int token = BitConverter.ToInt32(il, i + 1);
                    MethodBase? m = Resolve(ctor.Module, token);
                    bool makesSwitch = m?.DeclaringType?.FullName == SwitchType;
                    bool isTrue = makesSwitch && (m!.Name == "get_Present" || pendingTrue && (m.Name == "op_Implicit" || m.Name == ".ctor"));
                    i += 5;
                    if (isTrue)
                    {
                        // The next instruction of interest stores it: stfld <Name>k__BackingField.
                        int j = i;
                        if (j < il.Length && il[j] == 0x7D && j + 4 < il.Length)
                        {
                            var field = ResolveField(ctor.Module, BitConverter.ToInt32(il, j + 1));
                            if (field != null) result.Add(BackingName(field.Name));
                        }
                    }
                    pendingTrue = false;
                    continue;
                }
                pendingTrue = false;
                i += Length(il, i);
            }
        }

        private static string BackingName(string field) =>
            field.StartsWith("<", StringComparison.Ordinal) && field.Contains(">k__BackingField") ? field.Substring(1, field.IndexOf('>') - 1) : field.TrimStart('_');

        private static MethodBase? Resolve(Module module, int token)
        {
            try { return module.ResolveMethod(token); }
            catch (Exception e) when (e is ArgumentException || e is TypeLoadException || e is System.IO.FileNotFoundException) { return null; }
        }

        private static FieldInfo? ResolveField(Module module, int token)
        {
            try { return module.ResolveField(token); }
            catch (Exception e) when (e is ArgumentException || e is TypeLoadException || e is System.IO.FileNotFoundException) { return null; }
        }

        /// <summary>The size of the IL instruction at <paramref name="i"/> (ECMA-335 III), enough to walk a constructor.</summary>
        private static int Length(byte[] il, int i)
        {
            byte op = il[i];
            if (op == 0xFE) // two-byte opcodes
            {
                byte op2 = i + 1 < il.Length ? il[i + 1] : (byte)0;
                switch (op2)
                {
                    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x0E: return 4; // ldarg/ldarga/starg/ldloc/ldloca/stloc int16
                    case 0x06: case 0x07: case 0x15: case 0x16: case 0x1C: case 0x1D: return 6; // ldftn, ldvirtftn, initobj, constrained., sizeof, (token)
                    case 0x12: return 3; // unaligned.
                    case 0x19: return 3; // no.
                    default: return 2;
                }
            }
            switch (op)
            {
                case 0x0E: case 0x0F: case 0x10: case 0x11: case 0x12: case 0x13: case 0x1F: // short var/const
                case 0x2B: case 0x2C: case 0x2D: case 0x2E: case 0x2F: case 0x30: case 0x31: case 0x32: case 0x33: case 0x34: case 0x35: case 0x36: case 0x37: case 0xDE: // short branches, leave.s
                    return 2;
                case 0x20: case 0x22: // ldc.i4, ldc.r4
                case 0x38: case 0x39: case 0x3A: case 0x3B: case 0x3C: case 0x3D: case 0x3E: case 0x3F: case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0xDD: // branches, leave
                case 0x27: case 0x28: case 0x29: case 0x6F: case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x79: case 0x7B: case 0x7C: case 0x7D: case 0x7E: case 0x7F: case 0x80: case 0x81: case 0x8C: case 0x8D: case 0x8F: case 0xA3: case 0xA4: case 0xA5: case 0xC2: case 0xC6: case 0xD0: // tokens
                    return 5;
                case 0x21: case 0x23: return 9; // ldc.i8, ldc.r8
                case 0x45: // switch
                    int n = BitConverter.ToInt32(il, i + 1);
                    return 5 + 4 * n;
                default: return 1;
            }
        }
    }
}
