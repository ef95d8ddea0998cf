#include <common.h>

// NHWC <-> NCHW transposes of plain buffers (MACE v1.1): MACE's GPU Reshape of an ONNX or Caffe model reshapes a
// 4-D image in NCHW order by copying it out (in_out_image_to_buffer), nhwc_to_nchw, reinterpreting the NCHW buffer
// with the new shape, nchw_to_nhwc, and copying it back (in_out_buffer_to_image). These are the only permutations
// MACE's OpenCL code runs; its Transpose op itself runs the CPU code on mapped buffers.
//
// nhwc_to_nchw: input NHWC [N, H, W, C]; global size {ceil(C/4), W, N * H}; each item moves up to four channels
// of one pixel. nchw_to_nhwc: input NCHW [N, C, H, W]; global size {ceil(W/4), H, N * C}; each item moves up to
// four columns of one row.

#ifndef IN_DATA_TYPE
#define IN_DATA_TYPE float
#endif
#ifndef OUT_DATA_TYPE
#define OUT_DATA_TYPE float
#endif

__kernel void nhwc_to_nchw(BUFFER_OUT_OF_RANGE_PARAMS
                           GLOBAL_WORK_GROUP_SIZE_DIM3
                           __global IN_DATA_TYPE *input,
                           __private const int in_height,
                           __private const int in_channel,
                           __global OUT_DATA_TYPE *output) {
  const int cb = get_global_id(0);
  const int w = get_global_id(1);
  const int nh = get_global_id(2);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(cb, w, nh)

  const int width = GLOBAL_SIZE_DIM1;
  const int n = nh / in_height;
  const int h = nh - mul24(n, in_height);
  const int c0 = cb << 2;
  const int plane = mul24(in_height, width);
  const int in_offset = mad24(mad24(nh, width, w), in_channel, c0);
  const int out_offset = mad24(mad24(mad24(n, in_channel, c0), in_height, h), width, w);
  const int count = min(in_channel - c0, 4);
  for (int i = 0; i < count; ++i) {
    output[out_offset + mul24(i, plane)] = (OUT_DATA_TYPE)input[in_offset + i];
  }
}

__kernel void nchw_to_nhwc(BUFFER_OUT_OF_RANGE_PARAMS
                           GLOBAL_WORK_GROUP_SIZE_DIM3
                           __global IN_DATA_TYPE *input,
                           __private const int in_channel,
                           __private const int in_width,
                           __global OUT_DATA_TYPE *output) {
  const int wb = get_global_id(0);
  const int h = get_global_id(1);
  const int nc = get_global_id(2);
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM3(wb, h, nc)

  const int height = GLOBAL_SIZE_DIM1;
  const int n = nc / in_channel;
  const int c = nc - mul24(n, in_channel);
  const int w0 = wb << 2;
  const int in_offset = mad24(mad24(nc, height, h), in_width, w0);
  const int out_offset = mad24(mad24(mad24(n, height, h), in_width, w0), in_channel, c);
  const int count = min(in_width - w0, 4);
  for (int i = 0; i < count; ++i) {
    output[out_offset + mul24(i, in_channel)] = (OUT_DATA_TYPE)input[in_offset + i];
  }
}
