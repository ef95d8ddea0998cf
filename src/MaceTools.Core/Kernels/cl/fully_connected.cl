#include <common.h>

// Fully connected layer: input IN_OUT [N, H, W, I] (flattened as H, W, I), output IN_OUT
// [N, 1, 1, O]. Options: BIAS (adds an ARGUMENT image of O values), USE_* (fused activation).
//
// fully_connected: weight in WEIGHT_HEIGHT layout. Global size {ceil(O/4), N}; each item computes
// four outputs of one batch.
//
// fully_connected_width: weight in WEIGHT_WIDTH layout. Global size {G0, G1, N * ceil(O/4)} with
// local size {G0, G1, L2} (the work-group spans dims 0 and 1): the G0 * G1 items of a slice share
// one block of four outputs, each takes every (G0 * G1)-th input pixel, and the partial sums are
// added in `scratch`, a local buffer of 4 bytes (one float) per work-item of the group.
// NON_QUALCOMM_ADRENO adds with a tree (log steps, a barrier each); the Adreno form lets the
// slice's first item add sequentially (one wave, cheap).

__kernel void fully_connected(OUT_OF_RANGE_PARAMS
                              GLOBAL_WORK_GROUP_SIZE_DIM2
                              __read_only image2d_t input,   /* IN_OUT [N, H, W, I] */
                              __read_only image2d_t weight,  /* WEIGHT_HEIGHT [O, I, H, W] */
#ifdef BIAS
                              __read_only image2d_t bias,    /* ARGUMENT [O] */
#endif
                              PRELU_ALPHA_PARAM
                              __write_only image2d_t output, /* IN_OUT [N, 1, 1, O] */
                              ACTIVATION_PARAMS
                              __private const int input_height,
                              __private const int input_width,
                              __private const int input_channel) {
  const int out_blk = get_global_id(0);
  const int batch = get_global_id(1);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(out_blk, batch)

#ifdef BIAS
  DATA_TYPE4 out = READ_IMAGET(bias, SAMPLER, (int2)(out_blk, 0));
#else
  DATA_TYPE4 out = 0;
#endif

  const int in_blks = (input_channel + 3) >> 2;
  int weight_x = 0;
  for (int h = 0; h < input_height; ++h) {
    const int in_y = mad24(batch, input_height, h);
    for (int w = 0; w < input_width; ++w) {
      for (int blk = 0; blk < in_blks; ++blk) {
        const DATA_TYPE4 in = READ_IMAGET(input, SAMPLER, (int2)(mad24(blk, input_width, w), in_y));
        const DATA_TYPE4 w0 = READ_IMAGET(weight, SAMPLER, (int2)(weight_x, out_blk));
        const DATA_TYPE4 w1 = READ_IMAGET(weight, SAMPLER, (int2)(weight_x + 1, out_blk));
        const DATA_TYPE4 w2 = READ_IMAGET(weight, SAMPLER, (int2)(weight_x + 2, out_blk));
        const DATA_TYPE4 w3 = READ_IMAGET(weight, SAMPLER, (int2)(weight_x + 3, out_blk));
        out = mac4(out, in, w0, w1, w2, w3);
        weight_x += 4;
      }
    }
  }

  WRITE_OUTPUT(output, (int2)(out_blk, batch), ACTIVATE(out, out_blk));
}

__kernel void fully_connected_width(OUT_OF_RANGE_PARAMS
                                    GLOBAL_WORK_GROUP_SIZE_DIM3
                                    __read_only image2d_t input,   /* IN_OUT [N, H, W, I] */
                                    __read_only image2d_t weight,  /* WEIGHT_WIDTH [O, I, H, W] */
#ifdef BIAS
                                    __read_only image2d_t bias,    /* ARGUMENT [O] */
#endif
                                    PRELU_ALPHA_PARAM
                                    __write_only image2d_t output, /* IN_OUT [N, 1, 1, O] */
                                    __local float *scratch,        /* one float per work-item */
                                    ACTIVATION_PARAMS
                                    __private const int input_height,
                                    __private const int input_width,
                                    __private const int in_ch_blks,
                                    __private const int out_blks) {
  const int i0 = get_global_id(0);
  const int i1 = get_global_id(1);
  const int nb = get_global_id(2);
  // No early return: every item of the group has to reach the barriers.
  const int active = IN_GLOBAL_RANGE_DIM3(i0, i1, nb);

  const int l0 = get_local_id(0);
  const int l1 = get_local_id(1);
  const int l2 = get_local_id(2);
  const int group_items = (int)(get_local_size(0) * get_local_size(1));
  const int index = mad24(l1, (int)get_local_size(0), l0);
  const int base = mul24(l2, group_items);

  const int batch = nb / out_blks;
  const int out_blk = nb - mul24(batch, out_blks);
  const int out_c = out_blk << 2;
  // One input row (all channel blocks of one h) is input_width * in_ch_blks pixels wide; the
  // weight image repeats that row once per h, so weight x == position.
  const int row = mul24(input_width, in_ch_blks);
  const int positions = mul24(input_height, row);

  float4 acc = 0;
  if (active) {
    for (int p = index; p < positions; p += group_items) {
      const int h = p / row;
      const int in_x = p - mul24(h, row);
      const float4 in = convert_float4(
          READ_IMAGET(input, SAMPLER, (int2)(in_x, mad24(batch, input_height, h))));
      acc.x += dot(in, convert_float4(READ_IMAGET(weight, SAMPLER, (int2)(p, out_c))));
      acc.y += dot(in, convert_float4(READ_IMAGET(weight, SAMPLER, (int2)(p, out_c + 1))));
      acc.z += dot(in, convert_float4(READ_IMAGET(weight, SAMPLER, (int2)(p, out_c + 2))));
      acc.w += dot(in, convert_float4(READ_IMAGET(weight, SAMPLER, (int2)(p, out_c + 3))));
    }
  }

  float result[4];
  for (int k = 0; k < 4; ++k) {
    scratch[base + index] = k == 0 ? acc.x : (k == 1 ? acc.y : (k == 2 ? acc.z : acc.w));
    barrier(CLK_LOCAL_MEM_FENCE);
#ifdef NON_QUALCOMM_ADRENO
    for (int size = group_items; size > 1;) {
      const int half_size = (size + 1) >> 1;
      if (index < size - half_size) {
        scratch[base + index] += scratch[base + index + half_size];
      }
      barrier(CLK_LOCAL_MEM_FENCE);
      size = half_size;
    }
    result[k] = scratch[base];
#else
    float total = 0.0f;
    if (index == 0) {
      for (int i = 0; i < group_items; ++i) total += scratch[base + i];
    }
    result[k] = total;
#endif
    barrier(CLK_LOCAL_MEM_FENCE);
  }

  if (active && index == 0) {
    DATA_TYPE4 out = CMD_TYPE(convert_, DATA_TYPE4)((float4)(result[0], result[1], result[2], result[3]));
#ifdef BIAS
    out += READ_IMAGET(bias, SAMPLER, (int2)(out_blk, 0));
#endif
    WRITE_OUTPUT(output, (int2)(out_blk, batch), ACTIVATE(out, out_blk));
  }
}
