import { readFileSync } from 'node:fs';

/** Linux counts a process's or thread's CPU time in clock ticks of 1/100 s. */
const MICROS_PER_TICK = 10_000;

/**
 * utime + stime, in microseconds, from a /proc `stat` file (`/proc/PID/stat`, `/proc/PID/task/TID/stat`),
 * with the command name it gives; undefined when the file is gone.
 */
export function statCpu(file: string): { command: string; micros: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the parenthesised command name, which may itself hold spaces.
  const close = stat.lastIndexOf(') ');
  const fields = stat.slice(close + 2).split(' ');
  return { command: stat.slice(stat.indexOf('(') + 1, close), micros: (Number(fields[11]) + Number(fields[12])) * MICROS_PER_TICK };
}

/**
 * A thread's time on a core and its time runnable but waiting for one, in microseconds, from
 * `/proc/PID/task/TID/schedstat` (nanoseconds); NaN where the kernel keeps no such file.
 */
export function threadSchedule(pid: number, tid: number): { cpuMicros: number; waitMicros: number } {
  try {
    const [cpu, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
    return { cpuMicros: cpu! / 1000, waitMicros: wait! / 1000 };
  } catch {
    return { cpuMicros: Number.NaN, waitMicros: Number.NaN };
  }
}
