#include <common.h>

// 1x1 convolution on IN_OUT images with a CONV2D_FILTER image (KH = KW = 1), no padding.
// Global size {ceil(O/4), ceil(out_width/4), out_height * N}: each item computes one block of four
// output channels at four consecutive output columns.
// Options: BIAS (adds an ARGUMENT image of O values), USE_* (fused activation).
__kernel void conv_2d_1x1(OUT_OF_RANGE_PARAMS
                          GLOBAL_WORK_GROUP_SIZE_DIM3
                          __read_only image2d_t input,   /* IN_OUT [N, in_height, in_width, I] */
                          __read_only image2d_t filter,  /* CONV2D_FILTER [O, I, 1, 1] */
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
                          __private const int stride_w) {
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

  const int in_y = mad24(batch, in_height, mul24(out_h, stride_h));
  // Columns past the output (the last block of a width not divisible by four) read as 0.
  const int in_w0 = select(mul24(out_w0, stride_w), -1, out_w0 >= out_width);
  const int in_w1 = select(mul24(out_w0 + 1, stride_w), -1, out_w0 + 1 >= out_width);
  const int in_w2 = select(mul24(out_w0 + 2, stride_w), -1, out_w0 + 2 >= out_width);
  const int in_w3 = select(mul24(out_w0 + 3, stride_w), -1, out_w0 + 3 >= out_width);

  for (int in_blk = 0; in_blk < in_ch_blks; ++in_blk) {
    const int in_c = in_blk << 2;
    const DATA_TYPE4 w0 = READ_IMAGET(filter, SAMPLER, (int2)(in_c, out_blk));
    const DATA_TYPE4 w1 = READ_IMAGET(filter, SAMPLER, (int2)(in_c + 1, out_blk));
    const DATA_TYPE4 w2 = READ_IMAGET(filter, SAMPLER, (int2)(in_c + 2, out_blk));
    const DATA_TYPE4 w3 = READ_IMAGET(filter, SAMPLER, (int2)(in_c + 3, out_blk));

    const int in_x = mul24(in_blk, in_width);
    const DATA_TYPE4 in0 = READ_IMAGET(input, SAMPLER, (int2)(select(in_x + in_w0, -1, in_w0 < 0), in_y));
    const DATA_TYPE4 in1 = READ_IMAGET(input, SAMPLER, (int2)(select(in_x + in_w1, -1, in_w1 < 0), in_y));
    const DATA_TYPE4 in2 = READ_IMAGET(input, SAMPLER, (int2)(select(in_x + in_w2, -1, in_w2 < 0), in_y));
    const DATA_TYPE4 in3 = READ_IMAGET(input, SAMPLER, (int2)(select(in_x + in_w3, -1, in_w3 < 0), in_y));

    out0 = mac4(out0, in0, w0, w1, w2, w3);
    out1 = mac4(out1, in1, w0, w1, w2, w3);
    out2 = mac4(out2, in2, w0, w1, w2, w3);
    out3 = mac4(out3, in3, w0, w1, w2, w3);
  }

  out0 = ACTIVATE(out0, out_blk);
  out1 = ACTIVATE(out1, out_blk);
  out2 = ACTIVATE(out2, out_blk);
  out3 = ACTIVATE(out3, out_blk);

  const int out_x = mad24(out_blk, out_width, out_w0);
  WRITE_OUTPUT(output, (int2)(out_x, out_hb), out0);
  if (out_w0 + 1 >= out_width) return;
  WRITE_OUTPUT(output, (int2)(out_x + 1, out_hb), out1);
  if (out_w0 + 2 >= out_width) return;
  WRITE_OUTPUT(output, (int2)(out_x + 2, out_hb), out2);
  if (out_w0 + 3 >= out_width) return;
  WRITE_OUTPUT(output, (int2)(out_x + 3, out_hb), out3);
}
