#include <common.h>

// Transforms between plain buffers and the image layouts described in common.h.
// All kernels are 2-D with global size {image width, image height}; *_buffer_to_image writes one
// pixel per item, *_image_to_buffer reads one pixel per item and writes the real elements of it.

// ---- CONV2D_FILTER: OIHW buffer <-> width I, height ceil(O/4) * KH * KW -----------------------

__kernel void filter_buffer_to_image(OUT_OF_RANGE_PARAMS
                                     GLOBAL_WORK_GROUP_SIZE_DIM2
                                     __global const DATA_TYPE *input, /* OIHW */
                                     __private const int input_offset,
                                     __private const int out_channel,
                                     __private const int filter_h,
                                     __private const int filter_w,
                                     __private const int inner_size, /* I * KH * KW */
                                     __write_only image2d_t output) {
  const int x = get_global_id(0);
  const int y = get_global_id(1);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(x, y)

  const int hw_size = mul24(filter_h, filter_w);
  const int out_block = y / hw_size;
  const int hw_idx = y - mul24(out_block, hw_size);
  const int oc = out_block << 2;
  const int offset = input_offset + mad24(oc, inner_size, mad24(x, hw_size, hw_idx));

  DATA_TYPE4 values = 0;
  const int remain = out_channel - oc;
  if (remain > 0) values.x = input[offset];
  if (remain > 1) values.y = input[offset + inner_size];
  if (remain > 2) values.z = input[offset + 2 * inner_size];
  if (remain > 3) values.w = input[offset + 3 * inner_size];

  WRITE_OUTPUT(output, (int2)(x, y), values);
}

__kernel void filter_image_to_buffer(BUFFER_OUT_OF_RANGE_PARAMS
                                     GLOBAL_WORK_GROUP_SIZE_DIM2
                                     __global DATA_TYPE *output, /* OIHW */
                                     __private const int out_channel,
                                     __private const int filter_h,
                                     __private const int filter_w,
                                     __private const int inner_size,
                                     __read_only image2d_t input) {
  const int x = get_global_id(0);
  const int y = get_global_id(1);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(x, y)

  const int hw_size = mul24(filter_h, filter_w);
  const int out_block = y / hw_size;
  const int hw_idx = y - mul24(out_block, hw_size);
  const int oc = out_block << 2;
  const int offset = mad24(oc, inner_size, mad24(x, hw_size, hw_idx));

  const DATA_TYPE4 values = READ_IMAGET(input, SAMPLER, (int2)(x, y));
  const int remain = min(out_channel - oc, 4);
  for (int k = 0; k < remain; ++k) {
    CHECK_OUT_OF_RANGE_FOR_BUFFER(offset + k * inner_size)
    output[offset + k * inner_size] = lane_of(values, k);
  }
}

// ---- DW_CONV2D_FILTER: MIHW buffer <-> width KH * KW, height M * ceil(I/4) ----------------------

__kernel void dw_filter_buffer_to_image(OUT_OF_RANGE_PARAMS
                                        GLOBAL_WORK_GROUP_SIZE_DIM2
                                        __global const DATA_TYPE *input, /* MIHW */
                                        __private const int input_offset,
                                        __private const int filter_h,
                                        __private const int filter_w,
                                        __private const int in_channel,
                                        __write_only image2d_t output) {
  const int x = get_global_id(0); /* kh * KW + kw */
  const int y = get_global_id(1); /* m * ceil(I/4) + cb */
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(x, y)

  const int hw_size = mul24(filter_h, filter_w);
  const int in_blocks = (in_channel + 3) >> 2;
  const int m = y / in_blocks;
  const int c = (y - mul24(m, in_blocks)) << 2;
  const int offset = input_offset + mad24(mad24(m, in_channel, c), hw_size, x);

  DATA_TYPE4 values = 0;
  const int remain = in_channel - c;
  if (remain > 0) values.x = input[offset];
  if (remain > 1) values.y = input[offset + hw_size];
  if (remain > 2) values.z = input[offset + 2 * hw_size];
  if (remain > 3) values.w = input[offset + 3 * hw_size];

  WRITE_OUTPUT(output, (int2)(x, y), values);
}

__kernel void dw_filter_image_to_buffer(BUFFER_OUT_OF_RANGE_PARAMS
                                        GLOBAL_WORK_GROUP_SIZE_DIM2
                                        __global DATA_TYPE *output, /* MIHW */
                                        __private const int filter_h,
                                        __private const int filter_w,
                                        __private const int in_channel,
                                        __read_only image2d_t input) {
  const int x = get_global_id(0);
  const int y = get_global_id(1);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(x, y)

  const int hw_size = mul24(filter_h, filter_w);
  const int in_blocks = (in_channel + 3) >> 2;
  const int m = y / in_blocks;
  const int c = (y - mul24(m, in_blocks)) << 2;
  const int offset = mad24(mad24(m, in_channel, c), hw_size, x);

  const DATA_TYPE4 values = READ_IMAGET(input, SAMPLER, (int2)(x, y));
  const int remain = min(in_channel - c, 4);
  for (int k = 0; k < remain; ++k) {
    CHECK_OUT_OF_RANGE_FOR_BUFFER(offset + k * hw_size)
    output[offset + k * hw_size] = lane_of(values, k);
  }
}

// ---- IN_OUT: NHWC buffer <-> width W * ceil(C/4), height N * H ---------------------------------

__kernel void in_out_buffer_to_image(OUT_OF_RANGE_PARAMS
                                     GLOBAL_WORK_GROUP_SIZE_DIM2
                                     __global const DATA_TYPE *input, /* NHWC */
                                     __private const int input_offset,
                                     __private const int height,
                                     __private const int width,
                                     __private const int channels,
                                     __write_only image2d_t output) {
  const int x = get_global_id(0); /* cb * W + w */
  const int y = get_global_id(1); /* n * H + h */
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(x, y)

  const int cb = x / width;
  const int w = x - mul24(cb, width);
  const int c = cb << 2;
  const int offset = input_offset + mad24(mad24(y, width, w), channels, c);

  DATA_TYPE4 values = 0;
  const int remain = channels - c;
  if (remain >= 4) {
    values = vload4(0, input + offset);
  } else {
    if (remain > 0) values.x = input[offset];
    if (remain > 1) values.y = input[offset + 1];
    if (remain > 2) values.z = input[offset + 2];
  }

  WRITE_OUTPUT(output, (int2)(x, y), values);
}

__kernel void in_out_image_to_buffer(BUFFER_OUT_OF_RANGE_PARAMS
                                     GLOBAL_WORK_GROUP_SIZE_DIM2
                                     __global DATA_TYPE *output, /* NHWC */
                                     __private const int height,
                                     __private const int width,
                                     __private const int channels,
                                     __read_only image2d_t input) {
  const int x = get_global_id(0);
  const int y = get_global_id(1);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(x, y)

  const int cb = x / width;
  const int w = x - mul24(cb, width);
  const int c = cb << 2;
  const int offset = mad24(mad24(y, width, w), channels, c);

  const DATA_TYPE4 values = READ_IMAGET(input, SAMPLER, (int2)(x, y));
  const int remain = channels - c;
  if (remain >= 4) {
    CHECK_OUT_OF_RANGE_FOR_BUFFER(offset + 3)
    vstore4(values, 0, output + offset);
  } else {
    for (int k = 0; k < remain; ++k) {
      CHECK_OUT_OF_RANGE_FOR_BUFFER(offset + k)
      output[offset + k] = lane_of(values, k);
    }
  }
}

// ---- ARGUMENT: C values <-> width ceil(C/4), height 1 -----------------------------------------

__kernel void arg_buffer_to_image(OUT_OF_RANGE_PARAMS
                                  GLOBAL_WORK_GROUP_SIZE_DIM2
                                  __global const DATA_TYPE *input,
                                  __private const int input_offset,
                                  __private const int count,
                                  __write_only image2d_t output) {
  const int x = get_global_id(0);
  const int y = get_global_id(1);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(x, y)

  const int c = x << 2;
  const int offset = input_offset + c;
  DATA_TYPE4 values = 0;
  const int remain = count - c;
  if (remain >= 4) {
    values = vload4(0, input + offset);
  } else {
    if (remain > 0) values.x = input[offset];
    if (remain > 1) values.y = input[offset + 1];
    if (remain > 2) values.z = input[offset + 2];
  }

  WRITE_OUTPUT(output, (int2)(x, y), values);
}

__kernel void arg_image_to_buffer(BUFFER_OUT_OF_RANGE_PARAMS
                                  GLOBAL_WORK_GROUP_SIZE_DIM2
                                  __global DATA_TYPE *output,
                                  __private const int count,
                                  __read_only image2d_t input) {
  const int x = get_global_id(0);
  const int y = get_global_id(1);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(x, y)

  const int c = x << 2;
  const DATA_TYPE4 values = READ_IMAGET(input, SAMPLER, (int2)(x, y));
  const int remain = min(count - c, 4);
  for (int k = 0; k < remain; ++k) {
    CHECK_OUT_OF_RANGE_FOR_BUFFER(c + k)
    output[c + k] = lane_of(values, k);
  }
}

// ---- WEIGHT_WIDTH: OIHW buffer <-> width H * W * ceil(I/4), height O ---------------------------

__kernel void weight_width_buffer_to_image(OUT_OF_RANGE_PARAMS
                                           GLOBAL_WORK_GROUP_SIZE_DIM2
                                           __global const DATA_TYPE *input, /* OIHW */
                                           __private const int input_offset,
                                           __private const int in_channel,
                                           __private const int height,
                                           __private const int width,
                                           __write_only image2d_t output) {
  const int x = get_global_id(0); /* h * W * ceil(I/4) + cb * W + w */
  const int o = get_global_id(1);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(x, o)

  const int in_blocks = (in_channel + 3) >> 2;
  const int row = mul24(width, in_blocks);
  const int h = x / row;
  const int r = x - mul24(h, row);
  const int cb = r / width;
  const int w = r - mul24(cb, width);
  const int c = cb << 2;
  const int hw_size = mul24(height, width);
  const int offset = input_offset + mad24(mad24(o, in_channel, c), hw_size, mad24(h, width, w));

  DATA_TYPE4 values = 0;
  const int remain = in_channel - c;
  if (remain > 0) values.x = input[offset];
  if (remain > 1) values.y = input[offset + hw_size];
  if (remain > 2) values.z = input[offset + 2 * hw_size];
  if (remain > 3) values.w = input[offset + 3 * hw_size];

  WRITE_OUTPUT(output, (int2)(x, o), values);
}

__kernel void weight_width_image_to_buffer(BUFFER_OUT_OF_RANGE_PARAMS
                                           GLOBAL_WORK_GROUP_SIZE_DIM2
                                           __global DATA_TYPE *output, /* OIHW */
                                           __private const int in_channel,
                                           __private const int height,
                                           __private const int width,
                                           __read_only image2d_t input) {
  const int x = get_global_id(0);
  const int o = get_global_id(1);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(x, o)

  const int in_blocks = (in_channel + 3) >> 2;
  const int row = mul24(width, in_blocks);
  const int h = x / row;
  const int r = x - mul24(h, row);
  const int cb = r / width;
  const int w = r - mul24(cb, width);
  const int c = cb << 2;
  const int hw_size = mul24(height, width);
  const int offset = mad24(mad24(o, in_channel, c), hw_size, mad24(h, width, w));

  const DATA_TYPE4 values = READ_IMAGET(input, SAMPLER, (int2)(x, o));
  const int remain = min(in_channel - c, 4);
  for (int k = 0; k < remain; ++k) {
    CHECK_OUT_OF_RANGE_FOR_BUFFER(offset + k * hw_size)
    output[offset + k * hw_size] = lane_of(values, k);
  }
}

// ---- WEIGHT_HEIGHT: OIHW buffer <-> width H * W * 4 * ceil(I/4), height ceil(O/4) --------------

__kernel void weight_height_buffer_to_image(OUT_OF_RANGE_PARAMS
                                            GLOBAL_WORK_GROUP_SIZE_DIM2
                                            __global const DATA_TYPE *input, /* OIHW */
                                            __private const int input_offset,
                                            __private const int out_channel,
                                            __private const int in_channel,
                                            __private const int height,
                                            __private const int width,
                                            __write_only image2d_t output) {
  const int x = get_global_id(0); /* ((h * W + w) * ceil(I/4) + cb) * 4 + k */
  const int y = get_global_id(1); /* output block */
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(x, y)

  const int in_blocks = (in_channel + 3) >> 2;
  const int k = x & 3;
  const int rest = x >> 2;
  const int hw = rest / in_blocks;
  const int c = ((rest - mul24(hw, in_blocks)) << 2) + k;
  const int hw_size = mul24(height, width);
  const int inner_size = mul24(in_channel, hw_size);
  const int oc = y << 2;

  DATA_TYPE4 values = 0;
  if (c < in_channel) {
    const int offset = input_offset + mad24(oc, inner_size, mad24(c, hw_size, hw));
    const int remain = out_channel - oc;
    if (remain > 0) values.x = input[offset];
    if (remain > 1) values.y = input[offset + inner_size];
    if (remain > 2) values.z = input[offset + 2 * inner_size];
    if (remain > 3) values.w = input[offset + 3 * inner_size];
  }

  WRITE_OUTPUT(output, (int2)(x, y), values);
}

__kernel void weight_height_image_to_buffer(BUFFER_OUT_OF_RANGE_PARAMS
                                            GLOBAL_WORK_GROUP_SIZE_DIM2
                                            __global DATA_TYPE *output, /* OIHW */
                                            __private const int out_channel,
                                            __private const int in_channel,
                                            __private const int height,
                                            __private const int width,
                                            __read_only image2d_t input) {
  const int x = get_global_id(0);
  const int y = get_global_id(1);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(x, y)

  const int in_blocks = (in_channel + 3) >> 2;
  const int k = x & 3;
  const int rest = x >> 2;
  const int hw = rest / in_blocks;
  const int c = ((rest - mul24(hw, in_blocks)) << 2) + k;
  if (c >= in_channel) return;
  const int hw_size = mul24(height, width);
  const int inner_size = mul24(in_channel, hw_size);
  const int oc = y << 2;
  const int offset = mad24(oc, inner_size, mad24(c, hw_size, hw));

  const DATA_TYPE4 values = READ_IMAGET(input, SAMPLER, (int2)(x, y));
  const int remain = min(out_channel - oc, 4);
  for (int j = 0; j < remain; ++j) {
    CHECK_OUT_OF_RANGE_FOR_BUFFER(offset + j * inner_size)
    output[offset + j * inner_size] = lane_of(values, j);
  }
}
