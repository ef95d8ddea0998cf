#include <common.h>

// Depthwise convolution (multiplier 1) on IN_OUT images with a DW_CONV2D_FILTER image.
// Global size {ceil(C/4), ceil(out_width/4), out_height * N}: each item computes one block of four
// channels at four consecutive output columns.
// Options: STRIDE (the stride, both directions; MACE's only form), STRIDE_W (a MaceTools addition: a width
// stride other than STRIDE, which MACE's GPU op refuses; STRIDE is then the height stride), BIAS (adds an ARGUMENT image of C values),
// USE_* (fused activation). depthwise_conv2d_s1 is the stride-1, dilation-1 form that slides one
// window of input columns along the filter row instead of reading every tap separately.

#ifndef STRIDE
#define STRIDE 1
#endif
#ifndef STRIDE_W
#define STRIDE_W STRIDE
#endif

__kernel void depthwise_conv2d(OUT_OF_RANGE_PARAMS
                               GLOBAL_WORK_GROUP_SIZE_DIM3
                               __read_only image2d_t input,   /* IN_OUT [N, in_height, in_width, C] */
                               __read_only image2d_t filter,  /* DW_CONV2D_FILTER [1, C, KH, KW] */
#ifdef BIAS
                               __read_only image2d_t bias,    /* ARGUMENT [C] */
#endif
                               PRELU_ALPHA_PARAM
                               __write_only image2d_t output, /* IN_OUT [N, out_height, out_width, C] */
                               ACTIVATION_PARAMS
                               __private const int in_height,
                               __private const int in_width,
                               __private const int in_ch_blks,
                               __private const int out_height,
                               __private const int out_width,
                               __private const int filter_height,
                               __private const int filter_width,
                               __private const int padding_top,
                               __private const int padding_left,
                               __private const int dilation_h,
                               __private const int dilation_w) {
  const int blk = get_global_id(0);
  const int out_w_blk = get_global_id(1);
  const int out_hb = get_global_id(2);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(blk, out_w_blk, out_hb)

  const int batch = out_hb / out_height;
  const int out_h = out_hb - mul24(batch, out_height);
  const int out_w0 = out_w_blk << 2;

#ifdef BIAS
  DATA_TYPE4 out0 = READ_IMAGET(bias, SAMPLER, (int2)(blk, 0));
#else
  DATA_TYPE4 out0 = 0;
#endif
  DATA_TYPE4 out1 = out0;
  DATA_TYPE4 out2 = out0;
  DATA_TYPE4 out3 = out0;

  const int valid1 = out_w0 + 1 < out_width;
  const int valid2 = out_w0 + 2 < out_width;
  const int valid3 = out_w0 + 3 < out_width;
  const int in_w_base0 = mad24(out_w0, STRIDE_W, -padding_left);
  const int in_h_base = mad24(out_h, STRIDE, -padding_top);
  const int in_x0 = mul24(blk, in_width);

  for (int kh = 0; kh < filter_height; ++kh) {
    const int in_h = mad24(kh, dilation_h, in_h_base);
    if (in_h < 0 || in_h >= in_height) continue;
    const int in_y = mad24(batch, in_height, in_h);
    for (int kw = 0; kw < filter_width; ++kw) {
      const DATA_TYPE4 weights =
          READ_IMAGET(filter, SAMPLER, (int2)(mad24(kh, filter_width, kw), blk));
      const int in_w = mad24(kw, dilation_w, in_w_base0);

      int w = in_w;
      int in_x = select(in_x0 + w, -1, w < 0 || w >= in_width);
      out0 = mad(READ_IMAGET(input, SAMPLER, (int2)(in_x, in_y)), weights, out0);
      w = in_w + STRIDE_W;
      in_x = select(in_x0 + w, -1, !valid1 || w < 0 || w >= in_width);
      out1 = mad(READ_IMAGET(input, SAMPLER, (int2)(in_x, in_y)), weights, out1);
      w = in_w + 2 * STRIDE_W;
      in_x = select(in_x0 + w, -1, !valid2 || w < 0 || w >= in_width);
      out2 = mad(READ_IMAGET(input, SAMPLER, (int2)(in_x, in_y)), weights, out2);
      w = in_w + 3 * STRIDE_W;
      in_x = select(in_x0 + w, -1, !valid3 || w < 0 || w >= in_width);
      out3 = mad(READ_IMAGET(input, SAMPLER, (int2)(in_x, in_y)), weights, out3);
    }
  }

  const int out_x = mad24(blk, out_width, out_w0);
  WRITE_OUTPUT(output, (int2)(out_x, out_hb), ACTIVATE(out0, blk));
  if (!valid1) return;
  WRITE_OUTPUT(output, (int2)(out_x + 1, out_hb), ACTIVATE(out1, blk));
  if (!valid2) return;
  WRITE_OUTPUT(output, (int2)(out_x + 2, out_hb), ACTIVATE(out2, blk));
  if (!valid3) return;
  WRITE_OUTPUT(output, (int2)(out_x + 3, out_hb), ACTIVATE(out3, blk));
}

// Reads column w of one input row (in_x0 = first column of the channel block, in_y = row or -1).
inline DATA_TYPE4 dw_read_column(__read_only image2d_t input, int in_x0, int in_y, int w,
                                 int in_width) {
  return READ_IMAGET(input, SAMPLER, (int2)(select(in_x0 + w, -1, w < 0 || w >= in_width), in_y));
}

__kernel void depthwise_conv2d_s1(OUT_OF_RANGE_PARAMS
                                  GLOBAL_WORK_GROUP_SIZE_DIM3
                                  __read_only image2d_t input,   /* IN_OUT [N, in_height, in_width, C] */
                                  __read_only image2d_t filter,  /* DW_CONV2D_FILTER [1, C, KH, KW] */
#ifdef BIAS
                                  __read_only image2d_t bias,    /* ARGUMENT [C] */
#endif
                                  PRELU_ALPHA_PARAM
                                  __write_only image2d_t output, /* IN_OUT [N, out_height, out_width, C] */
                                  ACTIVATION_PARAMS
                                  __private const int in_height,
                                  __private const int in_width,
                                  __private const int in_ch_blks,
                                  __private const int out_height,
                                  __private const int out_width,
                                  __private const int filter_height,
                                  __private const int filter_width,
                                  __private const int padding_top,
                                  __private const int padding_left) {
  const int blk = get_global_id(0);
  const int out_w_blk = get_global_id(1);
  const int out_hb = get_global_id(2);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(blk, out_w_blk, out_hb)

  const int batch = out_hb / out_height;
  const int out_h = out_hb - mul24(batch, out_height);
  const int out_w0 = out_w_blk << 2;

#ifdef BIAS
  DATA_TYPE4 out0 = READ_IMAGET(bias, SAMPLER, (int2)(blk, 0));
#else
  DATA_TYPE4 out0 = 0;
#endif
  DATA_TYPE4 out1 = out0;
  DATA_TYPE4 out2 = out0;
  DATA_TYPE4 out3 = out0;

  const int in_w0 = out_w0 - padding_left;
  const int in_h_base = out_h - padding_top;
  const int in_x0 = mul24(blk, in_width);

  for (int kh = 0; kh < filter_height; ++kh) {
    const int in_h = in_h_base + kh;
    if (in_h < 0 || in_h >= in_height) continue;
    const int in_y = mad24(batch, in_height, in_h);
    // Window of the four input columns under the four outputs; it moves one column per tap.
    DATA_TYPE4 in0 = dw_read_column(input, in_x0, in_y, in_w0, in_width);
    DATA_TYPE4 in1 = dw_read_column(input, in_x0, in_y, in_w0 + 1, in_width);
    DATA_TYPE4 in2 = dw_read_column(input, in_x0, in_y, in_w0 + 2, in_width);
    DATA_TYPE4 in3 = dw_read_column(input, in_x0, in_y, in_w0 + 3, in_width);
    const int filter_x0 = mul24(kh, filter_width);
    for (int kw = 0; kw < filter_width; ++kw) {
      const DATA_TYPE4 weights = READ_IMAGET(filter, SAMPLER, (int2)(filter_x0 + kw, blk));
      out0 = mad(in0, weights, out0);
      out1 = mad(in1, weights, out1);
      out2 = mad(in2, weights, out2);
      out3 = mad(in3, weights, out3);
      in0 = in1;
      in1 = in2;
      in2 = in3;
      in3 = dw_read_column(input, in_x0, in_y, in_w0 + kw + 4, in_width);
    }
  }

  const int out_x = mad24(blk, out_width, out_w0);
  WRITE_OUTPUT(output, (int2)(out_x, out_hb), ACTIVATE(out0, blk));
  if (out_w0 + 1 >= out_width) return;
  WRITE_OUTPUT(output, (int2)(out_x + 1, out_hb), ACTIVATE(out1, blk));
  if (out_w0 + 2 >= out_width) return;
  WRITE_OUTPUT(output, (int2)(out_x + 2, out_hb), ACTIVATE(out2, blk));
  if (out_w0 + 3 >= out_width) return;
  WRITE_OUTPUT(output, (int2)(out_x + 3, out_hb), ACTIVATE(out3, blk));
}
