/** Atomic accumulation in WGSL: integer atomicAdd, and float addition by compare-exchange on the bits. */

/** WGSL statements adding `value` to the atomic element `target` (an lvalue such as out[at]). */
export function atomicAddCode(float: boolean, target: string, value: string): string {
  if (!float) return `  atomicAdd(&${target}, ${value});`;
  // Retry until no other invocation changed the word between the load and the exchange.
  return `  var old = atomicLoad(&${target});
  loop {
    let r = atomicCompareExchangeWeak(&${target}, old, bitcast<u32>(bitcast<f32>(old) + ${value}));
    if (r.exchanged) { break; }
    old = r.old_value;
  }`;
}
