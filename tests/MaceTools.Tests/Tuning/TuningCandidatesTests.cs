using System.Linq;
using MaceTools.Tuning;
using Xunit;

namespace MaceTools.Tests.TuningTests
{
    /// <summary>MACE's candidate lists, computed by hand from opencl_helper.cc's loops (mace-formats.md §4.3).</summary>
    public class TuningCandidatesTests
    {
        private static string S(System.Collections.Generic.IEnumerable<long[]> list) => string.Join(" ", list.Select(c => "[" + string.Join(",", c) + "]"));

        [Fact]
        public void Three_dimensional_candidates_follow_MACEs_loop_order_filter_and_duplicates()
        {
            // gws {16, 4, 16}, kwg 64: x in [16, 4, 2, 4, 1], z in [16, 2, 4, 8, 4, 1]; keep x·4·z ≤ 64.
            var list = TuningCandidates.Mace3D(new long[] { 16, 4, 16 }, 64);
            Assert.Equal(
                "[16,4,1,0] " +                                               // x=16: only z=1 fits (16·4·1 = 64)
                "[4,4,2,0] [4,4,4,0] [4,4,4,0] [4,4,1,0] " +                  // x=4: z=16 (256) and 8 (128) do not fit
                "[2,4,2,0] [2,4,4,0] [2,4,8,0] [2,4,4,0] [2,4,1,0] " +         // x=2: z=16 (128) does not fit
                "[4,4,2,0] [4,4,4,0] [4,4,4,0] [4,4,1,0] " +                   // x=4 again (MACE lists it twice)
                "[1,4,16,0] [1,4,2,0] [1,4,4,0] [1,4,8,0] [1,4,4,0] [1,4,1,0]",
                S(list));
        }

        [Fact]
        public void Zero_products_are_dropped_as_MACE_drops_them()
        {
            // gws {3, 1, 1}: x in [3, 0, 0, 4, 1], z in [1, 0, 0, 8, 4, 1]. Zero products go; the fixed 8 and 4 stay even
            // though they exceed g2 (MACE then rounds the global size up to them).
            var list = TuningCandidates.Mace3D(new long[] { 3, 1, 1 }, 256);
            Assert.Equal("[3,1,1,0] [3,1,8,0] [3,1,4,0] [3,1,1,0] [4,1,1,0] [4,1,8,0] [4,1,4,0] [4,1,1,0] [1,1,1,0] [1,1,8,0] [1,1,4,0] [1,1,1,0]", S(list));
        }

        [Fact]
        public void Two_dimensional_candidates_split_the_work_group_size()
        {
            Assert.Equal("[128,2,0] [64,4,0] [32,8,0] [16,16,0] [8,32,0] [4,64,0] [2,128,0] [1,256,0] [256,1,0] [1,256,0]",
                S(TuningCandidates.Mace2D(256)));
            // kwg 64: 64/128 and 64/256 are 0, so those two go.
            Assert.Equal("[32,2,0] [16,4,0] [8,8,0] [4,16,0] [2,32,0] [1,64,0] [64,1,0] [1,64,0]", S(TuningCandidates.Mace2D(64)));
        }

        [Fact]
        public void Before_v0_7_the_list_is_fixed_and_unfiltered_with_a_block_count_of_one()
        {
            var list = TuningCandidates.For(3, new long[] { 8, 8, 8 }, 256, MaceVersion.Parse("v0.6.3"));
            Assert.Equal(17, list.Count);
            Assert.Equal(new long[] { 8, 8, 4, 1 }, list[0]); // l0 = 8, l1 = min(8, 32) = 8, l2 = min(8, 256/64) = 4
            Assert.Equal(new long[] { 1, 256, 1, 1 }, list[16]);
            Assert.All(list, c => Assert.Equal(1, c[3]));
        }
    }
}
