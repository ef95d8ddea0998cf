using System.Linq;
using MaceTools.Devices;
using MaceTools.Formats;
using MaceTools.Remote;
using MaceTools.Tests.OpenCLTests;

namespace MaceTools.Tests.FormatsTests
{
    /// <summary>Which machine a program binary's code is for: what tells a file built on an arm64 board from one built here.</summary>
    public sealed class ElfMachineTests
    {
        [Fact]
        public void A_pocl_binary_built_here_holds_code_for_this_machine()
        {
            byte[] binary = Pocl.BuildBinary(Pocl.SmallKernel);
            Assert.Equal(BinaryVendor.Pocl, VendorGuess.Guess(binary));
            Assert.Equal(AgentProtocol.LocalArchitecture, ElfMachine.Find(binary));
        }

        [Fact]
        public void Header_machines_are_named_as_uname_names_them_and_a_binary_without_elf_has_none()
        {
            byte[] header = new byte[64];
            new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1 }.CopyTo(header, 0);
            header[18] = 183; // EM_AARCH64, little-endian
            Assert.Equal("aarch64", ElfMachine.OfHeader(header));
            header[18] = 62;
            Assert.Equal("x86_64", ElfMachine.Find(new byte[] { 1, 2, 3 }.Concat(header).ToArray()));
            Assert.Null(ElfMachine.Find(Fixtures.Bytes("adreno-v0.10.1-rc4.mace_cl_compiled_program.bin").Take(4096).ToArray()));
            Assert.Null(ElfMachine.Find(new byte[] { 0x7f, (byte)'E', (byte)'L' }));
        }

        [Fact]
        public void Qemus_virt_board_is_named_a_virtual_machine_and_a_boards_device_tree_is_not()
        {
            Assert.Equal("qemu virt board", LocalDevices.VirtualMachine("linux,dummy-virt\0"));
            Assert.Equal("", LocalDevices.VirtualMachine("radxa,rockpi4b\0rockchip,rk3399\0"));
            Assert.Equal("", LocalDevices.VirtualMachine(null));
        }
    }
}
