#include <common.h>

// Softmax over the channels of an IN_OUT image.
// Global size {ceil(C/4), W, N * H}; each item computes one output pixel (four channels): it scans
// all channel blocks of its position for the maximum and the sum of exponentials.
// USE_LOG: log-softmax. The padding lanes of the last block are written as 0.

// v with the lanes at and after `valid` replaced by the lowest float (they must not win a max).
inline DATA_TYPE4 softmax_mask(DATA_TYPE4 v, int valid) {
  const DATA_TYPE lowest = (DATA_TYPE)(-MAXFLOAT);
  if (valid < 4) v.w = lowest;
  if (valid < 3) v.z = lowest;
  if (valid < 2) v.y = lowest;
  return v;
}

__kernel void softmax(OUT_OF_RANGE_PARAMS
                      GLOBAL_WORK_GROUP_SIZE_DIM3
                      __read_only image2d_t input,   /* IN_OUT [N, H, W, C] */
                      __private const int channels,
                      __write_only image2d_t output) { /* IN_OUT [N, H, W, C] */
  const int blk = get_global_id(0);
  const int w = get_global_id(1);
  const int hb = get_global_id(2);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(blk, w, hb)

  const int width = GLOBAL_SIZE_DIM1;
  const int blocks = (channels + 3) >> 2;
  const int last_valid = channels - ((blocks - 1) << 2);

  DATA_TYPE4 max4 = (DATA_TYPE4)((DATA_TYPE)(-MAXFLOAT));
  for (int b = 0; b < blocks; ++b) {
    DATA_TYPE4 v = READ_IMAGET(input, SAMPLER, (int2)(mad24(b, width, w), hb));
    if (b == blocks - 1) v = softmax_mask(v, last_valid);
    max4 = fmax(max4, v);
  }
  const DATA_TYPE max_value = fmax(fmax(max4.x, max4.y), fmax(max4.z, max4.w));

  DATA_TYPE4 sum4 = 0;
  for (int b = 0; b < blocks; ++b) {
    DATA_TYPE4 e = exp(READ_IMAGET(input, SAMPLER, (int2)(mad24(b, width, w), hb)) - max_value);
    if (b == blocks - 1) e = zero_lanes_from(e, last_valid);
    sum4 += e;
  }
  const DATA_TYPE sum = sum4.x + sum4.y + sum4.z + sum4.w;

  const int2 coord = (int2)(mad24(blk, width, w), hb);
  const DATA_TYPE4 in = READ_IMAGET(input, SAMPLER, coord);
#ifdef USE_LOG
  DATA_TYPE4 out = in - max_value - log(sum);
#else
  DATA_TYPE4 out = exp(in - max_value) / sum;
#endif
  if (blk == blocks - 1) out = zero_lanes_from(out, last_valid);
  WRITE_OUTPUT(output, coord, out);
}
