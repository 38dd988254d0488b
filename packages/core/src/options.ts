/**
 * Options objects are PyTorch's keyword arguments in camelCase. JavaScript ignores a key nobody
 * reads, so PyTorch's own spelling (`weight_decay`, `batch_first`, `requires_grad`) or a typo would
 * change nothing and the numbers would silently differ: an unknown key is an error naming it (and
 * the camelCase name when that is one).
 */

/** PyTorch's snake_case name in Flint's camelCase (`batch_first` -> `batchFirst`). */
function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function unknownOption(where: string, key: string, allowed: readonly string[]): TypeError {
  const camel = camelCase(key);
  const hint = camel !== key && allowed.includes(camel) ? ` (PyTorch's ${key} is ${camel} here)` : '';
  return new TypeError(`${where}: unknown option '${key}'${hint}; the options are ${allowed.join(', ')}`);
}

/** Every key of `options` must be one of `allowed`. */
export function checkOptionKeys(where: string, options: object | null | undefined, allowed: readonly string[]): void {
  if (options === null || options === undefined) return;
  for (const key of Object.keys(options)) if (!allowed.includes(key)) throw unknownOption(where, key, allowed);
}

/**
 * A module's PyTorch keyword given positionally or as an options object: `new nn.Softmax(1)` or
 * `new nn.Softmax({ dim: 1 })` (PyTorch's `nn.Softmax(dim=1)`); `extra` keys are accepted and
 * not read (PyTorch's `inplace`, which changes memory, not values).
 */
export function keywordOrValue<T extends number | string>(
  where: string,
  arg: T | object | undefined,
  key: string,
  extra: readonly string[] = [],
): T | undefined {
  if (arg === null || typeof arg !== 'object') return arg;
  checkOptionKeys(where, arg, [key, ...extra]);
  return (arg as Record<string, T | undefined>)[key];
}

/**
 * keywordOrValue for modules with several keywords: `new nn.Softplus(2, 10)` or
 * `new nn.Softplus({ beta: 2, threshold: 10 })`; an option left out takes its default.
 */
export function keywordsOrValues(
  where: string,
  first: number | object | undefined,
  rest: readonly (number | undefined)[],
  keys: readonly string[],
  defaults: readonly number[],
  extra: readonly string[] = [],
): number[] {
  if (first !== null && typeof first === 'object') {
    checkOptionKeys(where, first, [...keys, ...extra]);
    return keys.map((k, i) => ((first as Record<string, number | undefined>)[k] ?? defaults[i])!);
  }
  return [first, ...rest].map((v, i) => (v ?? defaults[i])!);
}
