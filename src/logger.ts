/**
 * What the package logs through. pino, winston and console all fit: each method takes a message
 * and, optionally, an object of context.
 */
export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

const PREFIX = '[audit-trail]';

export const consoleLogger: Logger = {
  debug: () => {},
  info: (message, context) => console.info(PREFIX, message, ...(context ? [context] : [])),
  warn: (message, context) => console.warn(PREFIX, message, ...(context ? [context] : [])),
  error: (message, context) => console.error(PREFIX, message, ...(context ? [context] : [])),
};

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
