import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** How many nice steps below the host's thread the writer thread runs: at +10 the kernel gives it a ninth of a contended core. */
export const WRITER_NICE_STEPS = 10;

/**
 * The writer thread yields the CPU to the host's thread. On Linux each thread has a nice value of its own,
 * so only this thread is lowered: where the two contend for a core, the host's requests go first, and the
 * writer catches up in the gaps (its queue absorbs the difference). Elsewhere it runs as the host does.
 */
export function yieldToHost(): void {
  try {
    const thread = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(thread, Math.min(19, getPriority(thread) + WRITER_NICE_STEPS));
  } catch {
    // No per-thread priority here (not Linux, or no /proc): nothing to lower.
  }
}
