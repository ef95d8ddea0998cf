#include <common.h>

// Winograd F(2x2, 3x3) and F(4x4, 3x3) for 3x3 convolutions with stride 1 and dilation 1, in MACE's three steps:
//   winograd_transform_<b>x<b>          input tiles d (t x t, t = b + 2) -> V = Bt d B
//   matmul (matmul.cl)                  M[k] = U[k] V[k] for each of the t*t positions k (U: the filter, G g Gt)
//   winograd_inverse_transform_<b>x<b>  Y = At M A (b x b outputs per tile), plus bias and the fused activation
// Matrices (Lavin & Gray): F(2x2, 3x3) with the points 0, 1, -1; F(4x4, 3x3) with the points 0, 1, -1, 2, -2
// (and infinity in both).
//
// Tiles: round_h = ceil(out_height / b), round_w = ceil(out_width / b); tile = (n * round_h + th) * round_w + tw
// covers output rows th*b .. th*b+b-1 and columns tw*b .. tw*b+b-1 (those past the output are computed and dropped).
// The transformed tensors are IN_OUT_HEIGHT images of shape [t*t, C, tiles, 1]: width = tiles,
// height = t*t * ceil(C/4); pixel (tile, k * ceil(C/4) + cb) = channels 4cb..4cb+3 at position k = i * t + j.

#define WINO_C(x) ((DATA_TYPE)(x))

// In place, x -> Bt x for the t values v[0], v[s], ..., v[(t-1)s].
inline void wino_bt(DATA_TYPE4 *v, const int s, const int blk) {
  if (blk == 2) {
    const DATA_TYPE4 x0 = v[0], x1 = v[s], x2 = v[2 * s], x3 = v[3 * s];
    v[0] = x0 - x2;
    v[s] = x1 + x2;
    v[2 * s] = x2 - x1;
    v[3 * s] = x1 - x3;
  } else {
    const DATA_TYPE4 x0 = v[0], x1 = v[s], x2 = v[2 * s], x3 = v[3 * s], x4 = v[4 * s], x5 = v[5 * s];
    v[0] = WINO_C(4) * x0 - WINO_C(5) * x2 + x4;
    v[s] = x3 + x4 - WINO_C(4) * (x1 + x2);
    v[2 * s] = WINO_C(4) * (x1 - x2) + x4 - x3;
    v[3 * s] = WINO_C(2) * (x3 - x1) + x4 - x2;
    v[4 * s] = WINO_C(2) * (x1 - x3) + x4 - x2;
    v[5 * s] = WINO_C(4) * x1 - WINO_C(5) * x3 + x5;
  }
}

// out[0], out[os], ..., out[(b-1)os] = At x for the t values v[0], v[s], ..., v[(t-1)s].
inline void wino_at(const DATA_TYPE4 *v, const int s, DATA_TYPE4 *out, const int os, const int blk) {
  if (blk == 2) {
    const DATA_TYPE4 x0 = v[0], x1 = v[s], x2 = v[2 * s], x3 = v[3 * s];
    out[0] = x0 + x1 + x2;
    out[os] = x1 - x2 - x3;
  } else {
    const DATA_TYPE4 x0 = v[0], x5 = v[5 * s];
    const DATA_TYPE4 p1 = v[s] + v[2 * s], m1 = v[s] - v[2 * s];
    const DATA_TYPE4 p2 = v[3 * s] + v[4 * s], m2 = v[3 * s] - v[4 * s];
    out[0] = x0 + p1 + p2;
    out[os] = m1 + WINO_C(2) * m2;
    out[2 * os] = p1 + WINO_C(4) * p2;
    out[3 * os] = m1 + WINO_C(8) * m2 + x5;
  }
}

// d (t*t values, row-major) = Bt d B of the input tile of `tile` in channel block cb; pixels outside the input
// (padding, or rows and columns of the last tiles past the input) read as 0.
inline void wino_input_tile(__read_only image2d_t input, DATA_TYPE4 *d, const int blk, const int tile, const int cb,
                            const int in_height, const int in_width, const int round_hw, const int round_w,
                            const int padding_top, const int padding_left) {
  const int t = blk + 2;
  const int batch = tile / round_hw;
  const int r = tile - mul24(batch, round_hw);
  const int th = r / round_w;
  const int tw = r - mul24(th, round_w);
  const int h0 = mad24(th, blk, -padding_top);
  const int w0 = mad24(tw, blk, -padding_left);
  for (int i = 0; i < t; ++i)
    for (int j = 0; j < t; ++j)
      d[mad24(i, t, j)] = read_in_out(input, cb, w0 + j, h0 + i, batch, in_width, in_height);
  for (int j = 0; j < t; ++j) wino_bt(d + j, t, blk);       // columns: Bt d
  for (int i = 0; i < t; ++i) wino_bt(d + mul24(i, t), 1, blk);  // rows: (Bt d) B
}

// y (b*b values, row-major) = At m A; tmp holds b*t values.
inline void wino_output_tile(const DATA_TYPE4 *m, DATA_TYPE4 *tmp, DATA_TYPE4 *y, const int blk) {
  const int t = blk + 2;
  for (int j = 0; j < t; ++j) wino_at(m + j, t, tmp + j, t, blk);                // columns: At m
  for (int i = 0; i < blk; ++i) wino_at(tmp + mul24(i, t), 1, y + mul24(i, blk), 1, blk);  // rows: (At m) A
}

// ---- Input transform: IN_OUT [N, in_height, in_width, C] -> IN_OUT_HEIGHT [t*t, C, tiles, 1] -----------------
// Global size {tiles, ceil(C/4)}.

__kernel void winograd_transform_2x2(OUT_OF_RANGE_PARAMS
                                     GLOBAL_WORK_GROUP_SIZE_DIM2
                                     __read_only image2d_t input,   /* IN_OUT [N, in_height, in_width, C] */
                                     __write_only image2d_t output, /* IN_OUT_HEIGHT [16, C, tiles, 1] */
                                     __private const int in_height,
                                     __private const int in_width,
                                     __private const int in_channel,
                                     __private const int round_hw,
                                     __private const int round_w,
                                     __private const int padding_top,
                                     __private const int padding_left) {
  const int tile = get_global_id(0);
  const int cb = get_global_id(1);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(tile, cb)

  DATA_TYPE4 d[16];
  wino_input_tile(input, d, 2, tile, cb, in_height, in_width, round_hw, round_w, padding_top, padding_left);
  const int blocks = (in_channel + 3) >> 2;
  for (int k = 0; k < 16; ++k) WRITE_OUTPUT(output, (int2)(tile, mad24(k, blocks, cb)), d[k]);
}

__kernel void winograd_transform_4x4(OUT_OF_RANGE_PARAMS
                                     GLOBAL_WORK_GROUP_SIZE_DIM2
                                     __read_only image2d_t input,   /* IN_OUT [N, in_height, in_width, C] */
                                     __write_only image2d_t output, /* IN_OUT_HEIGHT [36, C, tiles, 1] */
                                     __private const int in_height,
                                     __private const int in_width,
                                     __private const int in_channel,
                                     __private const int round_hw,
                                     __private const int round_w,
                                     __private const int padding_top,
                                     __private const int padding_left) {
  const int tile = get_global_id(0);
  const int cb = get_global_id(1);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(tile, cb)

  DATA_TYPE4 d[36];
  wino_input_tile(input, d, 4, tile, cb, in_height, in_width, round_hw, round_w, padding_top, padding_left);
  const int blocks = (in_channel + 3) >> 2;
  for (int k = 0; k < 36; ++k) WRITE_OUTPUT(output, (int2)(tile, mad24(k, blocks, cb)), d[k]);
}

// ---- Inverse transform: IN_OUT_HEIGHT [t*t, O, tiles, 1] -> IN_OUT [N, out_height, out_width, O] ----------------
// Global size {tiles, ceil(O/4)}. Options: BIAS (an ARGUMENT image of O values), USE_* (fused activation). The
// activation parameters (ACTIVATION_PARAMS of common.h) come last, as in MACE's argument order.

__kernel void winograd_inverse_transform_2x2(OUT_OF_RANGE_PARAMS
                                             GLOBAL_WORK_GROUP_SIZE_DIM2
                                             __read_only image2d_t input,   /* IN_OUT_HEIGHT [16, O, tiles, 1] */
#ifdef BIAS
                                             __read_only image2d_t bias,    /* ARGUMENT [O] */
#endif
                                             PRELU_ALPHA_PARAM
                                             __write_only image2d_t output, /* IN_OUT [N, out_height, out_width, O] */
                                             __private const int out_height,
                                             __private const int out_width,
                                             __private const int round_hw,
                                             __private const int round_w,
                                             __private const float relux_max_limit,
                                             __private const float activation_coefficient,
                                             __private const float activation_beta) {
  const int tile = get_global_id(0);
  const int ob = get_global_id(1);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(tile, ob)

  const int blocks = get_image_height(input) / 16;
  DATA_TYPE4 m[16], tmp[8], y[4];
  for (int k = 0; k < 16; ++k) m[k] = READ_IMAGET(input, SAMPLER, (int2)(tile, mad24(k, blocks, ob)));
  wino_output_tile(m, tmp, y, 2);

#ifdef BIAS
  const DATA_TYPE4 bias_value = READ_IMAGET(bias, SAMPLER, (int2)(ob, 0));
#else
  const DATA_TYPE4 bias_value = 0;
#endif
  const int batch = tile / round_hw;
  const int r = tile - mul24(batch, round_hw);
  const int th = r / round_w;
  const int h0 = th << 1;
  const int w0 = (r - mul24(th, round_w)) << 1;
  for (int i = 0; i < 2 && h0 + i < out_height; ++i)
    for (int j = 0; j < 2 && w0 + j < out_width; ++j)
      WRITE_OUTPUT(output, (int2)(mad24(ob, out_width, w0 + j), mad24(batch, out_height, h0 + i)),
                   ACTIVATE(y[mad24(i, 2, j)] + bias_value, ob));
}

__kernel void winograd_inverse_transform_4x4(OUT_OF_RANGE_PARAMS
                                             GLOBAL_WORK_GROUP_SIZE_DIM2
                                             __read_only image2d_t input,   /* IN_OUT_HEIGHT [36, O, tiles, 1] */
#ifdef BIAS
                                             __read_only image2d_t bias,    /* ARGUMENT [O] */
#endif
                                             PRELU_ALPHA_PARAM
                                             __write_only image2d_t output, /* IN_OUT [N, out_height, out_width, O] */
                                             __private const int out_height,
                                             __private const int out_width,
                                             __private const int round_hw,
                                             __private const int round_w,
                                             __private const float relux_max_limit,
                                             __private const float activation_coefficient,
                                             __private const float activation_beta) {
  const int tile = get_global_id(0);
  const int ob = get_global_id(1);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(tile, ob)

  const int blocks = get_image_height(input) / 36;
  DATA_TYPE4 m[36], tmp[24], y[16];
  for (int k = 0; k < 36; ++k) m[k] = READ_IMAGET(input, SAMPLER, (int2)(tile, mad24(k, blocks, ob)));
  wino_output_tile(m, tmp, y, 4);

#ifdef BIAS
  const DATA_TYPE4 bias_value = READ_IMAGET(bias, SAMPLER, (int2)(ob, 0));
#else
  const DATA_TYPE4 bias_value = 0;
#endif
  const int batch = tile / round_hw;
  const int r = tile - mul24(batch, round_hw);
  const int th = r / round_w;
  const int h0 = th << 2;
  const int w0 = (r - mul24(th, round_w)) << 2;
  for (int i = 0; i < 4 && h0 + i < out_height; ++i)
    for (int j = 0; j < 4 && w0 + j < out_width; ++j)
      WRITE_OUTPUT(output, (int2)(mad24(ob, out_width, w0 + j), mad24(batch, out_height, h0 + i)),
                   ACTIVATE(y[mad24(i, 4, j)] + bias_value, ob));
}
