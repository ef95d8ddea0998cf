#include <common.h>

// Spatial padding of an IN_OUT image: output [N, in_height + top + bottom, in_width + left + right, C].
// Global size {ceil(C/4), out_width, N * out_height}; each item writes one output pixel.
// PAD_TYPE: CONSTANT=0 (constant_value), REFLECT=1 (mirror, edge not repeated), SYMMETRIC=2 (mirror, edge repeated).
#ifndef PAD_TYPE
#define PAD_TYPE 0
#endif

// Maps an output coordinate (already shifted by the leading padding) into [0, size) by the padding mode.
inline int pad_source(int i, int size) {
#if PAD_TYPE == 1
  if (i < 0) i = -i;
  if (i >= size) i = 2 * size - 2 - i;
#elif PAD_TYPE == 2
  if (i < 0) i = -i - 1;
  if (i >= size) i = 2 * size - 1 - i;
#endif
  return i;
}

__kernel void pad(OUT_OF_RANGE_PARAMS
                  GLOBAL_WORK_GROUP_SIZE_DIM3
                  __read_only image2d_t input,   /* IN_OUT [N, input_height, input_width, C] */
                  __write_only image2d_t output, /* IN_OUT [N, output_height, output_width, C] */
                  __private const float constant_value,
                  __private const int input_height,
                  __private const int input_width,
                  __private const int output_height,
                  __private const int height_padding,
                  __private const int width_padding) {
  const int blk = get_global_id(0);
  const int out_w = get_global_id(1);
  const int out_hb = get_global_id(2);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(blk, out_w, out_hb)

  const int out_width = GLOBAL_SIZE_DIM1;
  const int batch = out_hb / output_height;
  const int out_h = out_hb - mul24(batch, output_height);
  const int in_h = pad_source(out_h - height_padding, input_height);
  const int in_w = pad_source(out_w - width_padding, input_width);

  DATA_TYPE4 value;
#if PAD_TYPE == 0
  if (in_h < 0 || in_h >= input_height || in_w < 0 || in_w >= input_width) {
    value = (DATA_TYPE4)((DATA_TYPE)constant_value);
  } else {
    value = READ_IMAGET(input, SAMPLER, (int2)(mad24(blk, input_width, in_w), mad24(batch, input_height, in_h)));
  }
#else
  value = READ_IMAGET(input, SAMPLER, (int2)(mad24(blk, input_width, in_w), mad24(batch, input_height, in_h)));
#endif
  WRITE_OUTPUT(output, (int2)(mad24(blk, out_width, out_w), out_hb), value);
}
