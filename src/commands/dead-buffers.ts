// Collecting dead buffers sooner than V8 would. A Buffer's bytes live outside V8's heap and are
// given back only when the collector finds its small JS object dead, and V8 lets tens of MiB of them
// pile up before it collects for their sake: the 100,000-member wheel's RECORD (8 MB read, deflated,
// spooled and inflated again to check it) took the live buffers from 35 to 69 MB just before they
// were collected, and its peak to 155 MiB. So while a run lasts, the buffers held are looked at every
// CHECK_EVERY_MS, and a full collection is made once they have grown by GROWTH_LIMIT over the least
// they have been since the last one: V8's own scavenges free some in between, and growth counted
// from the level the last full collection left let a 2 GiB member's inflated pieces reach 31 MiB
// over what was live (its peak 120 -> 107 MiB; 234 collections instead of 54, 1.5 s of a 13.6 s
// run's calling thread, while its worker set the pace). A collection takes 6-9 ms (the heap is
// small: the member index is typed arrays) and comes only where buffers pile up, so a small run never
// makes one; where V8 would have freed them young anyway (one member of 32 MB) it is time spent for
// 6 MiB (1.05x; docs/limits.md, "Dead buffers").
//
// `gc` is there when node runs with --expose-gc, as bin/reprodist's first line starts it. Elsewhere
// (the library in someone's process, a test that calls main()) V8 keeps its own pace.

/** Growth of the buffers held, over their least since the last collection, that makes the next one. */
const GROWTH_LIMIT = 16 << 20;
/**
 * Buffers held where a phase of a run ends that make a collection there (afterPhase): a phase that
 * ends holding this much leaves much of it dead, though none of it is new. At the end of writing a
 * wheel: 1 MiB for the fixtures' small one, 18 MiB for 30,000 members, 48 MiB for 100,000.
 */
const HELD_AT_PHASE_END = 16 << 20;
/** How often the buffers held are looked at: process.memoryUsage() costs about 10 µs. */
const CHECK_EVERY_MS = 10;

/** A collection, noting the buffers held after it; set while the watch runs. */
let collectNow: (() => void) | undefined;

/** Starts collecting dead buffers for the rest of the process's life, when node lets reprodist collect. */
export function collectDeadBuffers(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (typeof collect !== 'function') return;
  let leastSinceCollection = process.memoryUsage().arrayBuffers;
  collectNow = () => {
    collect();
    leastSinceCollection = process.memoryUsage().arrayBuffers;
  };
  // unref: a run's end is not held up by the watch.
  setInterval(() => {
    const held = process.memoryUsage().arrayBuffers;
    leastSinceCollection = Math.min(leastSinceCollection, held);
    if (held - leastSinceCollection >= GROWTH_LIMIT) collectNow?.();
  }, CHECK_EVERY_MS).unref();
}

/**
 * A run's phase has ended and what it held is dead (a wheel written, before its structure is read
 * back beside the input's uncollected reader: NormalizeOptions.phaseDone). The 100,000-member
 * wheel's peak came there: 141-149 MiB, 133-137 MiB collected first. A small run holds too little
 * to make one; nothing happens without the watch.
 */
export function afterPhase(): void {
  if (process.memoryUsage().arrayBuffers >= HELD_AT_PHASE_END) collectNow?.();
}
