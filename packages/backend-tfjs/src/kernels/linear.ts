/**
 * linear (fused, optional in the contract): x [..., in] @ weight[out, in]^T + bias[out].
 * Native _FusedMatMul (matmul + bias in one kernel) with transposeB where the engine gets it right;
 * tfjs-wasm 4.22's fused kernel adds the wrong bias to every row after the first when transposeB is
 * set (measured), so on wasm it is a plain product (see matmulUtil.ts) followed by a broadcast add,
 * as is a long `in` on every engine (chunked along K for accuracy, see matmulUtil.ts).
 */
import type { Shape } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { currentEngine, filled, isEmpty, run, view, type Ref } from '../util.js';
import { MATMUL_DIRECT_MAX_K, matMulAccurate } from './matmulUtil.js';

export function linear(x: Ref, weight: Ref, bias: Ref | null, outShape: Shape): TfTensor {
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return run(inputs, () => {
    const inF = weight.shape[1]!;
    const outF = weight.shape[0]!;
    if (isEmpty(outShape)) return filled(outShape, 'float32', 0);
    if (inF === 0)
      return bias === null ? filled(outShape, 'float32', 0) : tf.broadcastTo(view(bias), outShape as number[]);
    const x2 = tf.reshape(view(x), [-1, inF]);
    const w = view(weight);
    let y: TfTensor;
    if (bias === null) {
      y = matMulAccurate(x2, w, false, true);
    } else if (currentEngine() === 'wasm' || inF > MATMUL_DIRECT_MAX_K) {
      y = tf.add(matMulAccurate(x2, w, false, true), tf.reshape(view(bias), [outF]));
    } else {
      y = tf.fused.matMul({ a: x2, b: w, transposeB: true, bias: tf.reshape(view(bias), [outF]) });
    }
    return tf.reshape(y, outShape as number[]);
  });
}
