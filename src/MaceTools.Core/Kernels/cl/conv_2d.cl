#include <common.h>

// General KHxKW convolution on IN_OUT images with a CONV2D_FILTER image.
// Global size {ceil(O/4), ceil(out_width/4), out_height * N}: each item computes one block of four
// output channels at four consecutive output columns.
// Options: BIAS (adds an ARGUMENT image of O values), USE_* (fused activation).
__kernel void conv_2d(OUT_OF_RANGE_PARAMS
                      GLOBAL_WORK_GROUP_SIZE_DIM3
                      __read_only image2d_t input,   /* IN_OUT [N, in_height, in_width, I] */
                      __read_only image2d_t filter,  /* CONV2D_FILTER [O, I, KH, KW] */
#ifdef BIAS
                      __read_only image2d_t bias,    /* ARGUMENT [O] */
#endif
                      PRELU_ALPHA_PARAM
                      __write_only image2d_t output, /* IN_OUT [N, out_height, out_width, O] */
                      ACTIVATION_PARAMS
                      __private const int in_height,
                      __private const int in_width,
                      __private const int in_ch_blks,
                      __private const int out_height,
                      __private const int out_width,
                      __private const int filter_height,
                      __private const int filter_width,
                      __private const int stride_h,
                      __private const int stride_w,
                      __private const int padding_top,
                      __private const int padding_left,
                      __private const int dilation_h,
                      __private const int dilation_w) {
  const int out_blk = get_global_id(0);
  const int out_w_blk = get_global_id(1);
  const int out_hb = get_global_id(2);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(out_blk, out_w_blk, out_hb)

  const int batch = out_hb / out_height;
  const int out_h = out_hb - mul24(batch, out_height);
  const int out_w0 = out_w_blk << 2;

#ifdef BIAS
  DATA_TYPE4 out0 = READ_IMAGET(bias, SAMPLER, (int2)(out_blk, 0));
#else
  DATA_TYPE4 out0 = 0;
#endif
  DATA_TYPE4 out1 = out0;
  DATA_TYPE4 out2 = out0;
  DATA_TYPE4 out3 = out0;

  // Columns past the output are marked invalid and contribute nothing.
  const int valid1 = out_w0 + 1 < out_width;
  const int valid2 = out_w0 + 2 < out_width;
  const int valid3 = out_w0 + 3 < out_width;
  const int in_w_base0 = mad24(out_w0, stride_w, -padding_left);
  const int in_w_base1 = in_w_base0 + stride_w;
  const int in_w_base2 = in_w_base1 + stride_w;
  const int in_w_base3 = in_w_base2 + stride_w;
  const int in_h_base = mad24(out_h, stride_h, -padding_top);
  const int filter_hw = mul24(filter_height, filter_width);
  const int filter_y0 = mul24(out_blk, filter_hw);

  for (int in_blk = 0; in_blk < in_ch_blks; ++in_blk) {
    const int in_c = in_blk << 2;
    const int in_x0 = mul24(in_blk, in_width);
    for (int kh = 0; kh < filter_height; ++kh) {
      const int in_h = mad24(kh, dilation_h, in_h_base);
      if (in_h < 0 || in_h >= in_height) continue;
      const int in_y = mad24(batch, in_height, in_h);
      for (int kw = 0; kw < filter_width; ++kw) {
        const int filter_y = filter_y0 + mad24(kh, filter_width, kw);
        const DATA_TYPE4 w0 = READ_IMAGET(filter, SAMPLER, (int2)(in_c, filter_y));
        const DATA_TYPE4 w1 = READ_IMAGET(filter, SAMPLER, (int2)(in_c + 1, filter_y));
        const DATA_TYPE4 w2 = READ_IMAGET(filter, SAMPLER, (int2)(in_c + 2, filter_y));
        const DATA_TYPE4 w3 = READ_IMAGET(filter, SAMPLER, (int2)(in_c + 3, filter_y));

        const int dw = mul24(kw, dilation_w);
        int in_w = in_w_base0 + dw;
        int in_x = select(in_x0 + in_w, -1, in_w < 0 || in_w >= in_width);
        out0 = mac4(out0, READ_IMAGET(input, SAMPLER, (int2)(in_x, in_y)), w0, w1, w2, w3);
        in_w = in_w_base1 + dw;
        in_x = select(in_x0 + in_w, -1, !valid1 || in_w < 0 || in_w >= in_width);
        out1 = mac4(out1, READ_IMAGET(input, SAMPLER, (int2)(in_x, in_y)), w0, w1, w2, w3);
        in_w = in_w_base2 + dw;
        in_x = select(in_x0 + in_w, -1, !valid2 || in_w < 0 || in_w >= in_width);
        out2 = mac4(out2, READ_IMAGET(input, SAMPLER, (int2)(in_x, in_y)), w0, w1, w2, w3);
        in_w = in_w_base3 + dw;
        in_x = select(in_x0 + in_w, -1, !valid3 || in_w < 0 || in_w >= in_width);
        out3 = mac4(out3, READ_IMAGET(input, SAMPLER, (int2)(in_x, in_y)), w0, w1, w2, w3);
      }
    }
  }

  const int out_x = mad24(out_blk, out_width, out_w0);
  WRITE_OUTPUT(output, (int2)(out_x, out_hb), ACTIVATE(out0, out_blk));
  if (!valid1) return;
  WRITE_OUTPUT(output, (int2)(out_x + 1, out_hb), ACTIVATE(out1, out_blk));
  if (!valid2) return;
  WRITE_OUTPUT(output, (int2)(out_x + 2, out_hb), ACTIVATE(out2, out_blk));
  if (!valid3) return;
  WRITE_OUTPUT(output, (int2)(out_x + 3, out_hb), ACTIVATE(out3, out_blk));
}
