/** Where written bytes go, in order; awaiting it is the backpressure. Every writer here takes one. */
export type ByteSink = (chunk: Uint8Array) => Promise<void>;
