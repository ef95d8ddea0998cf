#include <common.h>

// Batched matrix product C[b] = A[b] * B[b] on IN_OUT_HEIGHT images (the middle step of the Winograd convolution:
// A = the transformed filter [t*t, M = O, K = I, 1], B = the transformed input [t*t, K, N = tiles, 1],
// C = [t*t, M, N, 1]). IN_OUT_HEIGHT [B, R, S, 1]: width S, height B * ceil(R/4); pixel (s, b * ceil(R/4) + rb)
// = rows 4rb..4rb+3 at column s, so a pixel of A holds four rows of one column and a pixel of B four rows
// (k values) of one column.
// Global size {ceil(N/4), ceil(M/4) * batch}: each item computes four rows (one block) at four columns of C.
__kernel void matmul(OUT_OF_RANGE_PARAMS
                     GLOBAL_WORK_GROUP_SIZE_DIM2
                     __read_only image2d_t A,  /* IN_OUT_HEIGHT [batch, M, K, 1] */
                     __read_only image2d_t B,  /* IN_OUT_HEIGHT [batch, K, N, 1] */
                     __write_only image2d_t C, /* IN_OUT_HEIGHT [batch, M, N, 1] */
                     __private const int M,
                     __private const int N,
                     __private const int K,
                     __private const int height_blocks, /* ceil(M/4) */
                     __private const int k_blocks) {    /* ceil(K/4) */
  const int n_blk = get_global_id(0);
  const int row = get_global_id(1); /* batch * height_blocks + row block: the pixel row of A and C */
  RETURN_IF_OUT_OF_GLOBAL_RANGE_DIM2(n_blk, row)

  const int batch = row / height_blocks;
  const int n0 = n_blk << 2;
  const int b_y0 = mul24(batch, k_blocks);
  DATA_TYPE4 c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  for (int kb = 0; kb < k_blocks; ++kb) {
    const int k = kb << 2;
    // Columns k..k+3 of A past K read as 0 (outside the image); so do columns of B past N.
    const DATA_TYPE4 a0 = READ_IMAGET(A, SAMPLER, (int2)(k, row));
    const DATA_TYPE4 a1 = READ_IMAGET(A, SAMPLER, (int2)(k + 1, row));
    const DATA_TYPE4 a2 = READ_IMAGET(A, SAMPLER, (int2)(k + 2, row));
    const DATA_TYPE4 a3 = READ_IMAGET(A, SAMPLER, (int2)(k + 3, row));
    const int b_y = b_y0 + kb;
    c0 = mac4(c0, READ_IMAGET(B, SAMPLER, (int2)(n0, b_y)), a0, a1, a2, a3);
    c1 = mac4(c1, READ_IMAGET(B, SAMPLER, (int2)(n0 + 1, b_y)), a0, a1, a2, a3);
    c2 = mac4(c2, READ_IMAGET(B, SAMPLER, (int2)(n0 + 2, b_y)), a0, a1, a2, a3);
    c3 = mac4(c3, READ_IMAGET(B, SAMPLER, (int2)(n0 + 3, b_y)), a0, a1, a2, a3);
  }

  WRITE_OUTPUT(C, (int2)(n0, row), c0);
  if (n0 + 1 < N) WRITE_OUTPUT(C, (int2)(n0 + 1, row), c1);
  if (n0 + 2 < N) WRITE_OUTPUT(C, (int2)(n0 + 2, row), c2);
  if (n0 + 3 < N) WRITE_OUTPUT(C, (int2)(n0 + 3, row), c3);
}
