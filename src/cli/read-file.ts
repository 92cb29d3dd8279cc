import { readFile } from 'node:fs/promises';
import { messageOf } from '../errors.js';
import { UsageError } from './usage-error.js';

/** A file named on the command line (a key, checkpoints); one that cannot be read is a usage error. */
export async function readInput(file: string, option: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${option}: cannot read ${file}: ${messageOf(error)}`);
  }
}
