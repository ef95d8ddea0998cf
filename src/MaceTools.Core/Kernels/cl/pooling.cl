#include <common.h>

// Max or average pooling of an IN_OUT image.
// Global size {ceil(C/4), out_width, N * out_height}; each item computes one output pixel.
// POOL_AVG: average over the window positions inside the input (padding is not counted);
// otherwise (POOL_MAX or nothing) the maximum.
__kernel void pooling(OUT_OF_RANGE_PARAMS
                      GLOBAL_WORK_GROUP_SIZE_DIM3
                      __read_only image2d_t input,   /* IN_OUT [N, in_height, in_width, C] */
                      __private const int in_height,
                      __private const int in_width,
                      __private const int out_height,
                      __private const int pad_top,
                      __private const int pad_left,
                      __private const int stride_h,
                      __private const int stride_w,
                      __private const int pooling_h,
                      __private const int pooling_w,
                      __write_only image2d_t output) { /* IN_OUT [N, out_height, out_width, C] */
  const int blk = get_global_id(0);
  const int out_w = get_global_id(1);
  const int out_hb = get_global_id(2);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(blk, out_w, out_hb)

  const int out_width = GLOBAL_SIZE_DIM1;
  const int batch = out_hb / out_height;
  const int out_h = out_hb - mul24(batch, out_height);

  const int h_begin = mad24(out_h, stride_h, -pad_top);
  const int w_begin = mad24(out_w, stride_w, -pad_left);
  const int h_start = max(h_begin, 0);
  const int w_start = max(w_begin, 0);
  const int h_end = min(h_begin + pooling_h, in_height);
  const int w_end = min(w_begin + pooling_w, in_width);
  const int in_x0 = mul24(blk, in_width);
  const int in_y0 = mul24(batch, in_height);

#ifdef POOL_AVG
  DATA_TYPE4 acc = 0;
  for (int h = h_start; h < h_end; ++h) {
    for (int w = w_start; w < w_end; ++w) {
      acc += READ_IMAGET(input, SAMPLER, (int2)(in_x0 + w, in_y0 + h));
    }
  }
  const int count = max(mul24(h_end - h_start, w_end - w_start), 1);
  const DATA_TYPE4 out = acc / (DATA_TYPE4)((DATA_TYPE)count);
#else
  DATA_TYPE4 out = (DATA_TYPE4)((DATA_TYPE)(-MAXFLOAT));
  for (int h = h_start; h < h_end; ++h) {
    for (int w = w_start; w < w_end; ++w) {
      out = fmax(out, READ_IMAGET(input, SAMPLER, (int2)(in_x0 + w, in_y0 + h)));
    }
  }
#endif

  WRITE_OUTPUT(output, (int2)(mad24(blk, out_width, out_w), out_hb), out);
}
