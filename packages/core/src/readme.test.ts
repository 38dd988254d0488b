/**
 * Every function, method and class that the README names in its PyTorch → Flint tables and in its
 * bullet lists of functions exists.
 *
 * The tables (a header row `| PyTorch | Flint | ...`) are parsed from packages/core/README.md; in
 * each row's Flint cell every code span is split at top-level commas and slashes (`F.selu, celu`,
 * `F.dropout1d/dropout2d(x, p)`) into spellings, and every dotted name a spelling starts with or
 * calls is resolved against the package's exports:
 * - `name` or `a.b.c`: an export (`tan`, `autograd.grad`, `nn.Linear`, `optim.SGD`), with `F`,
 *   `init` and `utils` short for `nn.functional`, `nn.init` and `nn.utils`; a bare class name may
 *   live in a namespace (`new OneCycleLR(opt)`); `new`, `await` and `const v =` are skipped;
 * - `x.method`: a member of what the receiver stands for (RECEIVERS: tensors, ctx, handle, a
 *   module, an optimizer ...); a name the test does not know is taken for a tensor;
 * - a bare name that is not an export belongs to what an earlier spelling of the row stood for
 *   (`x.newZeros(2, 3)`, `newOnes`; `module.register_forward_hook` | `registerForwardHook`: the
 *   PyTorch cell gives owners too, without being checked); `class F extends autograd.Function`
 *   binds F for the row. In a row about a class an unknown bare name is the user's instance or one
 *   of its fields (`enc(src)`, `batchSizes`) and is not checked;
 * - a Flint cell that says "same" vouches for the PyTorch cell's spellings too (`torch.` dropped,
 *   snake_case names left out: those are PyTorch's spellings of what the cell spells itself).
 * Strings, numbers, object literals and the names in LOCAL_VALUES (a user's own variable, such as
 * the module instance a row calls) are not resolved. The bullet lists are read as LIST_BULLETS says.
 */
import '@flint/backend-cpu';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

const README = new URL('../README.md', import.meta.url);

/** What a receiver name in the README stands for: the object whose members it has. */
function receivers(): Record<string, object> {
  const t = api.tensor([1], { requiresGrad: true });
  const handle = t.registerHook(() => undefined);
  handle.remove();
  const tensor = api.Tensor.prototype;
  const names: Record<string, object> = {
    ctx: new api.autograd.FunctionCtx('readme', []),
    handle,
    model: api.nn.Module.prototype,
    m: api.nn.Module.prototype,
    o: api.optim.Optimizer.prototype,
    module: api.nn.Module.prototype,
    net: api.nn.Module.prototype,
    opt: api.optim.Optimizer.prototype,
    optimizer: api.optim.Optimizer.prototype,
  };
  for (const n of ['x', 'y', 't', 'a', 'b', 'w', 'p', 'q', 'z', 'h', 'logits', 'input', 'mask', 'idx', 'self'])
    names[n] = tensor;
  t.dispose();
  return names;
}

/** Names a row uses for the user's own values (not part of the API). */
const LOCAL_VALUES = new Set(['bag', 'ctc', 'rnn', 'fn', 'sched', 'loader', 'dataset']);

const SHORTHANDS: Record<string, string[]> = {
  F: ['nn', 'functional'],
  init: ['nn', 'init'],
  utils: ['nn', 'utils'],
};

interface Row {
  line: number;
  pytorch: string;
  flint: string;
}

/** Cells of a table row, split at `|` outside code spans (a `\|` in a span stays inside). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let inCode = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '`') inCode = !inCode;
    if (ch === '|' && !inCode && line[i - 1] !== '\\') {
      out.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  out.push(cell.trim());
  return out.slice(1, -1);
}

function tableRows(markdown: string): Row[] {
  const lines = markdown.split('\n');
  const rows: Row[] = [];
  for (let i = 0; i < lines.length; i++) {
    const header = lines[i]!.trim();
    if (!header.startsWith('|')) continue;
    const [first, second] = cells(header);
    if (first !== 'PyTorch' || second !== 'Flint') continue;
    let j = i + 2; // past the header and its --- row
    for (; j < lines.length && lines[j]!.trim().startsWith('|'); j++) {
      const [pytorch = '', flint = ''] = cells(lines[j]!.trim());
      rows.push({ line: j + 1, pytorch, flint });
    }
    i = j;
  }
  return rows;
}

const codeSpans = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\\\|/g, '|'));

/** A span split at commas and slashes outside brackets and quotes. */
function spellings(span: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = '';
  for (const ch of span) {
    if (quote !== null) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (depth === 0 && (ch === ',' || ch === '/')) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur.trim());
  return out.filter((s) => s.length > 0);
}

/** `torch.` and `torch.nn.` as Flint spells them (`nn.` for the second). */
const TORCH_PREFIX = /\btorch\.(nn\.)?/g;

const CHAIN = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*/;
const KEYWORDS = new Set(['null', 'true', 'false', 'undefined', 'this', 'the', 'same']);

interface Context {
  /** What the row's earlier spellings stood for: a later bare name may be a member of any of them. */
  receivers: object[];
  bindings: Map<string, object>;
}

/** Stands for a class's getter (not run: on a prototype it has no instance to read). */
const GETTER = Object.freeze({});

const isPrototype = (o: object): boolean =>
  Object.hasOwn(o, 'constructor') && (o as { constructor: { prototype?: unknown } }).constructor.prototype === o;

/** owner[key] (a class's getters not run); undefined when there is no such member. */
function member(owner: unknown, key: string): unknown {
  if (owner === null || owner === undefined || (typeof owner !== 'object' && typeof owner !== 'function')) {
    return undefined;
  }
  for (let o: object | null = owner as object; o !== null; o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d === undefined) continue;
    if (d.get === undefined) return d.value;
    // A namespace's export getter is read; a class's getter (on a prototype) is not run.
    return o === owner && !isPrototype(o) ? Reflect.get(o, key) : GETTER;
  }
  return undefined;
}

function walk(owner: unknown, path: readonly string[]): unknown {
  let cur = owner;
  for (const p of path) {
    cur = member(cur, p);
    if (cur === undefined) return undefined;
  }
  return cur;
}

const isClass = (v: unknown): v is { prototype: object } =>
  typeof v === 'function' && /^[A-Z]/.test(v.name) && typeof (v as { prototype?: unknown }).prototype === 'object';

/** The object a dotted name resolves to (undefined when it does not exist); null when not checkable. */
function resolve(chain: string, ctx: Context, names: Record<string, object>, leading: boolean): unknown {
  const parts = chain.split('.');
  const root = parts[0]!;
  if (KEYWORDS.has(root) || LOCAL_VALUES.has(root)) return null;
  const rest = parts.slice(1);
  const note = (owner: unknown, value: unknown): void => {
    if (!leading) return;
    if (owner !== undefined && owner !== null && typeof owner === 'object') ctx.receivers.push(owner);
    if (isClass(value)) ctx.receivers.push(value, value.prototype);
  };
  const bound = ctx.bindings.get(root);
  if (bound !== undefined) {
    const value = walk(bound, rest);
    note(bound, value);
    return value;
  }
  if (rest.length > 0 && names[root] !== undefined) {
    const value = walk(names[root], rest);
    note(names[root], value);
    return value;
  }
  const full = SHORTHANDS[root] !== undefined ? [...SHORTHANDS[root]!, ...rest] : parts;
  const fromExports = walk(api, full);
  if (fromExports !== undefined) {
    note(rest.length > 0 ? walk(api, full.slice(0, -1)) : undefined, fromExports);
    return fromExports;
  }
  if (rest.length > 0) {
    // An unknown receiver name: a tensor.
    const value = walk(api.Tensor.prototype, rest);
    note(api.Tensor.prototype, value);
    return value;
  }
  // A bare class name from a namespace (`new OneCycleLR(opt)` in the optim section).
  if (/^[A-Z]/.test(root)) {
    for (const ns of [api.nn, api.optim, api.optim.lr_scheduler, api.data, api.autograd]) {
      const value = member(ns, root);
      if (value === undefined) continue;
      note(undefined, value);
      return value;
    }
  }
  // A bare name: a member of what an earlier spelling of the row stood for, or a variable.
  for (const r of ctx.receivers) {
    const value = member(r, root);
    if (value === undefined) continue;
    note(undefined, value);
    return value;
  }
  if (names[root] !== undefined) return null;
  // In a row about a class, an unknown bare name is the user's instance (`enc(src)`) or one of its
  // fields (`PackedSequence`'s `batchSizes`): not checkable without an instance.
  return ctx.receivers.some(isClass) ? null : undefined;
}

interface Missing {
  line: number;
  name: string;
  spelling: string;
}

function check(spelling: string, line: number, ctx: Context, names: Record<string, object>): [number, Missing[]] {
  let s = spelling.trim();
  const cls = /^class\s+([A-Za-z_$][\w$]*)\s+extends\s+/.exec(s);
  let bindAs: string | null = null;
  if (cls !== null) {
    bindAs = cls[1]!;
    s = s.slice(cls[0].length);
  }
  s = s.replace(/^(?:const|let|var)\s+(?:[\w$]+|\[[^\]]*\]|\{[^}]*\})\s*=\s*/, '');
  s = s.replace(/^(?:(?:new|static|override|async|await)\s+)+/, '');
  const lead = CHAIN.exec(s);
  if (lead === null) return [0, []];
  const missing: Missing[] = [];
  let checked = 0;
  const leadValue = resolve(lead[0], ctx, names, true);
  if (leadValue !== null) {
    checked++;
    if (leadValue === undefined) missing.push({ line, name: lead[0], spelling });
  }
  if (bindAs !== null && leadValue !== undefined && leadValue !== null) {
    ctx.bindings.set(bindAs, leadValue as object);
    ctx.receivers.push(leadValue as object);
  }
  // Functions called inside the arguments (`logits.index(arange(0, N), y)`).
  const args = s.slice(lead[0].length).replace(/'[^']*'|"[^"]*"/g, "''");
  for (const m of args.matchAll(/(?<![\w$.])([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*\(/g)) {
    const value = resolve(m[1]!, { receivers: [], bindings: ctx.bindings }, names, false);
    if (value === null) continue;
    checked++;
    if (value === undefined) missing.push({ line, name: m[1]!, spelling });
  }
  return [checked, missing];
}

function missingNames(markdown: string): { checked: number; rows: number; missing: Missing[] } {
  const names = receivers();
  const missing: Missing[] = [];
  let checked = 0;
  const rows = tableRows(markdown);
  for (const row of rows) {
    const ctx: Context = { receivers: [], bindings: new Map() };
    // What the PyTorch cell's spellings stand for gives the Flint cell's bare names their owner
    // (`module.register_forward_hook` | `registerForwardHook`); nothing there is checked.
    for (const span of codeSpans(row.pytorch)) {
      for (const sp of spellings(span.replace(TORCH_PREFIX, (_m, nn?: string) => (nn ? 'nn.' : '')))) {
        const lead = CHAIN.exec(sp.replace(/^(?:new\s+)/, ''));
        if (lead !== null) resolve(lead[0], ctx, names, true);
      }
    }
    const spans = codeSpans(row.flint);
    if (/\bsame\b/.test(row.flint.replace(/`[^`]*`/g, ''))) {
      // PyTorch's spellings first: they name the classes the Flint cell's bare names belong to.
      // A snake_case name there (`F.pixel_shuffle`) is PyTorch's spelling of something the cell spells itself.
      const torchSpans = codeSpans(row.pytorch).map((s) =>
        s.replace(TORCH_PREFIX, (_m, nn?: string) => (nn ? 'nn.' : '')),
      );
      for (const span of torchSpans.reverse()) {
        const kept = spellings(span).filter((s) => !/[a-z0-9]_[a-z]/.test(CHAIN.exec(s)?.[0] ?? ''));
        if (kept.length > 0) spans.unshift(kept.join(', '));
      }
    }
    for (const span of spans) {
      for (const s of spellings(span)) {
        const [n, m] = check(s, row.line, ctx, names);
        checked += n;
        missing.push(...m);
      }
    }
  }
  return { checked, rows: rows.length, missing };
}

/**
 * The bullets that list API names in prose, and where their names live. Only list spans are read
 * there: two or more names joined by commas or slashes (`tensor, fromArray, zeros`,
 * `zerosLike/onesLike`), each a plain name or a call, and in the optimizer bullets single class
 * names (`SGD`); other spans of a bullet (option names, file paths) are prose.
 */
const LIST_BULLETS: { start: string; owners: () => unknown[]; classes?: boolean }[] = [
  { start: '- Creation:', owners: () => [api] },
  { start: '- Ops as methods and free functions', owners: () => [api.Tensor.prototype, api] },
  { start: '- `nn.functional` (also `nn.F`):', owners: () => [api.nn.functional, api.nn] },
  { start: '- `nn.init`:', owners: () => [api.nn.init] },
  { start: '- `nn.utils`:', owners: () => [api.nn.utils] },
  { start: '- `SGD` (', owners: () => [api.optim], classes: true },
  { start: '- `lr_scheduler` (', owners: () => [api.optim.lr_scheduler, api.optim], classes: true },
];

const NAME_OR_CALL = /^([A-Za-z_$][\w$]*)(\(.*\))?$/s;

function missingListNames(markdown: string): { checked: number; bullets: number; missing: Missing[] } {
  const lines = markdown.split('\n');
  const missing: Missing[] = [];
  let checked = 0;
  let bullets = 0;
  for (const bullet of LIST_BULLETS) {
    const at = lines.findIndex((l) => l.startsWith(bullet.start));
    if (at < 0) continue;
    bullets++;
    let text = lines[at]!;
    for (let j = at + 1; j < lines.length && lines[j]!.startsWith('  '); j++) text += `\n${lines[j]}`;
    const owners = bullet.owners();
    for (const span of codeSpans(text.replace(/\n\s*/g, ' '))) {
      const pieces = spellings(span);
      const single = pieces.length === 1 && bullet.classes === true && /^[A-Z][\w$]*$/.test(pieces[0]!);
      if (!single && (pieces.length < 2 || !pieces.every((p) => NAME_OR_CALL.test(p)))) continue;
      for (const piece of pieces) {
        const name = NAME_OR_CALL.exec(piece)![1]!;
        checked++;
        if (!owners.some((o) => member(o, name) !== undefined)) missing.push({ line: at + 1, name, spelling: span });
      }
    }
  }
  return { checked, bullets, missing };
}

describe("the README's lists of functions", () => {
  it('name only functions, methods and classes that exist', () => {
    const { checked, bullets, missing } = missingListNames(readFileSync(README, 'utf8'));
    expect(bullets, 'list bullets found').toBe(LIST_BULLETS.length);
    expect(checked, 'names checked').toBeGreaterThan(80);
    expect(missing.map((m) => `README.md:${m.line}: ${m.name} (in \`${m.spelling}\`)`)).toEqual([]);
  });

  it('the parser finds what is missing', () => {
    const text = [
      '- Creation: `tensor, zeros, notACreator` and `zerosLike/noLike`, not `a/b.json` nor `dim`.',
      '- `SGD` (momentum), `Adam`, `NoSuchOptimizer` (lr); `weightDecay` is an option.',
    ].join('\n');
    expect(missingListNames(text).missing.map((m) => m.name)).toEqual(['notACreator', 'noLike', 'NoSuchOptimizer']);
  });
});

describe("the README's PyTorch → Flint tables", () => {
  it('name only functions, methods and classes that exist', () => {
    const { checked, rows, missing } = missingNames(readFileSync(README, 'utf8'));
    expect(rows, 'table rows found').toBeGreaterThan(40);
    expect(checked, 'names checked').toBeGreaterThan(150);
    expect(missing.map((m) => `README.md:${m.line}: ${m.name} (in \`${m.spelling}\`)`)).toEqual([]);
  });

  it('the parser finds what is missing', () => {
    const table = [
      '| PyTorch | Flint | Notes |',
      '| --- | --- | --- |',
      '| `torch.tan` | `tan`, `x.notAMethod(1)`, `newOnes` | |',
      '| `torch.nope` | `nn.Linear(2, 3)`, `nn.NoSuchLayer(2)`, `x.index(arange(3), missingFn(2))` | |',
      '| `F.relu` | `F.relu, notAnActivation` | |',
      '| `x.cube_`, `F.pixel_shuffle/pixel_unshuffle` | the same | |',
      '| `class F` | `class G extends autograd.Function` with `G.apply(...)`, `G.nothing` | |',
    ].join('\n');
    const { missing } = missingNames(table);
    expect(missing.map((m) => m.name)).toEqual([
      'x.notAMethod',
      'nn.NoSuchLayer',
      'missingFn',
      'notAnActivation',
      'x.cube_',
      'G.nothing',
    ]);
  });
});
