/** Batched matmul with optional transposes and broadcast batch dims; also the fused linear. */
import { broadcastShape, host, ravel, sizeOfShape, unravel, type HostTensor } from './tensor.js';

/** Element (i, j) of the last two dims of `t` at batch index `batch` (broadcast), optionally transposed. */
function at(t: HostTensor, batchIdx: readonly number[], i: number, j: number, transpose: boolean): number {
  const r = t.shape.length;
  const tb = t.shape.slice(0, r - 2);
  const off = batchIdx.length - tb.length;
  const idx = tb.map((d, k) => (d === 1 ? 0 : batchIdx[k + off]!));
  const [row, col] = transpose ? [j, i] : [i, j];
  return t.data[ravel([...idx, row, col], t.shape)]!;
}

export function matmulRef(a: HostTensor, b: HostTensor, transposeA = false, transposeB = false): HostTensor {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const k2 = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (k !== k2) throw new Error(`matmulRef: inner dims ${k} vs ${k2}`);
  const batch = broadcastShape(a.shape.slice(0, ra - 2), b.shape.slice(0, rb - 2));
  const outShape = [...batch, m, n];
  const out = new Float64Array(sizeOfShape(outShape));
  const scale = new Float64Array(out.length);
  const nb = sizeOfShape(batch);
  for (let bi = 0; bi < nb; bi++) {
    const bidx = unravel(bi, batch);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        let sc = 0;
        for (let p = 0; p < k; p++) {
          const t = at(a, bidx, i, p, transposeA) * at(b, bidx, p, j, transposeB);
          s += t;
          sc += Math.abs(t);
        }
        const o = (bi * m + i) * n + j;
        out[o] = s;
        scale[o] = sc;
      }
  }
  return host(outShape, 'float32', out, scale);
}

/** x [..., in] @ weight[out, in]^T + bias[out] */
export function linearRef(x: HostTensor, weight: HostTensor, bias: HostTensor | null): HostTensor {
  const inF = x.shape[x.shape.length - 1]!;
  const outF = weight.shape[0]!;
  const lead = x.shape.slice(0, -1);
  const rows = sizeOfShape(lead);
  const out = new Float64Array(rows * outF);
  const scale = new Float64Array(rows * outF);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outF; o++) {
      let s = bias === null ? 0 : bias.data[o]!;
      let sc = Math.abs(s);
      for (let i = 0; i < inF; i++) {
        const t = x.data[r * inF + i]! * weight.data[o * inF + i]!;
        s += t;
        sc += Math.abs(t);
      }
      out[r * outF + o] = s;
      scale[r * outF + o] = sc;
    }
  return host([...lead, outF], 'float32', out, scale);
}
