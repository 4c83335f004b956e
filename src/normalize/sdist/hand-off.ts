// Pieces of bytes passed from a writer to a reader without a copy or a queue: the tar being written
// is read back by the strict reader this way (write.ts), each piece while the writer waits.

/**
 * Pieces handed from a writer to a reader one at a time, uncopied: a write resolves once the reader
 * asks for the next piece, which says it is done with this one (the strict reader holds nothing of a
 * piece then, and checkWrittenTar only hashes the views it gets).
 */
export class HandOff implements AsyncIterableIterator<Uint8Array> {
  private pending: { bytes: Uint8Array; done: () => void } | undefined;
  /** Resolves the write of the piece the reader has now. */
  private readerHas: (() => void) | undefined;
  private reader: ((result: IteratorResult<Uint8Array>) => void) | undefined;
  private ended = false;
  private abandoned = false;

  write(bytes: Uint8Array): Promise<void> {
    if (this.abandoned) return Promise.resolve();
    return new Promise((done) => {
      this.pending = { bytes, done };
      this.deliver();
    });
  }

  end(): void {
    this.ended = true;
    this.deliver();
  }

  /** The reader stopped for good: the piece it has, the one waiting for it and every later one are taken as done. */
  abandon(): void {
    this.abandoned = true;
    this.readerHas?.();
    this.readerHas = undefined;
    this.pending?.done();
    this.pending = undefined;
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    this.readerHas?.();
    this.readerHas = undefined;
    return new Promise((resolve) => {
      this.reader = resolve;
      this.deliver();
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private deliver(): void {
    const reader = this.reader;
    if (!reader || (!this.pending && !this.ended)) return;
    this.reader = undefined;
    if (!this.pending) return reader({ value: undefined, done: true });
    const { bytes, done } = this.pending;
    this.pending = undefined;
    this.readerHas = done;
    reader({ value: bytes, done: false });
  }
}
