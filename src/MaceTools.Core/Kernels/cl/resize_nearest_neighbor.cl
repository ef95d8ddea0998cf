#include <common.h>

// Nearest-neighbour resize of an IN_OUT image.
// Global size {ceil(C/4), out_width, N * out_height}; each item copies one input pixel (four
// channels) to one output pixel.
// CT_MODE (coordinate transformation, as in resize_bilinear): 0 = asymmetric (in = out * in/out, or
// out * (in-1)/(out-1) with align_corner), 1 = half pixel, 2 = PyTorch half pixel. height_scale and
// width_scale are MACE's arguments; the coordinates are computed from the sizes.
// NEAREST_MODE (MaceTools' numbering of ONNX's nearest_mode): 0 = round_prefer_floor,
// 1 = round_prefer_ceil, 2 = floor, 3 = ceil. Without it (MACE before v1.1): floor, or round when
// align_corner is set.

#ifndef CT_MODE
#define CT_MODE 0
#endif

// The source coordinate from the sizes rather than the scale argument: a tie (x.5) must stay exact
// for the rounding modes, and in/out as a float scale is not (3.5 * (2/7) is 1.00000006).
inline float nearest_source_coord(int out, int in_size, int out_size, int align_corner) {
  if (align_corner && out_size > 1) return (float)(out * (in_size - 1)) / (float)(out_size - 1);
#if CT_MODE == 1
  return (float)((2 * out + 1) * in_size - out_size) / (float)(2 * out_size);
#elif CT_MODE == 2
  return out_size > 1 ? (float)((2 * out + 1) * in_size - out_size) / (float)(2 * out_size) : 0.0f;
#else
  return (float)(out * in_size) / (float)out_size;
#endif
}

inline int nearest_index(float x, int align_corner, int in_size) {
#if defined(NEAREST_MODE) && NEAREST_MODE == 0
  const int i = (x - floor(x) == 0.5f) ? (int)floor(x) : (int)round(x);
#elif defined(NEAREST_MODE) && NEAREST_MODE == 1
  const int i = (int)round(x);
#elif defined(NEAREST_MODE) && NEAREST_MODE == 3
  const int i = (int)ceil(x);
#elif defined(NEAREST_MODE)
  const int i = (int)floor(x);
#else
  const int i = align_corner ? (int)round(x) : (int)floor(x);
#endif
  return clamp(i, 0, in_size - 1);
}

__kernel void resize_nearest_neighbor_nocache(OUT_OF_RANGE_PARAMS
                                              GLOBAL_WORK_GROUP_SIZE_DIM3
                                              __read_only image2d_t input,   /* IN_OUT [N, in_height, in_width, C] */
                                              __write_only image2d_t output, /* IN_OUT [N, out_height, out_width, C] */
                                              __private const float height_scale,
                                              __private const float width_scale,
                                              __private const int in_height,
                                              __private const int in_width,
                                              __private const int out_height,
                                              __private const int align_corner) {
  const int blk = get_global_id(0);
  const int out_w = get_global_id(1);
  const int out_hb = get_global_id(2);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(blk, out_w, out_hb)

  const int out_width = GLOBAL_SIZE_DIM1;
  const int batch = out_hb / out_height;
  const int out_h = out_hb - mul24(batch, out_height);

  const int h_in = nearest_index(nearest_source_coord(out_h, in_height, out_height, align_corner), align_corner, in_height);
  const int w_in = nearest_index(nearest_source_coord(out_w, in_width, out_width, align_corner), align_corner, in_width);

  const DATA_TYPE4 v = READ_IMAGET(input, SAMPLER, (int2)(mad24(blk, in_width, w_in), mad24(batch, in_height, h_in)));
  WRITE_OUTPUT(output, (int2)(mad24(blk, out_width, out_w), out_hb), v);
}
