/** Containers: Sequential, ModuleList, ModuleDict. They keep their children in insertion order. */
import { Module } from './module.js';

/** Base of the containers: children live in an ordered map (not as properties). */
abstract class OrderedContainer extends Module {
  /** @internal */ declare _items: Map<string, Module>;

  constructor() {
    super();
    Object.defineProperty(this, '_items', {
      value: new Map<string, Module>(),
      enumerable: false,
      writable: true,
      configurable: true,
    });
  }

  override _ownEntries(): [string, unknown][] {
    return [...this._items.entries(), ...super._ownEntries()];
  }
}

function checkModule(m: unknown, where: string): Module {
  if (!(m instanceof Module)) {
    const name =
      m === null
        ? 'null'
        : typeof m === 'object' || typeof m === 'function'
          ? (m as object).constructor?.name
          : typeof m;
    throw new TypeError(`${where}: ${name} is not a Module subclass`);
  }
  return m;
}

function normalizeIndex(i: number, length: number, cls: string): number {
  if (!Number.isInteger(i) || i < -length || i >= length)
    throw new RangeError(`index ${i} is out of range (${cls} of length ${length})`);
  return i < 0 ? i + length : i;
}

/**
 * Runs its children in order: `new nn.Sequential(a, b, c)` names them '0', '1', '2';
 * `new nn.Sequential({ conv1: ..., relu1: ... })` names them by the record's keys (PyTorch's
 * OrderedDict form; pass a Map when names look like integers, which a plain object lists first).
 */
export class Sequential extends OrderedContainer {
  constructor(...modules: Module[] | [Record<string, Module> | Map<string, Module>]) {
    super();
    if (modules.length === 1 && modules[0] instanceof Map) {
      for (const [k, m] of modules[0]) this._items.set(k, checkModule(m, 'Sequential'));
    } else if (
      modules.length === 1 &&
      !(modules[0] instanceof Module) &&
      typeof modules[0] === 'object' &&
      modules[0] !== null
    ) {
      for (const [k, m] of Object.entries(modules[0] as Record<string, Module>))
        this._items.set(k, checkModule(m, 'Sequential'));
    } else {
      (modules as Module[]).forEach((m, i) => {
        this._items.set(String(i), checkModule(m, 'Sequential'));
      });
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: a Sequential passes whatever each layer returns to the next.
  override forward(input: any): any {
    let x = input;
    for (const m of this._items.values()) x = m(x);
    return x;
  }

  override get length(): number {
    return this._items.size;
  }

  /** The i-th module (negative counts from the end), like `seq[i]`. */
  get(index: number): Module {
    const i = normalizeIndex(index, this._items.size, 'Sequential');
    return [...this._items.values()][i]!;
  }

  /** A new Sequential of modules [start, end), like `seq[start:end]` (keeps the names). */
  slice(start?: number, end?: number): Sequential {
    return new Sequential(new Map([...this._items.entries()].slice(start, end)));
  }

  append(module: Module): this {
    this._items.set(String(this._items.size), checkModule(module, 'Sequential.append'));
    return this;
  }

  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  insert(index: number, module: Module): this {
    checkModule(module, 'Sequential.insert');
    const n = this._items.size;
    if (!Number.isInteger(index) || index < -n || index > n) throw new RangeError(`Index out of range: ${index}`);
    const i = index < 0 ? index + n : index;
    const values = [...this._items.values()];
    values.splice(i, 0, module);
    this._items = new Map(values.map((m, k) => [String(k), m]));
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this._items.values();
  }
}

/** A list of modules, registered as children '0', '1', ... (no forward of its own). */
export class ModuleList extends OrderedContainer {
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  override get length(): number {
    return this._items.size;
  }

  get(index: number): Module {
    const i = normalizeIndex(index, this._items.size, 'ModuleList');
    return [...this._items.values()][i]!;
  }

  set(index: number, module: Module): void {
    const i = normalizeIndex(index, this._items.size, 'ModuleList');
    this._items.set(String(i), checkModule(module, 'ModuleList.set'));
  }

  append(module: Module): this {
    this._items.set(String(this._items.size), checkModule(module, 'ModuleList.append'));
    return this;
  }

  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  insert(index: number, module: Module): void {
    checkModule(module, 'ModuleList.insert');
    const values = [...this._items.values()];
    const n = values.length;
    const i = index < 0 ? Math.max(0, index + n) : Math.min(index, n);
    values.splice(i, 0, module);
    this._items = new Map(values.map((m, k) => [String(k), m]));
  }

  [Symbol.iterator](): Iterator<Module> {
    return this._items.values();
  }

  map<T>(fn: (m: Module, i: number) => T): T[] {
    return [...this._items.values()].map(fn);
  }
}

/** An ordered dictionary of modules (insertion order, as PyTorch's ModuleDict). */
export class ModuleDict extends OrderedContainer {
  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    this.update(modules);
  }

  get size(): number {
    return this._items.size;
  }

  get(key: string): Module | undefined {
    return this._items.get(key);
  }

  set(key: string, module: Module): this {
    if (key === '' || key.includes('.')) throw new Error(`module name can't be empty or contain ".", got: "${key}"`);
    this._items.set(key, checkModule(module, 'ModuleDict.set'));
    return this;
  }

  has(key: string): boolean {
    return this._items.has(key);
  }

  delete(key: string): boolean {
    return this._items.delete(key);
  }

  /** Remove and return a module (like `ModuleDict.pop`). */
  pop(key: string): Module {
    const m = this._items.get(key);
    if (m === undefined) throw new Error(`KeyError: '${key}'`);
    this._items.delete(key);
    return m;
  }

  clear(): void {
    this._items.clear();
  }

  keys(): string[] {
    return [...this._items.keys()];
  }

  values(): Module[] {
    return [...this._items.values()];
  }

  items(): [string, Module][] {
    return [...this._items.entries()];
  }

  update(modules: Record<string, Module> | Iterable<[string, Module]>): this {
    const entries: Iterable<[string, Module]> =
      Symbol.iterator in Object(modules)
        ? (modules as Iterable<[string, Module]>)
        : Object.entries(modules as Record<string, Module>);
    for (const [k, m] of entries) this.set(k, m);
    return this;
  }

  [Symbol.iterator](): Iterator<string> {
    return this._items.keys();
  }
}
