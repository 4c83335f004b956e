import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Where written bytes go, in order; awaiting it is the backpressure. Every writer here takes one. A
 * chunk is the sink's only until its promise settles: a writer may then reuse its memory, so a sink
 * copies what it keeps.
 */
export type ByteSink = (chunk: Uint8Array) => Promise<void>;

/**
 * Waits for room in a writable stream ('drain') until `settled` settles: the stream has then ended or
 * failed, no 'drain' comes, and a wait stops, throwing what `settled` threw. Not a race of each wait
 * against `settled`: every race would add a reaction to it that lives as long as it does.
 */
export class DrainWait {
  private readonly stop = new AbortController();

  constructor(private readonly settled: Promise<unknown>) {
    settled.then(() => this.stop.abort(), () => this.stop.abort());
  }

  async for(stream: Writable): Promise<void> {
    await once(stream, 'drain', { signal: this.stop.signal }).catch(() => this.settled);
  }
}
