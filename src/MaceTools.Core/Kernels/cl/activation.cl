#include <common.h>

// Element-wise activation of an IN_OUT image.
// Global size {ceil(C/4), W, N * H}; each item maps one pixel (four channels).
// Options: exactly one of USE_RELU, USE_RELUX, USE_PRELU, USE_TANH, USE_SIGMOID, USE_LEAKYRELU,
// USE_ELU, USE_HARDSIGMOID, USE_HARDSWISH (none copies the input). With USE_PRELU the kernel takes an ARGUMENT image of C slopes.
__kernel void activation(OUT_OF_RANGE_PARAMS
                         GLOBAL_WORK_GROUP_SIZE_DIM3
                         __read_only image2d_t input,   /* IN_OUT [N, H, W, C] */
                         PRELU_ALPHA_PARAM
                         ACTIVATION_PARAMS
                         __write_only image2d_t output) { /* IN_OUT [N, H, W, C] */
  const int blk = get_global_id(0);
  const int w = get_global_id(1);
  const int hb = get_global_id(2);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(blk, w, hb)

  const int width = GLOBAL_SIZE_DIM1;
  const int2 coord = (int2)(mad24(blk, width, w), hb);
  const DATA_TYPE4 in = READ_IMAGET(input, SAMPLER, coord);
  WRITE_OUTPUT(output, coord, ACTIVATE(in, blk));
}
