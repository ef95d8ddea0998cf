#include <common.h>

// Reduction of an IN_OUT image over H and W, per channel; output [N, 1, 1, C].
// REDUCE_TYPE: MEAN=0 MIN=1 MAX=2 PROD=3 SUM=4.
//
// reduce_hw (MACE v1.1): reduces in passes of 16x16 tiles. Global size {out_width, out_height,
// N * ceil(C/4)}, out = ceil(in / 16) until one pixel is left; each item reduces one tile. MEAN keeps
// sums until the last pass, which divides by org_height * org_width. MACE v1.1.1 always passes
// NOT_DIVISIBLE_FOUR to this kernel (a default argument), and it changes nothing here.
//
// NOT_DIVISIBLE_FOUR (reduce): C % 4 != 0; the padding lanes of the last output block are written as 0.
//
// reduce_c (MACE v1.1): reduction over the channels of each pixel, output [N, H, W, 1]. Global size
// {out_blocks, W, N * H}; item (ob, w, nh) folds channel blocks [ob * tile, ob * tile + tile) of its pixel
// lane-wise, tile = ceil(in_blocks / out_blocks) (the last item takes what is left). Passes of at most 16
// blocks: an intermediate pass writes out_blocks partial blocks; the last pass (out_blocks == 1) folds the
// four lanes into one value (MEAN divides by `channels`) and writes (v, 0, 0, 0). NOT_DIVISIBLE_FOUR
// (C % 4 != 0): the last block's padding lanes become the reduction's identity before folding. MACE does
// this for MIN, MAX and PROD only and lets MEAN and SUM count on zero padding, which an activation such as
// sigmoid does not leave; here every type masks them (same options, same results on zero padding).
//
// reduce: global size {G0, G1, N * ceil(C/4)} with local size {G0, G1, L2}: the G0 * G1 items of
// a work-group slice share one channel block, each scans every (G0 * G1)-th position, and the
// partial results are combined in `scratch`, a local buffer of 4 bytes (one float) per work-item
// of the group. NON_QUALCOMM_ADRENO combines with a tree (log steps, a barrier each); the Adreno
// form lets the slice's first item combine sequentially (one wave, cheap).

#ifndef REDUCE_TYPE
#define REDUCE_TYPE 0
#endif

#if REDUCE_TYPE == 0 || REDUCE_TYPE == 4
#define REDUCE_INIT 0.0f
#define REDUCE_OP(a, b) ((a) + (b))
#elif REDUCE_TYPE == 1
#define REDUCE_INIT MAXFLOAT
#define REDUCE_OP(a, b) fmin((a), (b))
#elif REDUCE_TYPE == 2
#define REDUCE_INIT (-MAXFLOAT)
#define REDUCE_OP(a, b) fmax((a), (b))
#elif REDUCE_TYPE == 3
#define REDUCE_INIT 1.0f
#define REDUCE_OP(a, b) ((a) * (b))
#else
#error "unknown REDUCE_TYPE"
#endif

// The final value: MEAN divides by the number of positions.
inline float4 reduce_finish(float4 acc, int count, int valid_lanes) {
#if REDUCE_TYPE == 0
  acc = acc / (float)count;
#endif
#ifdef NOT_DIVISIBLE_FOUR
  if (valid_lanes < 4) acc.w = 0;
  if (valid_lanes < 3) acc.z = 0;
  if (valid_lanes < 2) acc.y = 0;
#endif
  return acc;
}

__kernel void reduce_hw(OUT_OF_RANGE_PARAMS
                        GLOBAL_WORK_GROUP_SIZE_DIM3
                        __read_only image2d_t input,   /* IN_OUT [N, in_height, in_width, C] */
                        __private const int out_height,
                        __private const int out_width,
                        __private const int in_height,
                        __private const int in_width,
                        __private const int org_height,
                        __private const int org_width,
                        __private const int channel_blocks,
                        __write_only image2d_t output) { /* IN_OUT [N, out_height, out_width, C] */
  const int ow = get_global_id(0);
  const int oh = get_global_id(1);
  const int nb = get_global_id(2);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(ow, oh, nb)

  const int batch = nb / channel_blocks;
  const int blk = nb - mul24(batch, channel_blocks);
  // Each output pixel reduces a 16x16 tile, or the whole plane in a one-pixel pass.
  const int tile_h = out_height == 1 ? in_height : 16;
  const int tile_w = out_width == 1 ? in_width : 16;
  const int h0 = mul24(oh, tile_h);
  const int w0 = mul24(ow, tile_w);
  const int h1 = min(h0 + tile_h, in_height);
  const int w1 = min(w0 + tile_w, in_width);
  const int in_x0 = mul24(blk, in_width);
  const int in_y0 = mul24(batch, in_height);
  float4 acc = (float4)REDUCE_INIT;
  for (int h = h0; h < h1; ++h) {
    for (int w = w0; w < w1; ++w) {
      const float4 v = convert_float4(READ_IMAGET(input, SAMPLER, (int2)(in_x0 + w, in_y0 + h)));
      acc = REDUCE_OP(acc, v);
    }
  }
#if REDUCE_TYPE == 0
  // Partial passes keep sums; the last pass (one output pixel) divides by the original plane.
  if (out_height == 1 && out_width == 1) acc = acc / (float)mul24(org_height, org_width);
#endif
  WRITE_OUTPUT(output, (int2)(mad24(blk, out_width, ow), mad24(batch, out_height, oh)),
               CMD_TYPE(convert_, DATA_TYPE4)(acc));
}

__kernel void reduce(OUT_OF_RANGE_PARAMS
                     GLOBAL_WORK_GROUP_SIZE_DIM3
                     __read_only image2d_t input,   /* IN_OUT [N, H, W, C] */
                     __local float *scratch,        /* one float per work-item */
                     __private const int in_height,
                     __private const int in_width,
                     __private const int channels,
                     __write_only image2d_t output) { /* IN_OUT [N, 1, 1, C] */
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

  const int blocks = (channels + 3) >> 2;
  const int batch = nb / blocks;
  const int blk = nb - mul24(batch, blocks);
  const int in_x0 = mul24(blk, in_width);
  const int in_y0 = mul24(batch, in_height);
  const int positions = mul24(in_height, in_width);

  float4 acc = (float4)REDUCE_INIT;
  if (active) {
    for (int p = index; p < positions; p += group_items) {
      const int h = p / in_width;
      const int w = p - mul24(h, in_width);
      const float4 v = convert_float4(READ_IMAGET(input, SAMPLER, (int2)(in_x0 + w, in_y0 + h)));
      acc = REDUCE_OP(acc, v);
    }
  }

  float result[4];
  for (int k = 0; k < 4; ++k) {
    const float mine = k == 0 ? acc.x : (k == 1 ? acc.y : (k == 2 ? acc.z : acc.w));
    scratch[base + index] = mine;
    barrier(CLK_LOCAL_MEM_FENCE);
#ifdef NON_QUALCOMM_ADRENO
    for (int size = group_items; size > 1;) {
      const int half_size = (size + 1) >> 1;
      if (index < size - half_size) {
        scratch[base + index] = REDUCE_OP(scratch[base + index], scratch[base + index + half_size]);
      }
      barrier(CLK_LOCAL_MEM_FENCE);
      size = half_size;
    }
    result[k] = scratch[base];
#else
    float total = REDUCE_INIT;
    if (index == 0) {
      for (int i = 0; i < group_items; ++i) total = REDUCE_OP(total, scratch[base + i]);
    }
    result[k] = total;
#endif
    barrier(CLK_LOCAL_MEM_FENCE);
  }

  if (active && index == 0) {
    float4 out = (float4)(result[0], result[1], result[2], result[3]);
    out = reduce_finish(out, positions, channels - (blk << 2));
    WRITE_OUTPUT(output, (int2)(blk, batch), CMD_TYPE(convert_, DATA_TYPE4)(out));
  }
}

__kernel void reduce_c(OUT_OF_RANGE_PARAMS
                       GLOBAL_WORK_GROUP_SIZE_DIM3
                       __read_only image2d_t input,   /* IN_OUT [N, H, W, 4 * in_ch_blks] */
                       __private const int height,
                       __private const int width,
                       __private const int channels,
                       __private const int channel_blocks,
                       __private const int in_ch_blks,
                       __write_only image2d_t output) { /* IN_OUT [N, H, W, 4 * out_blocks] or [N, H, W, 1] */
  const int ob = get_global_id(0);
  const int w = get_global_id(1);
  const int nh = get_global_id(2);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(ob, w, nh)

  const int out_blocks = GLOBAL_SIZE_DIM0;
  const int batch = nh / height;
  const int h = nh - mul24(batch, height);
  const int tile = (in_ch_blks + out_blocks - 1) / out_blocks;
  const int first = mul24(tile, ob);
  const int last = ob == out_blocks - 1 ? in_ch_blks : min(first + tile, in_ch_blks);
  const int y = mad24(batch, height, h);
  float4 acc = (float4)REDUCE_INIT;
  for (int blk = first; blk < last; ++blk) {
    float4 v = convert_float4(READ_IMAGET(input, SAMPLER, (int2)(mad24(blk, width, w), y)));
#ifdef NOT_DIVISIBLE_FOUR
    if (blk == channel_blocks - 1) {
      const int valid = channels - (blk << 2);
      if (valid < 4) v.w = REDUCE_INIT;
      if (valid < 3) v.z = REDUCE_INIT;
      if (valid < 2) v.y = REDUCE_INIT;
    }
#endif
    acc = REDUCE_OP(acc, v);
  }
  if (out_blocks == 1) {
    float r = REDUCE_OP(REDUCE_OP(acc.x, acc.y), REDUCE_OP(acc.z, acc.w));
#if REDUCE_TYPE == 0
    r = r / (float)channels;
#endif
    acc = (float4)(r, 0, 0, 0);
  }
  WRITE_OUTPUT(output, (int2)(mad24(ob, width, w), y), CMD_TYPE(convert_, DATA_TYPE4)(acc));
}
