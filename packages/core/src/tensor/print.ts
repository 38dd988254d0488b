/** PyTorch-style printing: tensor([[1.0000, 2.0000], ...], requires_grad=True). */
import type { DataArray } from '../backend/kernels.js';
import type { Tensor } from './tensor.js';

const THRESHOLD = 1000;
const EDGE_ITEMS = 3;

function elementFormatter(values: DataArray, dtype: string): (v: number) => string {
  if (dtype === 'bool') return (v) => (v ? 'True' : 'False');
  if (dtype === 'int32') return (v) => String(v);
  const finite: number[] = [];
  for (const v of values) if (Number.isFinite(v)) finite.push(v);
  const special = (v: number): string | null =>
    Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : null;
  if (finite.length === 0) return (v) => special(v) ?? String(v);
  const allInts = finite.every((v) => Number.isInteger(v));
  const abs = finite.map(Math.abs).filter((v) => v > 0);
  const maxAbs = abs.length > 0 ? Math.max(...abs) : 0;
  const minAbs = abs.length > 0 ? Math.min(...abs) : 0;
  if (allInts) {
    if (maxAbs / minAbs > 1000 || maxAbs > 1e8)
      return (v) => special(v) ?? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
    return (v) => special(v) ?? `${v}.`;
  }
  if (maxAbs / minAbs > 1000 || maxAbs > 1e8 || minAbs < 1e-4) {
    return (v) => special(v) ?? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return (v) => special(v) ?? v.toFixed(4);
}

export function formatTensor(t: Tensor): string {
  const suffix: string[] = [];
  if (t.device !== 'cpu') suffix.push(`device='${t.device}'`);
  if (t.isDisposed) return `tensor(<disposed>, size=(${t.shape.join(', ')}))`;
  const data = t.dataSync();
  const shape = t.shape;
  const summarize = data.length > THRESHOLD;
  const shown: number[] = [];
  // Collect the values that will be printed so the width matches PyTorch's summarised view.
  const visit = (dim: number, offset: number, stride: number, collect: (v: number) => void): void => {
    if (dim === shape.length) {
      collect(data[offset]!);
      return;
    }
    const n = shape[dim]!;
    const inner = stride / (n || 1);
    for (let i = 0; i < n; i++) {
      if (summarize && n > 2 * EDGE_ITEMS && i === EDGE_ITEMS) i = n - EDGE_ITEMS;
      visit(dim + 1, offset + i * inner, inner, collect);
    }
  };
  visit(0, 0, data.length, (v) => shown.push(v));
  const format = elementFormatter(Float32Array.from(shown) as DataArray, t.dtype);
  const width = Math.max(0, ...shown.map((v) => format(v).length));
  const pad = (s: string): string => s.padStart(width);
  const LINE_WIDTH = 80;
  const build = (dim: number, offset: number, stride: number, indent: number): string => {
    if (dim === shape.length) return pad(format(data[offset]!));
    const n = shape[dim]!;
    const inner = stride / (n || 1);
    const last = dim === shape.length - 1;
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      if (summarize && n > 2 * EDGE_ITEMS && i === EDGE_ITEMS) {
        parts.push(last ? ' ...' : '...');
        i = n - EDGE_ITEMS;
      }
      parts.push(build(dim + 1, offset + i * inner, inner, indent + 1));
    }
    if (last) {
      // PyTorch wraps a row at 80 columns.
      const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < parts.length; i += perLine) lines.push(parts.slice(i, i + perLine).join(', '));
      return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
    }
    const sep = `,${'\n'.repeat(shape.length - dim - 1)}${' '.repeat(indent + 1)}`;
    return `[${parts.join(sep)}]`;
  };
  let body: string;
  if (shape.length === 0) body = format(data[0]!);
  else if (data.length === 0) {
    body = '[]';
    if (shape.length > 1 || shape[0] !== 0) suffix.unshift(`size=(${shape.join(', ')})`);
  } else body = build(0, 0, data.length, 'tensor('.length);
  if (t.gradFn !== null) suffix.push(`grad_fn=<${capitalize(t.gradFn.name)}Backward>`);
  else if (t.requiresGrad) suffix.push('requires_grad=True');
  return `tensor(${[body, ...suffix].join(', ')})`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
