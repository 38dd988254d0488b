/**
 * tidy(): free every tensor created inside fn except what it returns, what was kept (parameters,
 * .grad, optimizer state) and what became part of a live autograd graph through a saved alias.
 *
 * Scopes are plain arrays on a stack, reused once closed: every op runs in one (ops/op.ts), so
 * opening and closing a scope must not allocate. A tensor sits in at most one scope (the one it
 * was created in, then each enclosing one it is returned to); keep() marks it instead of searching.
 */
import type { Tensor } from './tensor.js';
import { isTensor } from './binding.js';

const scopes: Tensor[][] = [];
/** Closed scopes' arrays, emptied, for the next scope to reuse. */
const spare: Tensor[][] = [];

/** Called by every new Tensor: whether a scope holds it (then the scope decides when it is freed). */
export function trackTensor(t: Tensor): boolean {
  const top = scopes[scopes.length - 1];
  if (top === undefined) return false;
  top.push(t);
  return true;
}

/** Exclude `t` from the enclosing tidy scopes (it outlives them). */
export function keep<T extends Tensor>(t: T): T {
  t._kept = true;
  t._guard();
  return t;
}

/**
 * @internal keep() for a tensor whose owner frees it (an autograd node's saved alias: the node's
 * own FinalizationRegistry entry frees it if the graph is dropped), so it needs no entry of its own.
 */
export function keepOwned<T extends Tensor>(t: T): T {
  t._kept = true;
  return t;
}

function collectTensors(
  value: unknown,
  out: Set<Tensor>,
  seen: Set<unknown>,
  isTensor: (v: unknown) => v is Tensor,
): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isTensor(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collectTensors(v, out, seen, isTensor);
    return;
  }
  if (value instanceof Map) {
    for (const v of value.values()) collectTensors(v, out, seen, isTensor);
    return;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTensors(v, out, seen, isTensor);
  }
}

/** @internal Open a scope: tensors created from now on belong to it until closeScope(). */
export function openScope(): void {
  scopes.push(spare.pop() ?? []);
}

/** @internal Close the innermost scope after a throw: everything it holds is freed. */
export function abandonScope(): void {
  const scope = scopes.pop()!;
  for (const t of scope) if (!t._kept) t.dispose();
  scope.length = 0;
  spare.push(scope);
}

/**
 * @internal Close the innermost scope: the tensors in `result` (a tensor, or arrays, Maps and plain
 * objects holding tensors) move to the enclosing scope; everything else it holds is freed.
 */
export function closeScope(result: unknown): void {
  const scope = scopes.pop()!;
  const parent = scopes[scopes.length - 1];
  if (isTensor(result)) {
    // The common case (an op's one result): no set of returned tensors to build.
    for (const t of scope) {
      if (t._kept) continue;
      if (t !== result) t.dispose();
      else if (parent !== undefined) parent.push(t);
      else t._guard();
    }
  } else if (scope.length > 0) {
    const returned = new Set<Tensor>();
    collectTensors(result, returned, new Set(), isTensor);
    for (const t of scope) {
      if (t._kept) continue;
      if (!returned.has(t)) t.dispose();
      else if (parent !== undefined) parent.push(t);
      else t._guard();
    }
  }
  scope.length = 0;
  spare.push(scope);
}

export function tidy<T>(fn: () => T): T {
  openScope();
  let result: T;
  try {
    result = fn();
  } catch (error) {
    abandonScope();
    throw error;
  }
  if (result instanceof Promise) {
    abandonScope();
    throw new Error('tidy() takes a synchronous function; await outside of it.');
  }
  closeScope(result);
  return result;
}
