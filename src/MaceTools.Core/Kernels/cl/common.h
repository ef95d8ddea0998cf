// MaceTools OpenCL kernels: shared definitions.
//
// Written for MaceTools (not taken from MACE). The programs follow MACE's program names, kernel
// names, build options and image layouts so that the program keys found in real MACE cache files
// build from them. Every .cl file includes this header exactly once; MaceTools assembles the
// source the way the MACE version in question does (see KernelSourceSet.Assemble).
//
// Build options honoured here (MACE passes them, see mace-formats.md 3.1 and 3.6):
//   DATA_TYPE=float|half, CMD_DATA_TYPE=f|h   element type and the read_image/write_image suffix
//   NON_UNIFORM_WORK_GROUP                    without it, kernels take the global sizes as leading
//                                             arguments and items past them return early
//   OUT_OF_RANGE_CHECK                        kernels take a flag buffer and report bad writes
//   USE_RELU USE_RELUX USE_PRELU USE_TANH USE_SIGMOID USE_LEAKYRELU USE_ELU   fused activation
//   USE_HARDSIGMOID USE_HARDSWISH             (MaceTools additions for MobileNetV3-style models)
//
// Image layouts (all images are 2-D, RGBA, 4 channels per pixel):
//   IN_OUT          NHWC tensor; width = W * ceil(C/4), height = N * H;
//                   pixel (cb * W + w, n * H + h) = channels 4cb..4cb+3 of (n, h, w).
//   CONV2D_FILTER   OIHW buffer; width = I, height = ceil(O/4) * KH * KW;
//                   pixel (i, ob * KH * KW + kh * KW + kw) = filter[4ob..4ob+3][i][kh][kw].
//   DW_CONV2D_FILTER  MIHW buffer (M = multiplier); width = KH * KW, height = M * ceil(I/4);
//                   pixel (kh * KW + kw, m * ceil(I/4) + cb) = filter[m][4cb..4cb+3][kh][kw].
//   ARGUMENT        1-D buffer of C values; width = ceil(C/4), height = 1.
//   WEIGHT_WIDTH    OIHW fully-connected weight; width = H * W * ceil(I/4), height = O;
//                   pixel (h * W * ceil(I/4) + cb * W + w, o) = weight[o][4cb..4cb+3][h][w].
//   WEIGHT_HEIGHT   OIHW fully-connected weight; width = H * W * 4 * ceil(I/4), height = ceil(O/4);
//                   pixel (((h * W + w) * ceil(I/4) + cb) * 4 + k, ob) = weight[4ob..4ob+3][4cb+k][h][w].
// Lanes past the last real channel hold 0.

#ifndef MACETOOLS_KERNELS_CL_COMMON_H_
#define MACETOOLS_KERNELS_CL_COMMON_H_

// Only where the device has it: an unconditional pragma is a warning (an error under -Werror) on
// devices without half support, such as pocl.
#ifdef cl_khr_fp16
#pragma OPENCL EXTENSION cl_khr_fp16 : enable
#endif

#ifndef DATA_TYPE
#define DATA_TYPE float
#endif
#ifndef CMD_DATA_TYPE
#define CMD_DATA_TYPE f
#endif

#define MT_CONCAT_(a, b) a##b
#define MT_CONCAT(a, b) MT_CONCAT_(a, b)

#define VEC_DATA_TYPE(type, size) MT_CONCAT(type, size)
#define DATA_TYPE2 VEC_DATA_TYPE(DATA_TYPE, 2)
#define DATA_TYPE4 VEC_DATA_TYPE(DATA_TYPE, 4)

// CMD_TYPE(read_image, CMD_DATA_TYPE) -> read_imagef / read_imageh.
#define CMD_TYPE(cmd, type) MT_CONCAT(cmd, type)
#define READ_IMAGET CMD_TYPE(read_image, CMD_DATA_TYPE)
#define WRITE_IMAGET CMD_TYPE(write_image, CMD_DATA_TYPE)

// Out-of-range x or y (e.g. -1) reads as 0 through this sampler.
__constant sampler_t SAMPLER = CLK_NORMALIZED_COORDS_FALSE | CLK_ADDRESS_CLAMP | CLK_FILTER_NEAREST;

// ---------------------------------------------------------------------------------------------
// Global work size guards. Devices without non-uniform work-groups get a global size rounded up
// to a multiple of the local size, so the kernel is told the real size and skips the extra items.
#ifndef NON_UNIFORM_WORK_GROUP

#define GLOBAL_WORK_GROUP_SIZE_DIM2 \
  __private const int global_size_dim0, __private const int global_size_dim1,
#define GLOBAL_WORK_GROUP_SIZE_DIM3 \
  __private const int global_size_dim0, __private const int global_size_dim1, \
  __private const int global_size_dim2,
#define GLOBAL_SIZE_DIM0 global_size_dim0
#define GLOBAL_SIZE_DIM1 global_size_dim1
#define GLOBAL_SIZE_DIM2 global_size_dim2
#define IN_GLOBAL_RANGE_DIM2(i0, i1) ((i0) < global_size_dim0 && (i1) < global_size_dim1)
#define IN_GLOBAL_RANGE_DIM3(i0, i1, i2) \
  ((i0) < global_size_dim0 && (i1) < global_size_dim1 && (i2) < global_size_dim2)
#define RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(i0, i1) \
  if (!IN_GLOBAL_RANGE_DIM2(i0, i1)) { return; }
#define RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(i0, i1, i2) \
  if (!IN_GLOBAL_RANGE_DIM3(i0, i1, i2)) { return; }

#else

#define GLOBAL_WORK_GROUP_SIZE_DIM2
#define GLOBAL_WORK_GROUP_SIZE_DIM3
#define GLOBAL_SIZE_DIM0 ((int)get_global_size(0))
#define GLOBAL_SIZE_DIM1 ((int)get_global_size(1))
#define GLOBAL_SIZE_DIM2 ((int)get_global_size(2))
#define IN_GLOBAL_RANGE_DIM2(i0, i1) (1)
#define IN_GLOBAL_RANGE_DIM3(i0, i1, i2) (1)
#define RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(i0, i1)
#define RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(i0, i1, i2)

#endif

// ---------------------------------------------------------------------------------------------
// Optional write checks (MACE_OUT_OF_RANGE_CHECK=1 adds -DOUT_OF_RANGE_CHECK). The host passes a
// zeroed flag buffer; a kernel that writes outside its output sets it to 1.
#ifdef OUT_OF_RANGE_CHECK

#define OUT_OF_RANGE_PARAMS __global int *oorc_flag,
#define BUFFER_OUT_OF_RANGE_PARAMS \
  __global int *oorc_flag, __private const int oorc_output_length,

inline void check_out_of_range_for_image2d(__write_only image2d_t image, int x, int y,
                                           __global int *flag) {
  if (x < 0 || y < 0 || x >= get_image_width(image) || y >= get_image_height(image)) {
    *flag = 1;
  }
}

#define CHECK_OUT_OF_RANGE_FOR_IMAGE2D(image, coord) \
  check_out_of_range_for_image2d(image, (coord).x, (coord).y, oorc_flag);
#define CHECK_OUT_OF_RANGE_FOR_BUFFER(index) \
  if ((index) < 0 || (index) >= oorc_output_length) { *oorc_flag = 1; }

#else

#define OUT_OF_RANGE_PARAMS
#define BUFFER_OUT_OF_RANGE_PARAMS
#define CHECK_OUT_OF_RANGE_FOR_IMAGE2D(image, coord)
#define CHECK_OUT_OF_RANGE_FOR_BUFFER(index)

#endif

// Writes one pixel of an output image, checked when OUT_OF_RANGE_CHECK is on.
#define WRITE_OUTPUT(image, coord, value) \
  do { \
    const int2 mt_wcoord = (coord); \
    CHECK_OUT_OF_RANGE_FOR_IMAGE2D(image, mt_wcoord) \
    WRITE_IMAGET(image, mt_wcoord, value); \
  } while (0)

// ---------------------------------------------------------------------------------------------
// Fused activation. Kernels that can fuse one take ACTIVATION_PARAMS (always) and, with USE_PRELU,
// PRELU_ALPHA_PARAM: an ARGUMENT image of per-channel slopes.
#define ACTIVATION_PARAMS \
  __private const float relux_max_limit, __private const float activation_coefficient, \
  __private const float activation_beta,

#ifdef USE_PRELU
#define PRELU_ALPHA_PARAM __read_only image2d_t prelu_alpha,
#define READ_PRELU_ALPHA(channel_block) READ_IMAGET(prelu_alpha, SAMPLER, (int2)((channel_block), 0))
#else
#define PRELU_ALPHA_PARAM
#define READ_PRELU_ALPHA(channel_block) ((DATA_TYPE4)0)
#endif

// alpha: PRELU slopes of the four channels; relux_max_limit: RELUX upper bound;
// coefficient: LEAKYRELU slope, ELU alpha, or HARDSIGMOID/HARDSWISH alpha; beta: their beta.
// MaceTools.Kernels.Activation.Apply is the C# statement of the same functions.
inline DATA_TYPE4 do_activation(DATA_TYPE4 in, DATA_TYPE4 alpha, float relux_max_limit,
                                float coefficient, float beta) {
  DATA_TYPE4 out;
#if defined(USE_RELU)
  out = fmax(in, (DATA_TYPE)0);
#elif defined(USE_RELUX)
  out = clamp(in, (DATA_TYPE)0, (DATA_TYPE)relux_max_limit);
#elif defined(USE_PRELU)
  out = select(alpha * in, in, in >= (DATA_TYPE4)0);
#elif defined(USE_TANH)
  out = tanh(in);
#elif defined(USE_SIGMOID)
  out = (DATA_TYPE4)1 / ((DATA_TYPE4)1 + exp(-in));
#elif defined(USE_LEAKYRELU)
  out = select((DATA_TYPE)coefficient * in, in, in >= (DATA_TYPE4)0);
#elif defined(USE_ELU)
  out = select((DATA_TYPE)coefficient * (exp(in) - (DATA_TYPE4)1), in, in >= (DATA_TYPE4)0);
#elif defined(USE_HARDSIGMOID)
  out = clamp(mad((DATA_TYPE4)((DATA_TYPE)coefficient), in, (DATA_TYPE4)((DATA_TYPE)beta)), (DATA_TYPE)0, (DATA_TYPE)1);
#elif defined(USE_HARDSWISH)
  out = in * clamp(mad((DATA_TYPE4)((DATA_TYPE)coefficient), in, (DATA_TYPE4)((DATA_TYPE)beta)), (DATA_TYPE)0, (DATA_TYPE)1);
#else
  out = in;
#endif
  return out;
}

#define ACTIVATE(value, channel_block) \
  do_activation((value), READ_PRELU_ALPHA(channel_block), relux_max_limit, activation_coefficient, \
                activation_beta)

// ---------------------------------------------------------------------------------------------
// Small helpers.

// Lane i (0..3) of v.
inline DATA_TYPE lane_of(DATA_TYPE4 v, int i) {
  return i == 0 ? v.x : (i == 1 ? v.y : (i == 2 ? v.z : v.w));
}

// v with the lanes at and after `valid` (0..4) set to 0; keeps padding lanes of a tensor's
// last channel block at 0.
inline DATA_TYPE4 zero_lanes_from(DATA_TYPE4 v, int valid) {
  if (valid < 4) v.w = 0;
  if (valid < 3) v.z = 0;
  if (valid < 2) v.y = 0;
  if (valid < 1) v.x = 0;
  return v;
}

// acc + in.x * w0 + in.y * w1 + in.z * w2 + in.w * w3: four input channels (in) times the
// filter pixels of those channels (each holding four output channels).
inline DATA_TYPE4 mac4(DATA_TYPE4 acc, DATA_TYPE4 in, DATA_TYPE4 w0, DATA_TYPE4 w1, DATA_TYPE4 w2,
                       DATA_TYPE4 w3) {
  acc = mad((DATA_TYPE4)in.x, w0, acc);
  acc = mad((DATA_TYPE4)in.y, w1, acc);
  acc = mad((DATA_TYPE4)in.z, w2, acc);
  acc = mad((DATA_TYPE4)in.w, w3, acc);
  return acc;
}

// Reads pixel (w, h) of channel block cb of an IN_OUT image, or 0 when w or h lies outside the
// tensor (plain clamping would wrap into the neighbouring block or batch).
inline DATA_TYPE4 read_in_out(__read_only image2d_t image, int cb, int w, int h, int batch,
                              int width, int height) {
  const int x = select(mad24(cb, width, w), -1, w < 0 || w >= width);
  const int y = select(mad24(batch, height, h), -1, h < 0 || h >= height);
  return READ_IMAGET(image, SAMPLER, (int2)(x, y));
}

#endif  // MACETOOLS_KERNELS_CL_COMMON_H_
