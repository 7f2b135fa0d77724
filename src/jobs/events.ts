import { EventEmitter } from 'node:events';

// One emitter per process: an enqueue wakes every worker of the process, whichever created it.
const emitter = new EventEmitter().setMaxListeners(0);
const ENQUEUED = 'enqueued';

export function emitJobsEnqueued(): void {
  emitter.emit(ENQUEUED);
}

/** Returns the function that stops listening. */
export function onJobsEnqueued(listener: () => void): () => void {
  emitter.on(ENQUEUED, listener);
  return () => emitter.off(ENQUEUED, listener);
}

/** A sleep that wake() ends early; a wake while awake makes the next sleep return at once. */
export function wakeableSleep() {
  let wakeUp: (() => void) | undefined;
  let woken = false;
  return {
    sleep(ms: number): Promise<void> {
      if (woken) {
        woken = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          wakeUp = undefined;
          resolve();
        }, ms);
        wakeUp = () => {
          clearTimeout(timer);
          wakeUp = undefined;
          resolve();
        };
      });
    },
    wake(): void {
      if (wakeUp) wakeUp();
      else woken = true;
    },
  };
}
