#include <common.h>

// Bilinear resize of an IN_OUT image.
// Global size {ceil(C/4), out_width, N * out_height}; each item computes one output pixel from
// the four neighbouring input pixels (read directly: no local-memory cache).
// CT_MODE (coordinate transformation): 0 = in = out * scale (align_corners is folded into the
// scale by the host), 1 = half pixel, 2 = PyTorch half pixel (0 for an output dimension of 1).

#ifndef CT_MODE
#define CT_MODE 0
#endif

inline float resize_source_coord(int out, float scale, int out_size) {
#if CT_MODE == 1
  return fmax(((float)out + 0.5f) * scale - 0.5f, 0.0f);
#elif CT_MODE == 2
  return out_size > 1 ? fmax(((float)out + 0.5f) * scale - 0.5f, 0.0f) : 0.0f;
#else
  return (float)out * scale;
#endif
}

__kernel void resize_bilinear_nocache(OUT_OF_RANGE_PARAMS
                                      GLOBAL_WORK_GROUP_SIZE_DIM3
                                      __read_only image2d_t input,   /* IN_OUT [N, in_height, in_width, C] */
                                      __write_only image2d_t output, /* IN_OUT [N, out_height, out_width, C] */
                                      __private const float height_scale,
                                      __private const float width_scale,
                                      __private const int in_height,
                                      __private const int in_width,
                                      __private const int out_height) {
  const int blk = get_global_id(0);
  const int out_w = get_global_id(1);
  const int out_hb = get_global_id(2);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(blk, out_w, out_hb)

  const int out_width = GLOBAL_SIZE_DIM1;
  const int batch = out_hb / out_height;
  const int out_h = out_hb - mul24(batch, out_height);

  const float h_in = resize_source_coord(out_h, height_scale, out_height);
  const float w_in = resize_source_coord(out_w, width_scale, out_width);
  const int h_lower = min((int)floor(h_in), in_height - 1);
  const int w_lower = min((int)floor(w_in), in_width - 1);
  const int h_upper = min(h_lower + 1, in_height - 1);
  const int w_upper = min(w_lower + 1, in_width - 1);
  const DATA_TYPE h_lerp = (DATA_TYPE)(h_in - (float)h_lower);
  const DATA_TYPE w_lerp = (DATA_TYPE)(w_in - (float)w_lower);

  const int in_x0 = mul24(blk, in_width);
  const int in_y0 = mul24(batch, in_height);
  const DATA_TYPE4 top_left = READ_IMAGET(input, SAMPLER, (int2)(in_x0 + w_lower, in_y0 + h_lower));
  const DATA_TYPE4 top_right = READ_IMAGET(input, SAMPLER, (int2)(in_x0 + w_upper, in_y0 + h_lower));
  const DATA_TYPE4 bottom_left = READ_IMAGET(input, SAMPLER, (int2)(in_x0 + w_lower, in_y0 + h_upper));
  const DATA_TYPE4 bottom_right = READ_IMAGET(input, SAMPLER, (int2)(in_x0 + w_upper, in_y0 + h_upper));

  const DATA_TYPE4 top = mad(top_right - top_left, w_lerp, top_left);
  const DATA_TYPE4 bottom = mad(bottom_right - bottom_left, w_lerp, bottom_left);
  const DATA_TYPE4 out = mad(bottom - top, h_lerp, top);

  WRITE_OUTPUT(output, (int2)(mad24(blk, out_width, out_w), out_hb), out);
}
