/**
 * Differential audit, part 2: replays audit/cases.json (generate_cases.py) through Flint's public
 * API on the cpu backend and prints every case where Flint computes something else than PyTorch:
 * a value or a gradient outside tolerance, a shape or dtype difference, an error where PyTorch
 * succeeds, or a success where PyTorch raises.
 *
 *   FLINT_NO_AUTOLOAD=1 npx tsx --tsconfig packages/conformance/audit/tsconfig.json \
 *     packages/conformance/audit/replay.ts [--only REGEX] [--family REGEX] [--max N]
 *
 * Ops are called through the conformance adapters (src/ops/adapters*.ts), so a mismatch here is a
 * mismatch of the very call a fixture would make. Tolerance: |got - want| <= atol + rtol * max
 * (|want|, max |want| over the tensor / 1e3), rtol 1e-3 and atol 1e-4: looser than the fixtures'
 * so that float32 rounding noise on random magnitudes stays quiet and real differences do not.
 */
import { readFileSync } from 'node:fs';
import * as api from '@flint/core';
import { cpuBackend } from '@flint/backend-cpu';
import { decodeTensor, type RawTensor, type TorchArgs } from '../src/fixtures/load.js';
import { toDataArray, type HostTensor } from '../src/reference/tensor.js';
import { makeContext, OP_ADAPTERS, type OpAdapter, type Tensor } from '../src/ops/adapters.js';
import { AUDIT_ADAPTERS } from '../src/ops/adapters-audit.js';

interface AuditCase {
  readonly family: string;
  readonly name: string;
  readonly op: string;
  readonly args: TorchArgs;
  readonly listInput: boolean;
  readonly transpose: number[];
  readonly raises: string | null;
  readonly inputs: RawTensor[];
  readonly outputs: RawTensor[];
  readonly cotangents: RawTensor[];
  readonly grads: (RawTensor | null)[];
  /** The same call in float32 (absent where only float64 ran). */
  readonly alt?: { readonly outputs: RawTensor[]; readonly grads: (RawTensor | null)[] };
}

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv[i + 1];
};
const only = new RegExp(flag('--only') ?? '.*');
const family = new RegExp(`^(?:${flag('--family') ?? '.*'})$`);
const maxPrint = Number(flag('--max') ?? 1000);
const file = flag('--cases') ?? new URL('./cases.json', import.meta.url).pathname;

const ADAPTERS: Record<string, OpAdapter> = { ...OP_ADAPTERS, ...AUDIT_ADAPTERS };
const RTOL = 1e-3;
const ATOL = 1e-4;
const device = cpuBackend.name;
const ctx = makeContext(api);

function upload(t: HostTensor, requiresGrad: boolean): Tensor {
  return api.fromArray(toDataArray(t), t.shape, { dtype: t.dtype, device, requiresGrad });
}

const fmt = (v: number): string => (Object.is(v, -0) ? '-0' : String(Math.fround(v)));

/**
 * Gradient differences only at non-finite inputs (NaN, ±inf) are reported apart: PyTorch's own
 * backward there depends on which comparison a kernel happens to use (even between its vectorised
 * and scalar loops), so they are listed, not counted as mismatches.
 */
let nonFiniteNotes = 0;

function compare(
  label: string,
  got: Tensor,
  gotData: ArrayLike<number>,
  want: HostTensor,
  input?: HostTensor,
): string[] {
  const shape = `[${got.shape.join(',')}]`;
  const wantShape = `[${want.shape.join(',')}]`;
  if (shape !== wantShape) return [`${label}: shape ${shape}, expected ${wantShape}`];
  const problems: string[] = [];
  if (got.dtype !== want.dtype) problems.push(`${label}: dtype ${got.dtype}, expected ${want.dtype}`);
  let peak = 0;
  for (const v of want.data) if (Number.isFinite(v)) peak = Math.max(peak, Math.abs(v));
  let bad = 0;
  let atNonFinite = 0;
  const shown: string[] = [];
  for (let i = 0; i < want.data.length; i++) {
    const w = want.data[i]!;
    const g = gotData[i]!;
    const ok = Number.isNaN(w)
      ? Number.isNaN(g)
      : !Number.isFinite(w) || !Number.isFinite(g)
        ? g === w
        : Math.abs(g - w) <= ATOL + RTOL * Math.max(Math.abs(w), peak / 1e3);
    if (ok) continue;
    if (input !== undefined && !Number.isFinite(input.data[i]!)) {
      atNonFinite++;
      continue;
    }
    bad++;
    if (shown.length < 4) shown.push(`[${i}] got ${fmt(g)} want ${fmt(w)}`);
  }
  if (bad > 0) problems.push(`${label}: ${bad}/${want.data.length} differ: ${shown.join(', ')}`);
  if (atNonFinite > 0) nonFiniteNotes++;
  return problems;
}

const asList = (r: Tensor | readonly Tensor[]): Tensor[] => (Array.isArray(r) ? [...r] : [r as Tensor]);

/** The inputs as the op sees them: transposed ones become non-contiguous views of their leaf. */
function prepared(c: AuditCase, leaves: readonly Tensor[]): Tensor[] {
  return leaves.map((x, i) => (c.transpose.includes(i) ? x.transpose(-1, -2) : x));
}

/** Flint's values for one case: outputs, and each input's gradient (null: none reached it). */
interface Got {
  readonly outs: { tensor: Tensor; data: ArrayLike<number> }[];
  readonly grads: ({ tensor: Tensor; data: ArrayLike<number> } | null)[];
}

/** The problems of `got` against one reference (PyTorch in float64, or its float32 run). */
function judge(got: Got, outputs: RawTensor[], grads: (RawTensor | null)[], inputs: HostTensor[]): string[] {
  const problems: string[] = [];
  if (got.outs.length !== outputs.length) return [`${got.outs.length} outputs, expected ${outputs.length}`];
  for (const [i, o] of got.outs.entries()) {
    problems.push(...compare(`out ${i}`, o.tensor, o.data, decodeTensor(outputs[i]!)));
  }
  if (problems.length > 0) return problems;
  grads.forEach((g, i) => {
    if (g === null || g === undefined) return;
    const mine = got.grads[i];
    if (mine === null || mine === undefined) {
      // an input that does not reach the output: PyTorch's zeros (allow_unused) are no gradient
      if (!decodeTensor(g).data.every((v) => v === 0)) problems.push(`grad ${i}: null after backward()`);
      return;
    }
    problems.push(...compare(`grad ${i}`, mine.tensor, mine.data, decodeTensor(g), inputs[i]));
  });
  return problems;
}

async function runCase(c: AuditCase): Promise<string[]> {
  const adapter = ADAPTERS[c.op];
  if (adapter === undefined) return [`no adapter for '${c.op}'`];
  const inputs = c.inputs.map(decodeTensor);
  const withGrad = c.grads.length > 0;
  const leaves = inputs.map((t, i) => upload(t, withGrad && c.grads[i] !== null && c.grads[i] !== undefined));
  let outs: Tensor[] = [];
  try {
    try {
      outs = api.tidy(() => asList(adapter(ctx, prepared(c, leaves), c.args)));
    } catch (e) {
      if (c.raises !== null) return [];
      return [`Flint raised, PyTorch did not: ${(e as Error).message.split('\n')[0]}`];
    }
    if (c.raises !== null) return [`PyTorch raised (${c.raises}), Flint returned [${outs.map((o) => `[${o.shape}]`)}]`];
    const got: Got = { outs: [], grads: [] };
    for (const o of outs) got.outs.push({ tensor: o, data: await o.data() });
    if (withGrad && outs.length === c.outputs.length) {
      const cots = c.cotangents.map(decodeTensor);
      try {
        api.tidy(() => {
          let loss: Tensor | null = null;
          let k = 0;
          for (const o of outs) {
            if (o.dtype !== 'float32') continue;
            const term = o.mul(upload(cots[k++]!, false)).sum();
            loss = loss === null ? term : loss.add(term);
          }
          loss?.backward();
        });
      } catch (e) {
        return [`backward raised: ${(e as Error).message.split('\n')[0]}`];
      }
      for (const x of leaves) got.grads.push(x.grad === null ? null : { tensor: x.grad, data: await x.grad.data() });
    }
    const problems = judge(got, c.outputs, c.grads, inputs);
    if (problems.length === 0 || c.alt === undefined) return problems;
    // PyTorch's own float32 run (overflow and rounding inside its kernel) is an answer too
    return judge(got, c.alt.outputs, c.alt.grads, inputs).length === 0 ? [] : problems;
  } finally {
    for (const o of outs) o.dispose();
    for (const x of leaves) {
      x.grad?.dispose();
      x.dispose();
    }
  }
}

async function main(): Promise<void> {
  const SPECIAL: Record<string, number> = { NaN, Infinity, '-Infinity': -Infinity };
  const revive = (_k: string, v: unknown): unknown =>
    typeof v === 'object' && v !== null && 'float' in v ? SPECIAL[(v as { float: string }).float] : v;
  const { cases } = JSON.parse(readFileSync(file, 'utf8'), revive) as { cases: AuditCase[] };
  const perFamily = new Map<string, { cases: number; bad: number }>();
  const perOp = new Map<string, number>();
  let printed = 0;
  for (const c of cases) {
    if (!family.test(c.family) || !only.test(c.op)) continue;
    const stats = perFamily.get(c.family) ?? { cases: 0, bad: 0 };
    perFamily.set(c.family, stats);
    stats.cases++;
    const problems = await runCase(c);
    if (problems.length === 0) continue;
    stats.bad++;
    perOp.set(c.op, (perOp.get(c.op) ?? 0) + 1);
    if (printed++ < maxPrint) console.log(`MISMATCH ${c.family} | ${c.name}\n  ${problems.join('\n  ')}`);
  }
  console.log('\nfamily        cases  mismatches');
  for (const [f, s] of perFamily)
    console.log(`${f.padEnd(12)} ${String(s.cases).padStart(6)} ${String(s.bad).padStart(11)}`);
  console.log(`\ncases whose gradients differ only at NaN/±inf inputs (not counted): ${nonFiniteNotes}`);
  console.log('mismatches by op:', [...perOp].map(([op, n]) => `${op}=${n}`).join(' ') || 'none');
}

await main();
