#include <common.h>

// Element-wise binary (or unary) operation on IN_OUT images.
// Global size {ceil(C/4), W, N * H}; each item computes one pixel (four channels).
//
// ELTWISE_TYPE: SUM=0 SUB=1 PROD=2 DIV=3 MIN=4 MAX=5 NEG=6 ABS=7 SQR_DIFF=8 POW=9 EQUAL=10
//               FLOOR_DIV=11 CLIP=12 SIGN=13 NONE=14 NOT_EQUAL=15
// How input1 is read (input0 is always the full [N, H, W, C] tensor):
//   INPUT_SCALAR          the scalar `value` (input1 is not read)
//   INPUT_BATCH_VECTOR    [N, 1, 1, C]: image width ceil(C/4), height N
//   INPUT_VECTOR          [C]: ARGUMENT image
//   INPUT_TENSOR_BC_CHAN  [N, H, W, 1]: image width W, height N * H, lane x broadcast
//   (none)                [N, H, W, C], same layout as input0
// Older MACE passes INPUT_TYPE=1..4 for the same four cases, in that order.
// SWAPPED: the operation is input1 op input0 (for the non-commutative ones).
// COEFF_SUM: SUM computes coeff0 * in0 + coeff1 * in1. CLIP clamps in0 to [coeff0, coeff1].
// NOT_DIVISIBLE_FOUR: C % 4 != 0; the padding lanes of the last block are written as 0.

#ifdef INPUT_TYPE
#if INPUT_TYPE == 1 && !defined(INPUT_SCALAR)
#define INPUT_SCALAR
#elif INPUT_TYPE == 2 && !defined(INPUT_BATCH_VECTOR)
#define INPUT_BATCH_VECTOR
#elif INPUT_TYPE == 3 && !defined(INPUT_VECTOR)
#define INPUT_VECTOR
#elif INPUT_TYPE == 4 && !defined(INPUT_TENSOR_BC_CHAN)
#define INPUT_TENSOR_BC_CHAN
#endif
#endif

#ifndef ELTWISE_TYPE
#define ELTWISE_TYPE 0
#endif

__kernel void eltwise(OUT_OF_RANGE_PARAMS
                      GLOBAL_WORK_GROUP_SIZE_DIM3
                      __read_only image2d_t input0,  /* IN_OUT [N, H, W, C] */
                      __read_only image2d_t input1,  /* see above */
                      __private const float value,   /* INPUT_SCALAR */
                      __private const int height,
                      __private const int width,
                      __private const int channel,
                      __private const float coeff0,
                      __private const float coeff1,
                      __write_only image2d_t output) { /* IN_OUT [N, H, W, C] */
  const int blk = get_global_id(0);
  const int w = get_global_id(1);
  const int hb = get_global_id(2);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(blk, w, hb)

  const int pos = mad24(blk, width, w);
  DATA_TYPE4 in0 = READ_IMAGET(input0, SAMPLER, (int2)(pos, hb));
#if defined(INPUT_SCALAR)
  DATA_TYPE4 in1 = (DATA_TYPE4)((DATA_TYPE)value);
#elif defined(INPUT_BATCH_VECTOR)
  const int batch = hb / height;
  DATA_TYPE4 in1 = READ_IMAGET(input1, SAMPLER, (int2)(blk, batch));
#elif defined(INPUT_VECTOR)
  DATA_TYPE4 in1 = READ_IMAGET(input1, SAMPLER, (int2)(blk, 0));
#elif defined(INPUT_TENSOR_BC_CHAN)
  DATA_TYPE4 in1 = (DATA_TYPE4)(READ_IMAGET(input1, SAMPLER, (int2)(w, hb)).x);
#else
  DATA_TYPE4 in1 = READ_IMAGET(input1, SAMPLER, (int2)(pos, hb));
#endif

#ifdef SWAPPED
  const DATA_TYPE4 swap = in0;
  in0 = in1;
  in1 = swap;
#endif

  DATA_TYPE4 out;
#if ELTWISE_TYPE == 0
#ifdef COEFF_SUM
  out = mad((DATA_TYPE4)((DATA_TYPE)coeff0), in0, (DATA_TYPE4)((DATA_TYPE)coeff1) * in1);
#else
  out = in0 + in1;
#endif
#elif ELTWISE_TYPE == 1
  out = in0 - in1;
#elif ELTWISE_TYPE == 2
  out = in0 * in1;
#elif ELTWISE_TYPE == 3
  out = in0 / in1;
#elif ELTWISE_TYPE == 4
  out = fmin(in0, in1);
#elif ELTWISE_TYPE == 5
  out = fmax(in0, in1);
#elif ELTWISE_TYPE == 6
  out = -in0;
#elif ELTWISE_TYPE == 7
  out = fabs(in0);
#elif ELTWISE_TYPE == 8
  const DATA_TYPE4 diff = in0 - in1;
  out = diff * diff;
#elif ELTWISE_TYPE == 9
  out = pow(in0, in1);
#elif ELTWISE_TYPE == 10
  out = select((DATA_TYPE4)0, (DATA_TYPE4)1, in0 == in1);
#elif ELTWISE_TYPE == 11
  out = floor(in0 / in1);
#elif ELTWISE_TYPE == 12
  out = clamp(in0, (DATA_TYPE4)((DATA_TYPE)coeff0), (DATA_TYPE4)((DATA_TYPE)coeff1));
#elif ELTWISE_TYPE == 13
  out = sign(in0);
#elif ELTWISE_TYPE == 14
  out = in0;
#elif ELTWISE_TYPE == 15
  out = select((DATA_TYPE4)0, (DATA_TYPE4)1, in0 != in1);
#else
#error "unknown ELTWISE_TYPE"
#endif

#ifdef NOT_DIVISIBLE_FOUR
  out = zero_lanes_from(out, channel - (blk << 2));
#endif

  WRITE_OUTPUT(output, (int2)(pos, hb), out);
}
