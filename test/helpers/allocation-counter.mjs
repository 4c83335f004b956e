// Preloaded into a CLI run by test/helpers/measure.ts (`node --import`): when the process exits, it
// writes how many bytes the main thread's JavaScript heap allocated over the run to the file named
// by REPRODIST_TEST_ALLOCATION_FILE. Plain JavaScript, as the child runs without tsx.
//
// Allocated bytes are what the heap held before each collection less what it held after the one
// before, plus what it gained since the last: V8's GC profiler gives both sides of every collection.
import { writeFileSync } from 'node:fs';
import v8 from 'node:v8';

const profiler = new v8.GCProfiler();
profiler.start();
process.on('exit', () => {
  let allocated = 0;
  let afterPrevious = 0;
  for (const gc of profiler.stop().statistics) {
    allocated += gc.beforeGC.heapStatistics.usedHeapSize - afterPrevious;
    afterPrevious = gc.afterGC.heapStatistics.usedHeapSize;
  }
  allocated += v8.getHeapStatistics().used_heap_size - afterPrevious;
  writeFileSync(process.env.REPRODIST_TEST_ALLOCATION_FILE, `${allocated}\n`);
});
