import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** Runs the CLI from source as a user would run the bin, in `cwd`; resolves to its exit code and output. */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', import.meta.resolve('tsx'), CLI, ...args], { env: { ...inherited, ...env }, cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
