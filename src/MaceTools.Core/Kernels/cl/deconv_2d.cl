#include <common.h>

// Transposed convolution (ONNX ConvTranspose, group 1) on IN_OUT images with a CONV2D_FILTER image
// holding the filter as OIHW [out_channels, in_channels, KH, KW].
// Global size {ceil(O/4), ceil(ceil(out_width/stride_w)/5) * stride_w, out_height * N}, as MACE
// decomposes it: item w of dimension 1 computes the five output columns
// (w / stride_w) * 5 * stride_w + w % stride_w + i * stride_w, i = 0..4, which all see the same
// input columns shifted by one. Each output gathers the inputs whose footprint covers it:
// out_h = in_h * stride_h - padding_top + kh (likewise for w).
// Options: BIAS (adds an ARGUMENT image of O values), USE_* (fused activation).
__kernel void deconv_2d(OUT_OF_RANGE_PARAMS
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
                        __private const int stride_h,
                        __private const int stride_w,
                        __private const int padding_top,
                        __private const int padding_left,
                        __private const int filter_height,
                        __private const int filter_width) {
  const int out_blk = get_global_id(0);
  const int w_item = get_global_id(1);
  const int out_hb = get_global_id(2);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(out_blk, w_item, out_hb)

  const int batch = out_hb / out_height;
  const int out_h = out_hb - mul24(batch, out_height);
  const int phase = w_item % stride_w;
  const int out_w0 = mad24(mul24(w_item / stride_w, 5), stride_w, phase);
  if (out_w0 >= out_width) return;

#ifdef BIAS
  const DATA_TYPE4 b = READ_IMAGET(bias, SAMPLER, (int2)(out_blk, 0));
#else
  const DATA_TYPE4 b = 0;
#endif
  DATA_TYPE4 out[5] = {b, b, b, b, b};

  const int filter_hw = mul24(filter_height, filter_width);
  const int filter_y0 = mul24(out_blk, filter_hw);
  for (int kh = 0; kh < filter_height; ++kh) {
    const int h_num = out_h + padding_top - kh;
    if (h_num < 0 || h_num % stride_h != 0) continue;
    const int in_h = h_num / stride_h;
    if (in_h >= in_height) continue;
    const int in_y = mad24(batch, in_height, in_h);
    for (int kw = 0; kw < filter_width; ++kw) {
      // The five columns differ by stride_w, so their input columns differ by one: the phase
      // test is the same for all five.
      const int w_num = out_w0 + padding_left - kw;
      if (((w_num % stride_w) + stride_w) % stride_w != 0) continue;
      const int in_w0 = w_num / stride_w; // exact: w_num is a multiple of stride_w
      const int filter_y = filter_y0 + mad24(kh, filter_width, kw);
      for (int in_blk = 0; in_blk < in_ch_blks; ++in_blk) {
        const int in_c = in_blk << 2;
        const int in_x0 = mul24(in_blk, in_width);
        const DATA_TYPE4 w0 = READ_IMAGET(filter, SAMPLER, (int2)(in_c, filter_y));
        const DATA_TYPE4 w1 = READ_IMAGET(filter, SAMPLER, (int2)(in_c + 1, filter_y));
        const DATA_TYPE4 w2 = READ_IMAGET(filter, SAMPLER, (int2)(in_c + 2, filter_y));
        const DATA_TYPE4 w3 = READ_IMAGET(filter, SAMPLER, (int2)(in_c + 3, filter_y));
        for (int i = 0; i < 5; ++i) {
          const int in_w = in_w0 + i;
          const int in_x = select(in_x0 + in_w, -1, in_w < 0 || in_w >= in_width);
          out[i] = mac4(out[i], READ_IMAGET(input, SAMPLER, (int2)(in_x, in_y)), w0, w1, w2, w3);
        }
      }
    }
  }

  const int out_x0 = mul24(out_blk, out_width);
  for (int i = 0; i < 5; ++i) {
    const int out_w = mad24(i, stride_w, out_w0);
    if (out_w >= out_width) return;
    WRITE_OUTPUT(output, (int2)(out_x0 + out_w, out_hb), ACTIVATE(out[i], out_blk));
  }
}
