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

// ---- WINOGRAD_FILTER: OIHW 3x3 buffer -> G g Gt as IN_OUT_HEIGHT [t*t, O, I, 1] ---------------------------------
// t = b + 2 (b = 2 or 4); width I, height t*t * ceil(O/4); pixel (i, k * ceil(O/4) + ob) = output channels
// 4ob..4ob+3 of input channel i at position k = row * t + column of the transformed filter. Global size
// {I, ceil(O/4)} (MACE's {image width, image height / t*t}); no image_to_buffer: the transform is not a relayout.
// G for F(2x2, 3x3) uses the points 0, 1, -1; for F(4x4, 3x3) the points 0, 1, -1, 2, -2 (see winograd_transform.cl).

// out[0], out[os], ..., out[(t-1)os] = G x for the three values v[0], v[s], v[2s].
inline void wino_filter_g(const DATA_TYPE4 *v, const int s, DATA_TYPE4 *out, const int os, const int blk) {
  const DATA_TYPE4 g0 = v[0], g1 = v[s], g2 = v[2 * s];
  if (blk == 2) {
    out[0] = g0;
    out[os] = (g0 + g1 + g2) * (DATA_TYPE)0.5f;
    out[2 * os] = (g0 - g1 + g2) * (DATA_TYPE)0.5f;
    out[3 * os] = g2;
  } else {
    const DATA_TYPE4 p = g0 + g2;
    out[0] = g0 * (DATA_TYPE)0.25f;
    out[os] = (p + g1) * (DATA_TYPE)(-1.0f / 6);
    out[2 * os] = (p - g1) * (DATA_TYPE)(-1.0f / 6);
    out[3 * os] = g0 * (DATA_TYPE)(1.0f / 24) + g1 * (DATA_TYPE)(1.0f / 12) + g2 * (DATA_TYPE)(1.0f / 6);
    out[4 * os] = g0 * (DATA_TYPE)(1.0f / 24) - g1 * (DATA_TYPE)(1.0f / 12) + g2 * (DATA_TYPE)(1.0f / 6);
    out[5 * os] = g2;
  }
}

// u (t*t values, row-major) = G g Gt of the 3x3 filters of output channels 4ob..4ob+3 (lanes) and input channel ic.
inline void wino_filter_tile(__global const DATA_TYPE *input, const int input_offset, const int out_channel,
                             const int in_channel, const int ic, const int ob, DATA_TYPE4 *tmp, DATA_TYPE4 *u,
                             const int blk) {
  const int oc = ob << 2;
  const int inner = mul24(in_channel, 9);
  const int offset = input_offset + mad24(oc, inner, mul24(ic, 9));
  const int remain = out_channel - oc;
  DATA_TYPE4 g[9];
  for (int j = 0; j < 9; ++j) {
    DATA_TYPE4 v = 0;
    if (remain > 0) v.x = input[offset + j];
    if (remain > 1) v.y = input[offset + inner + j];
    if (remain > 2) v.z = input[offset + 2 * inner + j];
    if (remain > 3) v.w = input[offset + 3 * inner + j];
    g[j] = v;
  }
  const int t = blk + 2;
  for (int j = 0; j < 3; ++j) wino_filter_g(g + j, 3, tmp + j, 3, blk);             // columns: G g (t x 3)
  for (int i = 0; i < t; ++i) wino_filter_g(tmp + mul24(i, 3), 1, u + mul24(i, t), 1, blk);  // rows: (G g) Gt
}

__kernel void winograd_filter_buffer_to_image_2x2(OUT_OF_RANGE_PARAMS
                                                  GLOBAL_WORK_GROUP_SIZE_DIM2
                                                  __global const DATA_TYPE *input, /* OIHW [O, I, 3, 3] */
                                                  __private const int input_offset,
                                                  __private const int out_channel,
                                                  __private const int in_channel,
                                                  __write_only image2d_t output) {
  const int ic = get_global_id(0);
  const int ob = get_global_id(1);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(ic, ob)

  DATA_TYPE4 tmp[12], u[16];
  wino_filter_tile(input, input_offset, out_channel, in_channel, ic, ob, tmp, u, 2);
  const int blocks = (out_channel + 3) >> 2;
  for (int k = 0; k < 16; ++k) WRITE_OUTPUT(output, (int2)(ic, mad24(k, blocks, ob)), u[k]);
}

__kernel void winograd_filter_buffer_to_image_4x4(OUT_OF_RANGE_PARAMS
                                                  GLOBAL_WORK_GROUP_SIZE_DIM2
                                                  __global const DATA_TYPE *input, /* OIHW [O, I, 3, 3] */
                                                  __private const int input_offset,
                                                  __private const int out_channel,
                                                  __private const int in_channel,
                                                  __write_only image2d_t output) {
  const int ic = get_global_id(0);
  const int ob = get_global_id(1);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(ic, ob)

  DATA_TYPE4 tmp[18], u[36];
  wino_filter_tile(input, input_offset, out_channel, in_channel, ic, ob, tmp, u, 4);
  const int blocks = (out_channel + 3) >> 2;
  for (int k = 0; k < 36; ++k) WRITE_OUTPUT(output, (int2)(ic, mad24(k, blocks, ob)), u[k]);
}
