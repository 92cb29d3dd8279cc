import type { Logger } from './logger.js';

/**
 * Secrets shorter than this are left alone: replacing every "pw" in every message would garble logs
 * while hiding nothing worth hiding.
 */
const SHORTEST_REDACTED = 4;

/** The text with every secret, as given and percent-encoded, replaced by `***`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret.length < SHORTEST_REDACTED) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) redacted = redacted.split(form).join('***');
  }
  return redacted;
}

/** A logger that passes every line through `redactSecrets` before the host's logger sees it. */
export function redactingLogger(logger: Logger, secrets: readonly string[]): Logger {
  if (!secrets.some((secret) => secret.length >= SHORTEST_REDACTED)) return logger;
  const at =
    (level: keyof Logger) =>
    (message: string, context?: Record<string, unknown>): void =>
      context === undefined ? logger[level](redactSecrets(message, secrets)) : logger[level](redactSecrets(message, secrets), context);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
