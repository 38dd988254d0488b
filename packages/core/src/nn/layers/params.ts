/**
 * ParameterList and ParameterDict: parameters held in order, registered under '0', '1', ... or
 * the dict's keys, so stateDict() and namedParameters() use PyTorch's names.
 */
import { Tensor } from '../../tensor/tensor.js';
import { Module, Parameter } from '../module.js';

/** A Tensor becomes a Parameter (sharing its storage), as PyTorch's containers wrap plain tensors. */
function asParameter(value: unknown, where: string): Parameter {
  if (value instanceof Parameter) return value;
  if (value instanceof Tensor) return new Parameter(value);
  throw new TypeError(`${where}: expected a Parameter or Tensor, got ${value === null ? 'null' : typeof value}`);
}

/** PyTorch's line for one parameter: ParameterList names the dtype, ParameterDict the legacy tensor type. */
function describeParameter(p: Tensor, legacyTypeName: boolean): string {
  const legacy: Record<string, string> = { float32: 'FloatTensor', int32: 'IntTensor', bool: 'BoolTensor' };
  const type = legacyTypeName ? (legacy[p.dtype] ?? p.dtype) : p.dtype;
  return `Parameter containing: [torch.${type} of size ${p.shape.join('x')}]`;
}

abstract class ParameterContainer extends Module {
  /** @internal */ declare _params: Map<string, Parameter>;

  constructor() {
    super();
    Object.defineProperty(this, '_params', {
      value: new Map<string, Parameter>(),
      enumerable: false,
      writable: true,
      configurable: true,
    });
  }

  override _ownEntries(): [string, unknown][] {
    return [...this._params.entries(), ...super._ownEntries()];
  }

  /** @internal ParameterDict prints the legacy tensor type names. */
  protected readonly legacyTypeNames: boolean = false;

  // PyTorch indents each line by two more spaces than a child module's (its extra_repr's own prefix).
  override extraRepr(): string {
    return [...this._params.entries()]
      .map(([k, p]) => `  (${k}): ${describeParameter(p, this.legacyTypeNames)}`)
      .join('\n');
  }
}

/** A list of parameters, registered as '0', '1', ... (no forward of its own). */
export class ParameterList extends ParameterContainer {
  constructor(values: Iterable<Tensor> = []) {
    super();
    this.extend(values);
  }

  override get length(): number {
    return this._params.size;
  }

  get(index: number): Parameter {
    const n = this._params.size;
    if (!Number.isInteger(index) || index < -n || index >= n)
      throw new RangeError(`index ${index} is out of range (ParameterList of length ${n})`);
    return this._params.get(String(index < 0 ? index + n : index))!;
  }

  set(index: number, value: Tensor): void {
    const n = this._params.size;
    if (!Number.isInteger(index) || index < -n || index >= n)
      throw new RangeError(`index ${index} is out of range (ParameterList of length ${n})`);
    this._params.set(String(index < 0 ? index + n : index), asParameter(value, 'ParameterList.set'));
  }

  append(value: Tensor): this {
    this._params.set(String(this._params.size), asParameter(value, 'ParameterList.append'));
    return this;
  }

  extend(values: Iterable<Tensor>): this {
    for (const v of values) this.append(v);
    return this;
  }

  [Symbol.iterator](): Iterator<Parameter> {
    return this._params.values();
  }
}

/** An ordered dictionary of parameters (insertion order, as PyTorch's ParameterDict). */
export class ParameterDict extends ParameterContainer {
  protected override readonly legacyTypeNames = true;
  constructor(values: Record<string, Tensor> | Iterable<[string, Tensor]> = {}) {
    super();
    this.update(values);
  }

  get size(): number {
    return this._params.size;
  }

  get(key: string): Parameter | undefined {
    return this._params.get(key);
  }

  set(key: string, value: Tensor): this {
    if (typeof key !== 'string' || key === '' || key.includes('.'))
      throw new Error(`parameter name can't be empty or contain ".", got: "${String(key)}"`);
    this._params.set(key, asParameter(value, 'ParameterDict.set'));
    return this;
  }

  has(key: string): boolean {
    return this._params.has(key);
  }

  delete(key: string): boolean {
    return this._params.delete(key);
  }

  /** Remove and return a parameter (like `ParameterDict.pop`). */
  pop(key: string): Parameter {
    const p = this._params.get(key);
    if (p === undefined) throw new Error(`KeyError: '${key}'`);
    this._params.delete(key);
    return p;
  }

  clear(): void {
    this._params.clear();
  }

  keys(): string[] {
    return [...this._params.keys()];
  }

  values(): Parameter[] {
    return [...this._params.values()];
  }

  items(): [string, Parameter][] {
    return [...this._params.entries()];
  }

  update(values: Record<string, Tensor> | Iterable<[string, Tensor]>): this {
    const entries: Iterable<[string, Tensor]> =
      Symbol.iterator in Object(values)
        ? (values as Iterable<[string, Tensor]>)
        : Object.entries(values as Record<string, Tensor>);
    for (const [k, v] of entries) this.set(k, v);
    return this;
  }

  [Symbol.iterator](): Iterator<string> {
    return this._params.keys();
  }
}
