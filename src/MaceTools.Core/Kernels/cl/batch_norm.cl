#include <common.h>

// Batch normalisation of an IN_OUT image, per channel.
// Global size {ceil(C/4), W, N * H}; each item maps one pixel (four channels).
// FOLDED_CONSTANT: out = in * scale + offset (scale and offset already folded with mean,
// variance and epsilon); otherwise out = (in - mean) * scale / sqrt(var + epsilon) + offset.
// USE_* fuses an activation.
__kernel void batch_norm(OUT_OF_RANGE_PARAMS
                         GLOBAL_WORK_GROUP_SIZE_DIM3
                         __read_only image2d_t input,   /* IN_OUT [N, H, W, C] */
                         __read_only image2d_t scale,   /* ARGUMENT [C] */
                         __read_only image2d_t offset,  /* ARGUMENT [C] */
#ifndef FOLDED_CONSTANT
                         __read_only image2d_t mean,    /* ARGUMENT [C] */
                         __read_only image2d_t var,     /* ARGUMENT [C] */
                         __private const float epsilon,
#endif
                         PRELU_ALPHA_PARAM
                         ACTIVATION_PARAMS
                         __write_only image2d_t output) { /* IN_OUT [N, H, W, C] */
  const int blk = get_global_id(0);
  const int w = get_global_id(1);
  const int hb = get_global_id(2);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(blk, w, hb)

  const int width = GLOBAL_SIZE_DIM1;
  const int2 arg_coord = (int2)(blk, 0);
#ifdef FOLDED_CONSTANT
  const DATA_TYPE4 new_scale = READ_IMAGET(scale, SAMPLER, arg_coord);
  const DATA_TYPE4 new_offset = READ_IMAGET(offset, SAMPLER, arg_coord);
#else
  const DATA_TYPE4 scale_value = READ_IMAGET(scale, SAMPLER, arg_coord);
  const DATA_TYPE4 offset_value = READ_IMAGET(offset, SAMPLER, arg_coord);
  const DATA_TYPE4 mean_value = READ_IMAGET(mean, SAMPLER, arg_coord);
  const DATA_TYPE4 var_value = READ_IMAGET(var, SAMPLER, arg_coord);
  const DATA_TYPE4 new_scale = scale_value * rsqrt(var_value + (DATA_TYPE4)epsilon);
  const DATA_TYPE4 new_offset = mad(-mean_value, new_scale, offset_value);
#endif

  const int2 coord = (int2)(mad24(blk, width, w), hb);
  const DATA_TYPE4 in = READ_IMAGET(input, SAMPLER, coord);
  const DATA_TYPE4 out = mad(in, new_scale, new_offset);
  WRITE_OUTPUT(output, coord, ACTIVATE(out, blk));
}
