#include <common.h>

// 3x3 convolution on IN_OUT images with a CONV2D_FILTER image (KH = KW = 3).
// Global size {ceil(O/4), ceil(out_width/5), out_height * N}: each item computes one block of four
// output channels at five consecutive output columns.
// Options: BIAS (adds an ARGUMENT image of O values), USE_* (fused activation).
__kernel void conv_2d_3x3(OUT_OF_RANGE_PARAMS
                          GLOBAL_WORK_GROUP_SIZE_DIM3
                          __read_only image2d_t input,   /* IN_OUT [N, in_height, in_width, I] */
                          __read_only image2d_t filter,  /* CONV2D_FILTER [O, I, 3, 3] */
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
  const int out_w0 = mul24(out_w_blk, 5);

#ifdef BIAS
  const DATA_TYPE4 bias_value = READ_IMAGET(bias, SAMPLER, (int2)(out_blk, 0));
#else
  const DATA_TYPE4 bias_value = 0;
#endif
  DATA_TYPE4 out[5];
  int in_w_base[5];
  for (int i = 0; i < 5; ++i) {
    out[i] = bias_value;
    // Columns past the output read nothing: push them far left so every tap is out of range.
    in_w_base[i] = select(mad24(out_w0 + i, stride_w, -padding_left), -in_width - 3 * dilation_w - 1,
                          out_w0 + i >= out_width);
  }
  const int in_h_base = mad24(out_h, stride_h, -padding_top);
  const int filter_y0 = mul24(out_blk, 9);

  for (int in_blk = 0; in_blk < in_ch_blks; ++in_blk) {
    const int in_c = in_blk << 2;
    const int in_x0 = mul24(in_blk, in_width);
    for (int kh = 0; kh < 3; ++kh) {
      const int in_h = mad24(kh, dilation_h, in_h_base);
      const int in_y = select(mad24(batch, in_height, in_h), -1, in_h < 0 || in_h >= in_height);
      for (int kw = 0; kw < 3; ++kw) {
        const int filter_y = filter_y0 + mad24(kh, 3, kw);
        const DATA_TYPE4 w0 = READ_IMAGET(filter, SAMPLER, (int2)(in_c, filter_y));
        const DATA_TYPE4 w1 = READ_IMAGET(filter, SAMPLER, (int2)(in_c + 1, filter_y));
        const DATA_TYPE4 w2 = READ_IMAGET(filter, SAMPLER, (int2)(in_c + 2, filter_y));
        const DATA_TYPE4 w3 = READ_IMAGET(filter, SAMPLER, (int2)(in_c + 3, filter_y));
        for (int i = 0; i < 5; ++i) {
          const int in_w = mad24(kw, dilation_w, in_w_base[i]);
          const int in_x = select(in_x0 + in_w, -1, in_w < 0 || in_w >= in_width);
          const DATA_TYPE4 in = READ_IMAGET(input, SAMPLER, (int2)(in_x, in_y));
          out[i] = mac4(out[i], in, w0, w1, w2, w3);
        }
      }
    }
  }

  const int out_x = mad24(out_blk, out_width, out_w0);
  for (int i = 0; i < 5; ++i) {
    if (out_w0 + i >= out_width) break;
    WRITE_OUTPUT(output, (int2)(out_x + i, out_hb), ACTIVATE(out[i], out_blk));
  }
}
