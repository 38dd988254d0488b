/**
 * torch.einsum as a composition: repeated subscripts of one operand take a diagonal, subscripts
 * used by one operand only are summed, then the operands are contracted left to right, each pair
 * as one batched matmul (permute + reshape), and the result is permuted to the output's order.
 * Gradients come from those ops. Ellipses broadcast (right-aligned); size-1 dims broadcast too.
 */
import { formatShape } from '../backend/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { expand, permute, reshape } from './layout.js';
import { diagonal } from './linalg.js';
import { matmul } from './matmul.js';
import { commonBackend } from './util.js';
import { op } from './op.js';

/** Letters are 0..51 ('A'..'Z', 'a'..'z', PyTorch's order for the implicit output); ellipsis dims 100+. */
type Label = number;
const ELLIPSIS_BASE = 100;

const labelOf = (c: string): Label => (c <= 'Z' ? c.charCodeAt(0) - 65 : c.charCodeAt(0) - 97 + 26);
const nameOf = (l: Label): string =>
  l >= ELLIPSIS_BASE ? `...[${l - ELLIPSIS_BASE}]` : String.fromCharCode(l < 26 ? l + 65 : l - 26 + 97);

interface Term {
  /** Letters before and after the ellipsis. */
  before: Label[];
  after: Label[];
  ellipsis: boolean;
}

function parseTerm(term: string, offset: number, what: string): Term {
  const out: Term = { before: [], after: [], ellipsis: false };
  for (let i = 0; i < term.length; i++) {
    const c = term[i]!;
    if (c === '.') {
      if (out.ellipsis || term.slice(i, i + 3) !== '...')
        throw new Error(`einsum(): found '.' for ${what} that is not part of any ellipsis (...)`);
      out.ellipsis = true;
      i += 2;
    } else if (/^[a-zA-Z]$/.test(c)) (out.ellipsis ? out.after : out.before).push(labelOf(c));
    else {
      throw new Error(
        `einsum(): invalid subscript given at index ${offset + i} in the equation string, subscripts must be in [a-zA-Z]`,
      );
    }
  }
  return out;
}

interface Operand {
  t: Tensor;
  labels: Label[];
}

/** An input with its labels; `shape` (when set) inserts the size-1 dims of a narrower ellipsis. */
interface Input extends Operand {
  shape?: number[];
}

/** Sum the dims whose label is not in `keep`. */
function sumUnkept(op: Operand, keep: ReadonlySet<Label>): Operand {
  const dims = op.labels.flatMap((l, i) => (keep.has(l) ? [] : [i]));
  if (dims.length === 0) return op;
  return { t: op.t.sum(dims), labels: op.labels.filter((l) => keep.has(l)) };
}

/** Take diagonals until no label repeats within the operand (their sizes were checked equal). */
function diagonals(op: Operand): Operand {
  let { t, labels } = op;
  for (;;) {
    const i = labels.findIndex((l, j) => labels.indexOf(l) !== j);
    if (i < 0) return { t, labels };
    const first = labels.indexOf(labels[i]!);
    const label = labels[i]!;
    t = diagonal(t, 0, first, i);
    labels = [...labels.filter((_, j) => j !== first && j !== i), label];
  }
}

/** Stretch size-1 dims of `op` to `sizes` (broadcasting between operands). */
function broadcastTo(op: Operand, sizes: ReadonlyMap<Label, number>): Operand {
  const target = op.labels.map((l) => sizes.get(l)!);
  if (target.every((s, i) => s === op.t.shape[i])) return op;
  return { t: expand(op.t, target), labels: op.labels };
}

function contract(a: Operand, b: Operand, keep: ReadonlySet<Label>, sizes: ReadonlyMap<Label, number>): Operand {
  const inB = new Set(b.labels);
  const inA = new Set(a.labels);
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const summed = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const aOnly = a.labels.filter((l) => !inB.has(l));
  const bOnly = b.labels.filter((l) => !inA.has(l));
  const size = (ls: readonly Label[]): number => ls.reduce((p, l) => p * sizes.get(l)!, 1);
  const order = (op: Operand, ls: readonly Label[]): Tensor =>
    permute(
      op.t,
      ls.map((l) => op.labels.indexOf(l)),
    );
  const ta = order(broadcastTo(a, sizes), [...batch, ...aOnly, ...summed]);
  const outShape = [...batch, ...aOnly, ...bOnly].map((l) => sizes.get(l)!);
  const labels = [...batch, ...aOnly, ...bOnly];
  if (ta.dtype === 'float32') {
    const tb = order(broadcastTo(b, sizes), [...batch, ...summed, ...bOnly]);
    const lead = batch.length === 0 ? [] : [size(batch)];
    const product = matmul(
      reshape(ta, [...lead, size(aOnly), size(summed)]),
      reshape(tb, [...lead, size(summed), size(bOnly)]),
    );
    return { t: reshape(product, outShape), labels };
  }
  // Integers and booleans (matmul is float only): broadcast multiply, then sum the contracted dims.
  const ones = (n: number): number[] => Array<number>(n).fill(1);
  const sa = [...batch, ...aOnly].map((l) => sizes.get(l)!);
  const sb = bOnly.map((l) => sizes.get(l)!);
  const sc = summed.map((l) => sizes.get(l)!);
  const bs = batch.map((l) => sizes.get(l)!);
  const tb = order(broadcastTo(b, sizes), [...batch, ...bOnly, ...summed]);
  const pa = reshape(ta, [...sa, ...ones(bOnly.length), ...sc]);
  const pb = reshape(tb, [...bs, ...ones(aOnly.length), ...sb, ...sc]);
  const prod = pa.mul(pb);
  const first = labels.length;
  const t = summed.length === 0 ? prod : prod.sum(summed.map((_, i) => first + i));
  return { t, labels };
}

/**
 * torch.einsum(equation, *operands): `einsum('ij,jk->ik', a, b)` or `einsum('ij,jk->ik', [a, b])`.
 * Without '->' the output is the ellipsis dims then the subscripts used once, alphabetically.
 */
export function einsum(equation: string, ...operands: (Tensor | readonly Tensor[])[]): Tensor {
  const tensors = (operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands) as Tensor[];
  if (typeof equation !== 'string') throw new Error('einsum(): the first argument must be the equation string');
  const eq = equation.replace(/\s/g, '');
  const arrow = eq.indexOf('->');
  const lhs = arrow < 0 ? eq : eq.slice(0, arrow);
  const terms = lhs.split(',');
  if (terms.length > tensors.length)
    throw new Error(`einsum(): fewer operands were provided than specified in the equation '${equation}'`);
  if (terms.length < tensors.length)
    throw new Error(`einsum(): more operands were provided than specified in the equation '${equation}'`);
  if (tensors.length > 0) commonBackend('einsum', tensors);
  for (const [k, t] of tensors.entries()) {
    if (t.dtype !== tensors[0]!.dtype) {
      throw new Error(
        `einsum(): operands must have one dtype (operand 0 is ${tensors[0]!.dtype}, operand ${k} is ${t.dtype})`,
      );
    }
  }
  let offset = 0;
  const parsed = terms.map((term, k) => {
    const p = parseTerm(term, offset, `operand ${k}`);
    offset += term.length + 1;
    return p;
  });
  // Ellipsis width: the most dims any operand's ellipsis covers; narrower ones align right.
  let width = 0;
  parsed.forEach((p, k) => {
    const named = p.before.length + p.after.length;
    const ndim = tensors[k]!.ndim;
    if (!p.ellipsis && named !== ndim) {
      throw new Error(
        `einsum(): the number of subscripts in the equation (${named}) does not match the number of dimensions (${ndim}) for operand ${k} and no ellipsis was given`,
      );
    }
    if (p.ellipsis && named > ndim) {
      throw new Error(
        `einsum(): the number of subscripts in the equation (${named}) is more than the number of dimensions (${ndim}) for operand ${k}`,
      );
    }
    if (p.ellipsis) width = Math.max(width, ndim - named);
  });
  const ellipsisLabels = Array.from({ length: width }, (_, i) => ELLIPSIS_BASE + i);
  const sizes = new Map<Label, number>();
  const counts = new Map<Label, number>();
  const ops: Input[] = parsed.map((p, k) => {
    const t = tensors[k]!;
    const covered = t.ndim - p.before.length - p.after.length;
    const labels = [...p.before, ...ellipsisLabels.slice(width - covered), ...p.after];
    for (const [i, l] of labels.entries()) {
      const s = t.shape[i]!;
      const firstHere = labels.indexOf(l);
      if (firstHere !== i && t.shape[firstHere] !== s) {
        throw new Error(
          `einsum(): subscript ${nameOf(l)} is repeated for operand ${k} but the sizes don't match, ${s} != ${t.shape[firstHere]}`,
        );
      }
      const seen = sizes.get(l);
      if (seen === undefined || seen === 1) sizes.set(l, s);
      else if (s !== seen && s !== 1) {
        if (l >= ELLIPSIS_BASE) {
          throw new Error(
            `einsum(): dimension ${l - ELLIPSIS_BASE} covered by ellipsis in operand ${k} has size ${s} which does not broadcast with previously seen ellipsis with size ${seen} for the respective dimension (shape ${formatShape(t.shape)})`,
          );
        }
        throw new Error(
          `einsum(): subscript ${nameOf(l)} has size ${s} for operand ${k} which does not broadcast with previously seen size ${seen}`,
        );
      }
      counts.set(l, (counts.get(l) ?? 0) + 1);
    }
    // An operand whose ellipsis covers fewer dims gets size-1 dims for the missing leading ones.
    if (p.ellipsis && covered < width) {
      const missing = ellipsisLabels.slice(0, width - covered);
      const at = p.before.length;
      const shape = [...t.shape.slice(0, at), ...missing.map(() => 1), ...t.shape.slice(at)];
      for (const l of missing) if (!sizes.has(l)) sizes.set(l, 1);
      return { t, labels: [...p.before, ...missing, ...labels.slice(at)], shape };
    }
    return { t, labels };
  });
  let output: Label[];
  if (arrow < 0) {
    const once = [...counts.entries()].filter(([l, c]) => c === 1 && l < ELLIPSIS_BASE).map(([l]) => l);
    output = [...ellipsisLabels, ...once.sort((x, y) => x - y)];
  } else {
    const p = parseTerm(eq.slice(arrow + 2), arrow + 2, 'output');
    output = [...p.before, ...(p.ellipsis ? ellipsisLabels : []), ...p.after];
    for (const [i, l] of output.entries()) {
      if (l >= ELLIPSIS_BASE) continue;
      if (output.indexOf(l) !== i)
        throw new Error(`einsum(): output subscript ${nameOf(l)} appears more than once in the output`);
      if (!counts.has(l))
        throw new Error(
          `einsum(): output subscript ${nameOf(l)} does not appear in the equation for any input operand`,
        );
    }
  }
  const outSet = new Set(output);
  return op('einsum', () => {
    // Diagonals, then sum what no other operand and not the output uses.
    const prepared = ops.map((op, k) => {
      const d = diagonals(op.shape === undefined ? op : { t: reshape(op.t, op.shape), labels: op.labels });
      const elsewhere = new Set<Label>(outSet);
      ops.forEach((o, j) => {
        if (j !== k) for (const l of o.labels) elsewhere.add(l);
      });
      return sumUnkept(d, elsewhere);
    });
    let acc = prepared[0]!;
    for (let k = 1; k < prepared.length; k++) {
      const keep = new Set<Label>(outSet);
      for (const o of prepared.slice(k + 1)) for (const l of o.labels) keep.add(l);
      acc = contract(sumUnkept(acc, new Set([...keep, ...prepared[k]!.labels])), prepared[k]!, keep, sizes);
    }
    acc = broadcastTo(sumUnkept(acc, outSet), sizes);
    const perm = output.map((l) => acc.labels.indexOf(l));
    return perm.every((p, i) => p === i) && perm.length === acc.t.ndim
      ? reshape(acc.t, acc.t.shape)
      : permute(acc.t, perm);
  });
}
