import type { Logger } from '../../src/logger.js';

/** A logger that keeps its lines, for asserting on what the package said. */
export function memoryLogger(): Logger & { lines: Array<{ level: string; message: string }>; text(): string } {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (message: string) => void lines.push({ level, message });
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    text: () => lines.map((l) => `${l.level}: ${l.message}`).join('\n'),
  };
}
