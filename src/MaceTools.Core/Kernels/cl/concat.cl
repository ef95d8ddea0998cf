#include <common.h>

// Concatenation of IN_OUT images along the channels.
//
// concat_channel: two inputs. Global size {ceil(C_out/4), W, N * H}; each item writes one output
// pixel. DIVISIBLE_FOUR: input0's channel count is a multiple of four, so every output block
// is one whole block of one input; otherwise the blocks after input0 are assembled lane by lane.
//
// concat_channel_multi: one input at a time, copied to the output at a channel-block offset.
// Global size {ceil(C_in/4), W, N * H}; every input but the last needs C_in % 4 == 0.

__kernel void concat_channel(OUT_OF_RANGE_PARAMS
                             GLOBAL_WORK_GROUP_SIZE_DIM3
                             __read_only image2d_t input0,  /* IN_OUT [N, H, W, C0] */
                             __read_only image2d_t input1,  /* IN_OUT [N, H, W, C1] */
                             __private const int input0_chan,
                             __write_only image2d_t output) { /* IN_OUT [N, H, W, C0 + C1] */
  const int blk = get_global_id(0);
  const int w = get_global_id(1);
  const int hb = get_global_id(2);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(blk, w, hb)

  const int width = GLOBAL_SIZE_DIM1;
  const int input0_blks = (input0_chan + 3) >> 2;
  DATA_TYPE4 out;

#ifdef DIVISIBLE_FOUR
  if (blk < input0_blks) {
    out = READ_IMAGET(input0, SAMPLER, (int2)(mad24(blk, width, w), hb));
  } else {
    out = READ_IMAGET(input1, SAMPLER, (int2)(mad24(blk - input0_blks, width, w), hb));
  }
#else
  if (blk < input0_blks - 1) {
    out = READ_IMAGET(input0, SAMPLER, (int2)(mad24(blk, width, w), hb));
  } else {
    // Output channel c = 4 * blk + k comes from input0 (c < C0) or from input1 channel c - C0,
    // which lies in input1's block (c - C0) / 4. Those lanes span at most two input1 blocks.
    const int c0 = blk << 2;
    const DATA_TYPE4 in0 = READ_IMAGET(input0, SAMPLER, (int2)(mad24(blk, width, w), hb));
    const int first1 = max(c0 - input0_chan, 0);   /* first input1 channel used */
    const int b1 = first1 >> 2;
    const DATA_TYPE4 in1a = READ_IMAGET(input1, SAMPLER, (int2)(mad24(b1, width, w), hb));
    const DATA_TYPE4 in1b = READ_IMAGET(input1, SAMPLER, (int2)(mad24(b1 + 1, width, w), hb));
    DATA_TYPE lanes[4];
    for (int k = 0; k < 4; ++k) {
      const int c = c0 + k;
      if (c < input0_chan) {
        lanes[k] = lane_of(in0, k);
      } else {
        const int c1 = c - input0_chan;
        const int l = c1 - (b1 << 2);
        lanes[k] = l < 4 ? lane_of(in1a, l) : lane_of(in1b, l - 4);
      }
    }
    out = (DATA_TYPE4)(lanes[0], lanes[1], lanes[2], lanes[3]);
  }
#endif

  WRITE_OUTPUT(output, (int2)(mad24(blk, width, w), hb), out);
}

__kernel void concat_channel_multi(OUT_OF_RANGE_PARAMS
                                   GLOBAL_WORK_GROUP_SIZE_DIM3
                                   __read_only image2d_t input,  /* IN_OUT [N, H, W, C_in] */
                                   __private const int chan_blk_offset,
                                   __write_only image2d_t output) { /* IN_OUT [N, H, W, C_out] */
  const int blk = get_global_id(0);
  const int w = get_global_id(1);
  const int hb = get_global_id(2);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(blk, w, hb)

  const int width = GLOBAL_SIZE_DIM1;
  const DATA_TYPE4 in = READ_IMAGET(input, SAMPLER, (int2)(mad24(blk, width, w), hb));
  WRITE_OUTPUT(output, (int2)(mad24(blk + chan_blk_offset, width, w), hb), in);
}
